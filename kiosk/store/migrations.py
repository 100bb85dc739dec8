"""Versioned schema migrations, applied in order at start-up; a store never runs on a schema it does not know.

PostgreSQL records applied versions in ``schema_migrations`` and applies new ones in one transaction under
an advisory lock, so kiosks starting together migrate once. SQLite keeps the version in ``user_version``.
Version 1 of SQLite is the schema the embedded adapters always had, so existing kiosk files upgrade in place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


POSTGRES: tuple[Migration, ...] = (
    Migration(1, "site store", """
CREATE TABLE exam_roster (
    site TEXT NOT NULL,
    position INTEGER NOT NULL,
    sbd TEXT NOT NULL,
    ho_dem TEXT NOT NULL,
    ten TEXT NOT NULL,
    date_of_birth DATE,
    birth_year_only BOOLEAN NOT NULL DEFAULT FALSE,
    room TEXT NOT NULL,
    id_number TEXT,
    stt TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    row_number INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, position)
);
CREATE TABLE exam_attendance (
    checkin_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    reference TEXT NOT NULL,
    session TEXT NOT NULL,
    candidate_key TEXT NOT NULL,
    sbd TEXT NOT NULL,
    room TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('present', 'duplicate')),
    matched_by TEXT NOT NULL,
    checked_in_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    access TEXT,
    passive_authentication TEXT,
    active_authentication TEXT,
    chip_authentication TEXT,
    face_match INTEGER,
    face_distance DOUBLE PRECISION,
    face_threshold DOUBLE PRECISION,
    liveness TEXT,
    first_reference TEXT,
    kiosk TEXT NOT NULL,
    confirmed BOOLEAN NOT NULL DEFAULT TRUE,
    reconciled BOOLEAN NOT NULL DEFAULT FALSE,
    stored_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX exam_attendance_once_per_session
    ON exam_attendance (site, session, candidate_key) WHERE status = 'present';
CREATE INDEX exam_attendance_by_session ON exam_attendance (site, session, checked_in_at);
CREATE TABLE queue_counter (
    site TEXT NOT NULL,
    day DATE NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (site, day)
);
CREATE TABLE queue_ticket (
    checkin_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    day DATE NOT NULL,
    number INTEGER NOT NULL,
    kiosk TEXT NOT NULL,
    UNIQUE (site, day, number)
);
CREATE TABLE airport_clearance (
    checkin_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kiosk TEXT NOT NULL,
    reference TEXT NOT NULL,
    decision TEXT NOT NULL,
    flight TEXT NOT NULL,
    seat TEXT NOT NULL,
    flight_day INTEGER,
    recorded_at TEXT NOT NULL
);
CREATE TABLE kiosk_status (
    site TEXT NOT NULL,
    kiosk TEXT NOT NULL,
    profile TEXT NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
    status JSONB NOT NULL,
    PRIMARY KEY (site, kiosk)
);
"""),
)

SQLITE: tuple[Migration, ...] = (
    Migration(1, "embedded adapters", """
CREATE TABLE IF NOT EXISTS attendance (
    checkin_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    session TEXT NOT NULL,
    candidate_key TEXT NOT NULL,
    sbd TEXT NOT NULL,
    room TEXT NOT NULL,
    status TEXT NOT NULL,
    matched_by TEXT NOT NULL,
    checked_in_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    access TEXT,
    passive_authentication TEXT,
    active_authentication TEXT,
    chip_authentication TEXT,
    face_match INTEGER,
    face_distance REAL,
    face_threshold REAL,
    liveness TEXT,
    first_reference TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS attendance_once_per_session
    ON attendance (session, candidate_key) WHERE status = 'present';
CREATE INDEX IF NOT EXISTS attendance_by_session ON attendance (session, candidate_key);
CREATE TABLE IF NOT EXISTS queue (number INTEGER PRIMARY KEY AUTOINCREMENT, checkin_id TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS clearance (checkin_id TEXT PRIMARY KEY, reference TEXT NOT NULL,
    decision TEXT NOT NULL, flight TEXT NOT NULL, seat TEXT NOT NULL, flight_day INTEGER,
    recorded_at TEXT NOT NULL);
"""),
    Migration(2, "offline-first site store", """
ALTER TABLE attendance ADD COLUMN kiosk TEXT NOT NULL DEFAULT '';
ALTER TABLE attendance ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE attendance ADD COLUMN reconciled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clearance ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;
CREATE TABLE IF NOT EXISTS kiosk_status (kiosk TEXT PRIMARY KEY, profile TEXT NOT NULL, last_seen TEXT NOT NULL,
    status TEXT NOT NULL);
"""),
)
