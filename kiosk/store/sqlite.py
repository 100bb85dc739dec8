"""The embedded site store: one SQLite file (WAL, ``synchronous=FULL``) for a kiosk on its own.

This is what the exam, local-queue and airport adapters always kept, now behind :class:`SiteStore`; a kiosk
with a PostgreSQL site store keeps one too, as its own record of what it checked in (the offline buffer).
Safe from several threads (one lock) and several processes (SQLite's write lock, ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from kiosk.sqlite_busy import retry_while_locked
from kiosk.store.base import SiteStore, StoreUnavailable
from kiosk.store.migrations import SQLITE
from kiosk.store.records import ATTENDANCE_COLUMNS, Attendance, AttendanceStatus, Claim, Clearance, KioskStatus

_INSERT = (f"INSERT OR IGNORE INTO attendance ({', '.join(ATTENDANCE_COLUMNS)})"
           f" VALUES ({', '.join('?' * len(ATTENDANCE_COLUMNS))})")
_SELECT = f"SELECT {', '.join(ATTENDANCE_COLUMNS)} FROM attendance"


def _attendance(row: tuple) -> Attendance:
    values = dict(zip(ATTENDANCE_COLUMNS, row, strict=True))
    values["confirmed"], values["reconciled"] = bool(values["confirmed"]), bool(values["reconciled"])
    return Attendance(**values)


def _values(row: Attendance) -> tuple:
    data = asdict(row)
    data["confirmed"], data["reconciled"] = int(row.confirmed), int(row.reconciled)
    return tuple(data[c] for c in ATTENDANCE_COLUMNS)


class SqliteStore(SiteStore):
    kind = "sqlite"

    def __init__(self, path: str | Path, *, site: str = "", kiosk: str = "") -> None:
        super().__init__(site, kiosk)
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            retry_while_locked(self._prepare)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"the local store {Path(self.path).name} cannot be opened: {exc}") from exc

    def _prepare(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    def _migrate(self) -> None:
        with self._transaction() as db:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            for migration in SQLITE:
                if migration.version > version:
                    for statement in migration.sql.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version = {migration.version}")

    @property
    def connection(self) -> sqlite3.Connection:
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the local store failed: {exc}") from exc

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the local store failed: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- exam attendance ------------------------------------------------------------------------------
    def _present(self, db: sqlite3.Connection, session: str, key: str) -> Attendance | None:
        row = db.execute(f"{_SELECT} WHERE session = ? AND candidate_key = ? AND status = ?",
                         (session, key, AttendanceStatus.PRESENT)).fetchone()
        return None if row is None else _attendance(row)

    def claim_attendance(self, row: Attendance) -> Claim:
        with self._transaction() as db:
            existing = db.execute(f"{_SELECT} WHERE checkin_id = ?", (row.checkin_id,)).fetchone()
            if existing is not None:
                stored = _attendance(existing)
                first = None if stored.status == AttendanceStatus.PRESENT else \
                    self._present(db, row.session, row.candidate_key)
                return Claim(stored, replay=True, first=first)
            present = replace(row, status=AttendanceStatus.PRESENT, first_reference=None)
            if db.execute(_INSERT, _values(present)).rowcount == 1:
                return Claim(present)
            first = self._present(db, row.session, row.candidate_key)
            repeat = replace(row, status=AttendanceStatus.DUPLICATE,
                             first_reference=first.reference if first else row.first_reference)
            db.execute(_INSERT, _values(repeat))
            return Claim(repeat, first=first)

    def record(self, row: Attendance) -> None:
        """Keep ``row`` as the site store decided it (insert, or update this check-in's row)."""
        with self._transaction() as db:
            values = _values(row)
            db.execute(f"INSERT INTO attendance ({', '.join(ATTENDANCE_COLUMNS)})"
                       f" VALUES ({', '.join('?' * len(values))}) ON CONFLICT (checkin_id) DO UPDATE SET"
                       " status = excluded.status, first_reference = excluded.first_reference,"
                       " confirmed = excluded.confirmed, reconciled = excluded.reconciled", values)

    def unconfirmed(self) -> list[Attendance]:
        """This kiosk's check-ins the site store has not confirmed yet, oldest first."""
        return [_attendance(r) for r in self._read(f"{_SELECT} WHERE confirmed = 0 ORDER BY checked_in_at")]

    def present(self, session: str, candidate_key: str) -> Attendance | None:
        with self._lock:
            try:
                return self._present(self._db, session, candidate_key)
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the local store failed: {exc}") from exc

    def attendance(self, session: str) -> list[Attendance]:
        return [_attendance(r) for r in self._read(f"{_SELECT} WHERE session = ? ORDER BY checked_in_at, rowid",
                                                   (session,))]

    # -- local queue ----------------------------------------------------------------------------------
    def queue_number(self, checkin_id: str, day: str) -> tuple[int, bool]:
        """One number per check-in, counting up for ever (the embedded queue never had days)."""
        with self._transaction() as db:
            inserted = db.execute("INSERT OR IGNORE INTO queue (checkin_id) VALUES (?)", (checkin_id,)).rowcount
            (number,) = db.execute("SELECT number FROM queue WHERE checkin_id = ?", (checkin_id,)).fetchone()
        return number, inserted == 1

    # -- airport --------------------------------------------------------------------------------------
    def add_clearance(self, clearance: Clearance, *, confirmed: bool = True) -> tuple[Clearance, bool]:
        with self._transaction() as db:
            cur = db.execute("INSERT OR IGNORE INTO clearance VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (*asdict(clearance).values(), int(confirmed)))
            if cur.rowcount == 1:
                return clearance, False
            row = db.execute("SELECT checkin_id, reference, decision, flight, seat, flight_day, recorded_at"
                             " FROM clearance WHERE checkin_id = ?", (clearance.checkin_id,)).fetchone()
        return Clearance(*row), True

    def unconfirmed_clearances(self) -> list[Clearance]:
        return [Clearance(*r) for r in self._read(
            "SELECT checkin_id, reference, decision, flight, seat, flight_day, recorded_at FROM clearance"
            " WHERE confirmed = 0 ORDER BY recorded_at")]

    def confirm_clearance(self, checkin_id: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE clearance SET confirmed = 1 WHERE checkin_id = ?", (checkin_id,))

    # -- kiosks ---------------------------------------------------------------------------------------
    def heartbeat(self, status: KioskStatus) -> None:
        document = status_to_json(status)
        with self._transaction() as db:
            db.execute("INSERT INTO kiosk_status VALUES (?, ?, ?, ?) ON CONFLICT (kiosk) DO UPDATE SET"
                       " profile = excluded.profile, last_seen = excluded.last_seen, status = excluded.status",
                       (status.kiosk, status.profile, datetime.now(UTC).isoformat(timespec="seconds"),
                        json.dumps(document)))

    def kiosks(self) -> list[KioskStatus]:
        return [status_from_json(json.loads(doc), seen)
                for seen, doc in self._read("SELECT last_seen, status FROM kiosk_status ORDER BY kiosk")]


def status_to_json(status: KioskStatus) -> dict:
    """A heartbeat as a JSON-able document (mappings as plain dicts)."""
    values = {name: getattr(status, name) for name in KioskStatus.__dataclass_fields__}
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in values.items()}


def status_from_json(document: dict, last_seen: str) -> KioskStatus:
    """A heartbeat as stored (JSON), with the store's ``last_seen``; unknown fields are ignored."""
    known = {k: v for k, v in document.items() if k in KioskStatus.__dataclass_fields__}
    known["outcomes"] = MappingProxyType({str(k): int(v) for k, v in dict(known.get("outcomes") or {}).items()})
    known["step_medians_s"] = MappingProxyType({str(k): float(v)
                                                for k, v in dict(known.get("step_medians_s") or {}).items()})
    return KioskStatus(**{**known, "last_seen": last_seen})
