"""Offline first: a kiosk whose site store goes away goes on with its own records, and reconciles after.

The site store is a real PostgreSQL cluster, stopped in the middle of the exam session and started again."""

from __future__ import annotations

import csv
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.adapters.exam import AlreadyCheckedIn, ExamAdapter
from kiosk.adapters.roster import RosterError, load_roster
from kiosk.checkin import CheckIn, Decision, Evidence, Person
from kiosk.demo_site import DEMO_ROSTER
from kiosk.store.offline import OfflineFirstStore, RosterCache
from kiosk.store.postgres import PostgresStore
from kiosk.store.sqlite import SqliteStore
from nfc.sim.citizen import DEMO_ID_NUMBER

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 6, 26, 7, 5, tzinfo=VN)
AN = Person(DEMO_ID_NUMBER, "Nguyễn Thị An", datetime(2003, 5, 14).date(), "F")
BINH = Person("001203001111", "Trần Văn Bình", datetime(2003, 9, 2).date(), "M")
EVIDENCE = Evidence("PACE", "valid", "valid")
KEY = os.urandom(32)  # each kiosk's outbox key, which also seals its copy of the roster


def door(folder: Path, url: str, site: str, name: str, roster_file: Path | None) -> ExamAdapter:
    remote = PostgresStore(url, site=site, kiosk=name, retry_s=0)
    store = OfflineFirstStore(remote, SqliteStore(folder / name / "attendance.sqlite3", site=site, kiosk=name),
                              roster_cache=RosterCache(folder / name / "roster.bin", KEY))
    table = {"session": "S1", "room": "012", "roster": str(roster_file) if roster_file else "absent.csv"}
    return ExamAdapter.from_config(table, base_dir=folder, store=store)


def checkin(person: Person, at: datetime) -> CheckIn:
    return CheckIn("exam", "SITE", person, EVIDENCE, at)


def test_a_kiosk_goes_on_offline_and_a_repeat_is_flagged_at_reconciliation(pg_cluster, tmp_path: Path,
                                                                          site: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(DEMO_ROSTER, encoding="utf-8")
    PostgresStore(pg_cluster.url, site=site, kiosk="office").save_roster(load_roster(roster).candidates)
    one = door(tmp_path, pg_cluster.url, site, "k1", None)  # the roster comes from the site store
    two = door(tmp_path, pg_cluster.url, site, "k2", None)
    assert one.roster.sources == ("site store",) and len(two.roster) == 2
    assert one.submit(checkin(AN, T0)).display.decision == "present"

    pg_cluster.stop()
    try:
        three = door(tmp_path, pg_cluster.url, site, "k2", None)  # a restart while offline: the cached roster
        assert len(three.roster) == 2
        assert two.lookup(AN, {}).cleared  # kiosk 2 cannot know: it goes on with what it has
        late = two.submit(checkin(AN, T0 + timedelta(minutes=7)))
        assert late.display.decision == "present" and not late.duplicate
        two.submit(checkin(BINH, T0 + timedelta(minutes=8)))
        assert two.store.offline_since is not None and two.store.unconfirmed() == 2
        decision = two.lookup(AN, {})  # its own records still refuse a second check-in here
        assert decision.reasons == ("exam.already_checked_in",) and decision.details["checked_in_at"] == "07:12"
        with pytest.raises(AlreadyCheckedIn):
            two.submit(checkin(AN, T0 + timedelta(minutes=9)))
        offline_rows = two.attendance()
        assert all(not r.confirmed for r in offline_rows if r.kiosk == "k2")
        assert two.reconcile().pushed == 0  # nothing can be pushed yet
    finally:
        pg_cluster.start()

    result = two.reconcile()
    assert (result.pushed, result.flagged) == (3, 1)
    assert two.store.unconfirmed() == 0 and two.store.offline_since is None
    assert two.reconcile().pushed == 0

    rows = one.attendance()
    present = [r for r in rows if r.status == "present"]
    assert sorted((r.sbd, r.kiosk, r.time) for r in present) == [("01000123", "k1", "07:05"),
                                                                  ("01000124", "k2", "07:13")]
    flagged = [r for r in rows if r.reconciled and r.status == "duplicate"]
    assert [(r.kiosk, r.time) for r in flagged] == [("k2", "07:12")]

    out = one.export_attendance(tmp_path / "attendance.csv")
    an, binh = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert (an["Trạng thái"], an["Giờ điểm danh"]) == ("Có mặt", "07:05:00")
    assert "07:12" in an["Điểm danh lặp"] and "đối soát" in an["Ghi chú"] and "k2" in an["Ghi chú"]
    assert binh["Trạng thái"] == "Có mặt" and binh["Ghi chú"] == ""
    assert one.lookup(AN, {}).status == Decision.REFER


def test_without_a_roster_anywhere_the_door_cannot_open(pg_cluster, tmp_path: Path, site: str) -> None:
    with pytest.raises(RosterError):
        door(tmp_path, pg_cluster.url, site, "k1", None)


def test_airport_clearances_kept_offline_reach_the_site_store(pg_cluster, tmp_path: Path, site: str) -> None:
    from kiosk.store.records import Clearance

    remote = PostgresStore(pg_cluster.url, site=site, kiosk="lane-1", retry_s=0)
    lane = OfflineFirstStore(remote, SqliteStore(tmp_path / "airport.sqlite3", site=site, kiosk="lane-1"))
    first = Clearance(f"{site}-a1", "AP-A1", "cleared", "VN0213", "12C", 180, "2026-06-29T09:00:00+07:00")
    second = Clearance(f"{site}-a2", "AP-A2", "refer", "VN0213", "14A", 180, "2026-06-29T09:01:00+07:00")
    assert lane.add_clearance(first) == (first, False)
    pg_cluster.stop()
    try:
        assert lane.add_clearance(second) == (second, False)
        assert lane.unconfirmed() == 1
    finally:
        pg_cluster.start()
    assert lane.reconcile().pushed == 1 and lane.unconfirmed() == 0
    assert PostgresStore(pg_cluster.url, site=site, kiosk="x").add_clearance(second) == (second, True)
