"""The PostgreSQL site store against a real server: migrations, uniqueness under concurrency, offline."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import psycopg
import pytest

from kiosk.adapters.roster import Candidate
from kiosk.store import KioskStatus, StoreError, StoreUnavailable, ping
from kiosk.store.migrations import POSTGRES
from kiosk.store.postgres import PostgresStore
from kiosk.store.records import Attendance, AttendanceStatus, Clearance

ROW = Attendance("c1", "EX-C1", "morning", "01000123", "01000123", "012", "present", "id",
                 "2026-06-26T07:05:00+07:00", "2026-06-26T07:05:01+07:00")


def store(url: str, site: str, kiosk: str = "k1") -> PostgresStore:
    return PostgresStore(url, site=site, kiosk=kiosk)


@pytest.fixture(autouse=True)
def _ids_of_this_site(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Check-in ids are unique world-wide (UUIDs in a kiosk); here they get the test's site as prefix."""
    monkeypatch.setitem(globals(), "ROW", replace(ROW, checkin_id=f"{site}-c1"))


def cid(site: str, name: str) -> str:
    return f"{site}-{name}"


def test_migrations_are_versioned_and_applied_once(pg_url: str, site: str) -> None:
    first, second = store(pg_url, site), store(pg_url, site, "k2")
    assert first.ping() == second.ping() == max(m.version for m in POSTGRES)
    with psycopg.connect(pg_url) as conn:
        versions = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [v for (v,) in versions] == [m.version for m in POSTGRES]


def test_a_schema_newer_than_the_kiosk_is_refused(pg_cluster, site: str) -> None:
    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE newer")
    url = pg_cluster.url.replace("/site?", "/newer?")
    assert store(url, site).ping() == 1
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')")
    with pytest.raises(StoreError, match="version 99"):
        store(url, site).ping()


def test_one_present_row_per_candidate_and_session_across_kiosks(pg_url: str, site: str) -> None:
    kiosks = [store(pg_url, site, f"k{i}") for i in range(8)]
    claims = []
    barrier = threading.Barrier(len(kiosks))

    def go(i: int) -> None:
        barrier.wait()
        claims.append(kiosks[i].claim_attendance(replace(ROW, checkin_id=cid(site, f"c{i}"), reference=f"EX-{i}")))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(kiosks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(c.stored.status for c in claims)
    assert statuses == [AttendanceStatus.DUPLICATE] * 7 + [AttendanceStatus.PRESENT]
    winner = next(c.stored for c in claims if c.stored.status == AttendanceStatus.PRESENT)
    assert {c.first.reference for c in claims if c.first is not None} == {winner.reference}
    rows = kiosks[0].attendance("morning")
    assert len(rows) == 8 and sum(r.status == AttendanceStatus.PRESENT for r in rows) == 1
    assert kiosks[0].present("morning", ROW.candidate_key).kiosk == winner.kiosk


def test_the_same_check_in_twice_is_a_replay(pg_url: str, site: str) -> None:
    kiosk = store(pg_url, site)
    assert not kiosk.claim_attendance(ROW).replay
    again = kiosk.claim_attendance(ROW)
    assert again.replay and again.stored.status == AttendanceStatus.PRESENT
    repeat = kiosk.claim_attendance(replace(ROW, checkin_id=cid(site, "c2"), reference="EX-C2"))
    replayed = kiosk.claim_attendance(replace(ROW, checkin_id=cid(site, "c2"), reference="EX-C2"))
    assert replayed.replay and replayed.stored.status == AttendanceStatus.DUPLICATE
    assert replayed.first.reference == "EX-C1" == repeat.first.reference
    assert len(kiosk.attendance("morning")) == 2


def test_sites_do_not_see_each_other(pg_url: str, site: str) -> None:
    store(pg_url, site).claim_attendance(ROW)
    other = store(pg_url, site + "-other")
    assert other.present("morning", ROW.candidate_key) is None
    assert other.claim_attendance(replace(ROW, checkin_id=cid(site, "o1"))).stored.status == AttendanceStatus.PRESENT


def test_queue_numbers_are_unique_per_site_and_day(pg_url: str, site: str) -> None:
    kiosks = [store(pg_url, site, f"k{i}") for i in range(4)]
    numbers: list[int] = []
    lock = threading.Lock()

    def go(i: int) -> None:
        for n in range(25):
            number, new = kiosks[i].queue_number(cid(site, f"q{i}-{n}"), "2026-06-26")
            assert new
            with lock:
                numbers.append(number)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == list(range(1, 101))
    assert kiosks[0].queue_number(cid(site, "q1-3"), "2026-06-26")[1] is False  # a replay keeps its number
    assert kiosks[0].queue_number(cid(site, "next-day"), "2026-06-27") == (1, True)


def test_clearances_roster_and_heartbeats(pg_url: str, site: str) -> None:
    kiosk = store(pg_url, site)
    clearance = Clearance(cid(site, "a1"), "AP-A1", "cleared", "VN0213", "12C", 180, "2026-06-29T09:00:00+07:00")
    assert kiosk.add_clearance(clearance) == (clearance, False)
    assert kiosk.add_clearance(replace(clearance, seat="1A")) == (clearance, True)

    candidates = [Candidate("01000123", "Nguyễn Văn", "An", date(2007, 3, 5), "012", "001090012345", "1",
                            source="r.csv", row=4),
                  Candidate("01000124", "Trần Thị", "Bích", None, "012", None, "2", source="r.csv", row=5)]
    assert kiosk.roster() is None
    assert kiosk.save_roster(candidates) == 2
    assert store(pg_url, site, "k2").roster() == tuple(candidates)

    kiosk.heartbeat(KioskStatus("k1", "exam", outcomes={"checked_in": 3}, outbox_pending=1))
    store(pg_url, site, "k2").heartbeat(KioskStatus("k2", "exam", reader="ok"))
    seen = kiosk.kiosks()
    assert [k.kiosk for k in seen] == ["k1", "k2"]
    assert seen[0].outcomes == {"checked_in": 3} and seen[0].outbox_pending == 1 and seen[0].last_seen


def test_ping_and_an_unreachable_store(pg_url: str, tmp_path, site: str) -> None:
    assert ping(pg_url).ok
    nowhere = f"postgresql://kiosk@/site?host={tmp_path}"
    result = ping(nowhere, timeout_s=1)
    assert not result.ok and "cannot be reached" in result.detail
    offline = store(nowhere, site)
    with pytest.raises(StoreUnavailable):
        offline.present("morning", "x")
    assert offline.offline_since is not None
    with pytest.raises(StoreUnavailable, match="moments ago"):  # no new dial until retry_s has passed
        offline.present("morning", "x")
    assert not ping("postgresql://%zz").ok


def test_the_store_comes_back_after_the_server_restarts(pg_cluster, site: str) -> None:
    kiosk = PostgresStore(pg_cluster.url, site=site, kiosk="k1", retry_s=0)
    kiosk.claim_attendance(ROW)
    pg_cluster.stop()
    try:
        with pytest.raises(StoreUnavailable):
            kiosk.present("morning", ROW.candidate_key)
        assert kiosk.offline_since is not None
    finally:
        pg_cluster.start()
    assert kiosk.present("morning", ROW.candidate_key).reference == "EX-C1"
    assert kiosk.offline_since is None
