"""The embedded store: a kiosk's existing SQLite files upgrade in place, and its heartbeat is its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk.store import KioskStatus
from kiosk.store.migrations import SQLITE
from kiosk.store.sqlite import SqliteStore

OLD_SCHEMA = """
CREATE TABLE attendance (checkin_id TEXT PRIMARY KEY, reference TEXT NOT NULL, session TEXT NOT NULL,
    candidate_key TEXT NOT NULL, sbd TEXT NOT NULL, room TEXT NOT NULL, status TEXT NOT NULL,
    matched_by TEXT NOT NULL, checked_in_at TEXT NOT NULL, recorded_at TEXT NOT NULL, access TEXT,
    passive_authentication TEXT, active_authentication TEXT, chip_authentication TEXT, face_match INTEGER,
    face_distance REAL, face_threshold REAL, liveness TEXT, first_reference TEXT);
CREATE UNIQUE INDEX attendance_once_per_session ON attendance (session, candidate_key) WHERE status = 'present';
INSERT INTO attendance VALUES ('c1', 'EX-C1', 'S1', '01000123', '01000123', '012', 'present', 'id',
    '2026-06-26T07:05:00+07:00', '2026-06-26T07:05:01+07:00', 'PACE', 'valid', 'valid', 'valid', 1, 0.41, 0.5,
    'not_checked', NULL);
"""


def test_an_attendance_file_from_before_the_site_store_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "exam-attendance.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
    store = SqliteStore(path)
    (row,) = store.attendance("S1")
    assert (row.reference, row.time, row.confirmed, row.reconciled, row.kiosk) == ("EX-C1", "07:05", True, False, "")
    assert store.connection.execute("PRAGMA user_version").fetchone() == (max(m.version for m in SQLITE),)
    store.close()
    assert SqliteStore(path).present("S1", "01000123").reference == "EX-C1"  # opening again changes nothing


def test_a_kiosk_on_its_own_keeps_its_heartbeat(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "site.sqlite3")
    store.heartbeat(KioskStatus("k1", "demo", outcomes={"checked_in": 2}))
    store.heartbeat(KioskStatus("k1", "demo", outcomes={"checked_in": 3}, outbox_pending=1))
    (seen,) = store.kiosks()
    assert seen.outcomes == {"checked_in": 3} and seen.outbox_pending == 1 and seen.last_seen
