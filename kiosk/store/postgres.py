"""The site store on PostgreSQL (psycopg 3), shared by every kiosk of a site.

One connection per store, used under a lock (a kiosk makes a few calls per check-in; the background
worker and the session share it). A call that cannot reach the server raises :class:`StoreUnavailable`
at once and the store then waits ``retry_s`` before dialling again, so an offline kiosk does not pay a
connection timeout per person. ``offline_since`` says since when the store has been unreachable.
Migrations are applied when the store is first reached. Each call's duration is kept (``latencies``) for
the site benchmark and the metrics.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import TypeVar

import psycopg

from kiosk.adapters.roster import Candidate
from kiosk.store.base import SiteStore, StoreError, StoreUnavailable
from kiosk.store.migrations import POSTGRES
from kiosk.store.records import ATTENDANCE_COLUMNS, Attendance, AttendanceStatus, Claim, Clearance, KioskStatus
from kiosk.store.sqlite import status_from_json, status_to_json

log = logging.getLogger(__name__)
T = TypeVar("T")

_LOCK_ID = 0x4B494F534B  # "KIOSK": the advisory lock kiosks take to migrate one at a time
_COLUMNS = ", ".join(ATTENDANCE_COLUMNS)
_SELECT = f"SELECT {_COLUMNS} FROM exam_attendance"
_INSERT = (f"INSERT INTO exam_attendance (site, {_COLUMNS}) VALUES (%s, {', '.join(['%s'] * len(ATTENDANCE_COLUMNS))})"
           " ON CONFLICT DO NOTHING RETURNING checkin_id")
_ROSTER = ("position", "sbd", "ho_dem", "ten", "date_of_birth", "birth_year_only", "room", "id_number", "stt",
           "source", "row_number")


def _attendance(row: tuple) -> Attendance:
    return Attendance(**dict(zip(ATTENDANCE_COLUMNS, row, strict=True)))


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable site store URL)"
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())


class PostgresStore(SiteStore):
    kind = "postgres"

    def __init__(self, url: str, *, site: str, kiosk: str, connect_timeout_s: float = 3.0,
                 retry_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(site, kiosk)
        self.url = url
        self.connect_timeout_s = connect_timeout_s
        self.retry_s = retry_s
        self._clock = clock
        self._lock = threading.RLock()
        self._conn: psycopg.Connection | None = None
        self._next_dial = 0.0
        self.offline_since: datetime | None = None
        self.latencies: deque[tuple[str, float]] = deque(maxlen=100_000)
        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise StoreError(f"the site store URL is not a libpq URL: {exc}") from exc

    # -- connection -----------------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        if self._clock() < self._next_dial:
            raise StoreUnavailable("the site store was unreachable moments ago; not dialling again yet")
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, round(self.connect_timeout_s)),
                                   application_name=f"cccd-kiosk {self.kiosk}"[:63])
            conn.execute("SET statement_timeout = 10000")
            self._migrate(conn)
        except psycopg.OperationalError as exc:
            self._went_offline()
            raise StoreUnavailable(f"the site store cannot be reached ({_safe_url(self.url)}): "
                                   f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}") \
                from exc
        except psycopg.Error as exc:
            raise StoreError(f"the site store refused this kiosk: {exc}") from exc
        self._conn = conn
        if self.offline_since is not None:
            log.warning("site store reachable again (offline since %s)", self.offline_since.isoformat())
        self.offline_since = None
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            with suppress(psycopg.Error):
                self._conn.close()
        self._conn = None

    def _went_offline(self) -> None:
        self._next_dial = self._clock() + self.retry_s
        if self.offline_since is None:
            self.offline_since = datetime.now(UTC)
            log.warning("site store unreachable; the kiosk goes on with what it has")
        self._drop()

    @staticmethod
    def _migrate(conn: psycopg.Connection) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                         " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            (current,) = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
            known = max(m.version for m in POSTGRES)
            if current > known:
                raise StoreError(f"the site store's schema is version {current}; this kiosk knows up to {known}: "
                                 "update the kiosk")
            for migration in POSTGRES:
                if migration.version > current:
                    conn.execute(migration.sql)
                    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                                 (migration.version, migration.name))
                    log.info("site store migrated to version %d (%s)", migration.version, migration.name)

    def _call(self, name: str, work: Callable[[psycopg.Connection], T], *, transaction: bool = False) -> T:
        """``work(connection)`` under the lock (in one transaction with ``transaction``). A connection that
        went stale (the server restarted since its last use) is replaced once, and the call made again: every
        call here is idempotent."""
        start = time.perf_counter()
        with self._lock:
            for attempt in (1, 2):
                reused = self._conn is not None and not self._conn.closed
                conn = self._connect()
                try:
                    if transaction:
                        with conn.transaction():
                            result = work(conn)
                    else:
                        result = work(conn)
                    break
                except psycopg.Error as exc:
                    lost = isinstance(exc, psycopg.OperationalError) or conn.closed or conn.broken
                    if not lost:
                        raise StoreError(f"the site store refused {name}: {type(exc).__name__}: {exc}") from exc
                    self._drop()
                    if reused and attempt == 1:
                        continue
                    self._went_offline()
                    raise StoreUnavailable(f"the site store failed during {name}: {type(exc).__name__}") from exc
        self.latencies.append((name, time.perf_counter() - start))
        return result

    def ping(self) -> int:
        """The schema version, after connecting (and migrating); raises when unreachable."""
        (version,) = self._call("ping", lambda c: c.execute("SELECT MAX(version) FROM schema_migrations").fetchone())
        return int(version)

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- exam attendance ------------------------------------------------------------------------------
    def _present(self, conn: psycopg.Connection, session: str, key: str) -> Attendance | None:
        row = conn.execute(f"{_SELECT} WHERE site = %s AND session = %s AND candidate_key = %s AND status = %s",
                           (self.site, session, key, AttendanceStatus.PRESENT.value)).fetchone()
        return None if row is None else _attendance(row)

    def claim_attendance(self, row: Attendance) -> Claim:
        row = replace(row, kiosk=row.kiosk or self.kiosk)

        def claim(conn: psycopg.Connection) -> Claim:
            existing = conn.execute(f"{_SELECT} WHERE checkin_id = %s", (row.checkin_id,)).fetchone()
            if existing is None:
                present = replace(row, status=AttendanceStatus.PRESENT.value, first_reference=None)
                if conn.execute(_INSERT, (self.site, *asdict(present).values())).fetchone() is not None:
                    return Claim(present)
                # refused by a unique index: the same check-in delivered at once by two paths, or a repeat
                existing = conn.execute(f"{_SELECT} WHERE checkin_id = %s", (row.checkin_id,)).fetchone()
            if existing is not None:
                stored = _attendance(existing)
                first = None if stored.status == AttendanceStatus.PRESENT else \
                    self._present(conn, row.session, row.candidate_key)
                return Claim(stored, replay=True, first=first)
            first = self._present(conn, row.session, row.candidate_key)
            repeat = replace(row, status=AttendanceStatus.DUPLICATE.value,
                             first_reference=first.reference if first else None)
            conn.execute(_INSERT, (self.site, *asdict(repeat).values()))
            return Claim(repeat, first=first)

        return self._call("claim_attendance", claim, transaction=True)

    def present(self, session: str, candidate_key: str) -> Attendance | None:
        return self._call("present", lambda conn: self._present(conn, session, candidate_key))

    def attendance(self, session: str) -> list[Attendance]:
        rows = self._call("attendance", lambda conn: conn.execute(
            f"{_SELECT} WHERE site = %s AND session = %s ORDER BY checked_in_at, stored_at",
            (self.site, session)).fetchall())
        return [_attendance(r) for r in rows]

    # -- exam roster ----------------------------------------------------------------------------------
    def save_roster(self, candidates: Sequence[Candidate]) -> int:
        def save(conn: psycopg.Connection) -> None:
            conn.execute("DELETE FROM exam_roster WHERE site = %s", (self.site,))
            with conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO exam_roster (site, {', '.join(_ROSTER)}) VALUES (%s{', %s' * len(_ROSTER)})",
                    [(self.site, i, c.sbd, c.ho_dem, c.ten, c.date_of_birth, c.birth_year_only, c.room, c.id_number,
                      c.stt, c.source, c.row) for i, c in enumerate(candidates)])

        self._call("save_roster", save, transaction=True)
        return len(candidates)

    def roster(self) -> tuple[Candidate, ...] | None:
        rows = self._call("roster", lambda conn: conn.execute(
            f"SELECT {', '.join(_ROSTER[1:])} FROM exam_roster WHERE site = %s ORDER BY position",
            (self.site,)).fetchall())
        if not rows:
            return None
        return tuple(Candidate(sbd=r[0], ho_dem=r[1], ten=r[2], date_of_birth=r[3], birth_year_only=r[4], room=r[5],
                               id_number=r[6], stt=r[7], source=r[8], row=r[9]) for r in rows)

    # -- local queue ----------------------------------------------------------------------------------
    def queue_number(self, checkin_id: str, day: str) -> tuple[int, bool]:
        """Numbers count from 1 each day for the whole site; the counter row serialises concurrent kiosks."""
        def number(conn: psycopg.Connection) -> tuple[int, bool]:
            row = conn.execute("SELECT number FROM queue_ticket WHERE checkin_id = %s", (checkin_id,)).fetchone()
            if row is not None:
                return int(row[0]), False
            (number,) = conn.execute(
                "INSERT INTO queue_counter (site, day, last) VALUES (%s, %s, 1) ON CONFLICT (site, day)"
                " DO UPDATE SET last = queue_counter.last + 1 RETURNING last", (self.site, day)).fetchone()
            inserted = conn.execute(
                "INSERT INTO queue_ticket (checkin_id, site, day, number, kiosk) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (checkin_id) DO NOTHING RETURNING number",
                (checkin_id, self.site, day, number, self.kiosk)).fetchone()
            if inserted is None:  # the same check-in numbered at this instant by another path: retry
                raise StoreUnavailable("the queue ticket was taken concurrently; retry")
            return int(number), True

        return self._call("queue_number", number, transaction=True)

    # -- airport --------------------------------------------------------------------------------------
    def add_clearance(self, clearance: Clearance) -> tuple[Clearance, bool]:
        def add(conn: psycopg.Connection) -> tuple[Clearance, bool]:
            inserted = conn.execute(
                "INSERT INTO airport_clearance (checkin_id, site, kiosk, reference, decision, flight, seat, flight_day,"
                " recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (checkin_id) DO NOTHING"
                " RETURNING checkin_id",
                (clearance.checkin_id, self.site, self.kiosk, clearance.reference, clearance.decision, clearance.flight,
                 clearance.seat, clearance.flight_day, clearance.recorded_at)).fetchone()
            if inserted is not None:
                return clearance, False
            row = conn.execute("SELECT checkin_id, reference, decision, flight, seat, flight_day, recorded_at"
                               " FROM airport_clearance WHERE checkin_id = %s", (clearance.checkin_id,)).fetchone()
            return Clearance(*row), True

        return self._call("add_clearance", add)

    # -- kiosks ---------------------------------------------------------------------------------------
    def heartbeat(self, status: KioskStatus) -> None:
        document = json.dumps(status_to_json(status))
        self._call("heartbeat", lambda conn: conn.execute(
            "INSERT INTO kiosk_status (site, kiosk, profile, status) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (site, kiosk) DO UPDATE SET profile = excluded.profile, last_seen = now(),"
            " status = excluded.status", (self.site, status.kiosk, status.profile, document)))

    def kiosks(self) -> list[KioskStatus]:
        rows = self._call("kiosks", lambda conn: conn.execute(
            "SELECT last_seen, status FROM kiosk_status WHERE site = %s ORDER BY kiosk", (self.site,)).fetchall())
        return [status_from_json(doc, seen.astimezone(UTC).isoformat(timespec="seconds")) for seen, doc in rows]
