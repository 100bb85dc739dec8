"""Exam-room door: is the verified card holder a candidate of this room, checking in for the first time
in this session?

``lookup`` finds the candidate on the roster (:mod:`kiosk.adapters.roster`) by the chip's ID number,
else (when the roster lacks it, and ``match_by_name`` is on) by folded name + birth date; then checks the
room (``room`` configured; ``None`` for a kiosk serving every room) and refuses a second check-in of the
same candidate in the same ``session`` (``refer`` with ``exam.already_checked_in`` and the first time).

``submit`` records attendance in a local SQLite file (WAL, synchronous=FULL), once per ``checkin_id``;
a second check-in of the same candidate is recorded as a flagged attempt and answered with
:class:`AlreadyCheckedIn` (a final :class:`UpstreamRejected`). :meth:`ExamAdapter.export_attendance`
writes the room's list (CSV or XLSX) with times and the verification result.

The database keeps candidate numbers (SBD), times and verification outcomes, no names or ID numbers;
log lines carry the check-in reference only.
"""

from __future__ import annotations

import csv
import logging
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from kiosk.adapters.base import Adapter, UpstreamRejected, UpstreamUnavailable
from kiosk.adapters.roster import Candidate, Roster, load_roster, normalize_room
from kiosk.checkin import AttendanceStatus, CheckIn, Decision, Evidence, ExamAdmission, Person, Receipt
from kiosk.names import fold_compact, same_name

__all__ = ["AlreadyCheckedIn", "Attendance", "CandidateMatch", "ExamAdapter"]

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
PRESENT = "present"
DUPLICATE = "duplicate"

_SCHEMA = """
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
"""


class AlreadyCheckedIn(UpstreamRejected):
    """This candidate already checked in for this session; ``first_time`` is ``HH:MM`` local time."""

    message_key = "exam.already_checked_in"

    def __init__(self, first_time: str, first_reference: str) -> None:
        super().__init__(f"already checked in at {first_time} (reference {first_reference})",
                         step="exam.submit", code="already_checked_in", params={"time": first_time})
        self.first_time = first_time
        self.first_reference = first_reference


@dataclass(frozen=True)
class CandidateMatch:
    """How the person was found on the roster: ``candidate`` (or ``None``), ``by`` ("id" / "name_dob"),
    and problem codes (``not_on_roster``, ``ambiguous``, ``name_differs``, ``birth_date_differs``,
    ``id_differs``) for staff."""

    candidate: Candidate | None
    by: str = ""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attendance:
    """One recorded row (present or a flagged repeat); no names, no ID numbers."""

    checkin_id: str
    reference: str
    session: str
    candidate_key: str
    sbd: str
    room: str
    status: str
    matched_by: str
    checked_in_at: str
    recorded_at: str
    access: str | None
    passive_authentication: str | None
    active_authentication: str | None
    chip_authentication: str | None
    face_match: int | None
    face_distance: float | None
    face_threshold: float | None
    liveness: str | None
    first_reference: str | None

    @property
    def time(self) -> str:
        return self.checked_in_at[11:16]


_STAFF_NOTES = {
    "not_on_roster": "not found on the roster (neither by ID number nor by name and birth date)",
    "ambiguous": "several roster rows match: check the candidate's SBD by hand",
    "name_differs": "found by ID number, but the roster name differs from the card",
    "birth_date_differs": "found by ID number, but the roster birth date differs from the card",
    "id_differs": "name and birth date match a roster row whose ID number differs from the card",
    "no_birth_date": "the card gives no birth date to match the roster by name",
}


def _same_birth_date(person: Person, candidate: Candidate) -> bool:
    if person.date_of_birth is None or candidate.date_of_birth is None:
        return False
    if person.birth_year_only or candidate.birth_year_only:
        return person.date_of_birth.year == candidate.date_of_birth.year
    return person.date_of_birth == candidate.date_of_birth


class ExamAdapter(Adapter):
    """The exam profile: ``roster``, this door's ``room`` (or ``None``), the exam ``session`` id."""

    name = "exam"

    def __init__(self, roster: Roster, *, session: str, room: str | None = None,
                 database: str | Path = ":memory:", match_by_name: bool = True,
                 timezone: str = DEFAULT_TIMEZONE, clock: Callable[[], datetime] | None = None) -> None:
        if not session.strip():
            raise ValueError("session must be a non-empty id")
        self.roster = roster
        self.session = session.strip()
        self.room = None if room is None or not str(room).strip() else str(room).strip()
        self._room_key = None if self.room is None else normalize_room(self.room)
        self.match_by_name = match_by_name
        self.tz = ZoneInfo(timezone)
        self._clock = clock or (lambda: datetime.now(self.tz))
        self._lock = threading.Lock()
        self._by_id: dict[str, list[Candidate]] = {}
        self._by_name: dict[str, list[Candidate]] = {}
        for c in roster:
            if c.id_number:
                self._by_id.setdefault(c.id_number, []).append(c)
            self._by_name.setdefault(c.folded_name, []).append(c)
        try:
            if str(database) != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(database), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise UpstreamUnavailable("the attendance database cannot be opened", step="exam.store") from exc

    @classmethod
    def from_config(cls, table: Mapping[str, object], *, base_dir: str | Path = ".",
                    clock: Callable[[], datetime] | None = None) -> ExamAdapter:
        """Build from the profile's ``[exam]`` table; relative paths are taken from ``base_dir``."""
        base = Path(base_dir)
        sbd_digits = table.get("sbd_digits", 8)
        roster = load_roster(base / str(table["roster"]), sheet=table.get("sheet"),  # type: ignore[arg-type]
                             sbd_digits=int(sbd_digits) if sbd_digits else None)  # type: ignore[call-overload]
        database = str(table.get("database", ":memory:"))
        room = table.get("room")
        return cls(roster, session=str(table["session"]), room=None if room is None else str(room),
                   database=database if database == ":memory:" else base / database,
                   match_by_name=bool(table.get("match_by_name", True)),
                   timezone=str(table.get("timezone", DEFAULT_TIMEZONE)), clock=clock)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- matching -------------------------------------------------------------------------------------

    def match(self, person: Person) -> CandidateMatch:
        rows = self._by_id.get(person.id_number, [])
        if rows:
            if len({c.key for c in rows}) > 1:
                return CandidateMatch(None, "id", ("ambiguous",))
            candidate = rows[0]
            problems = []
            if not same_name(person.full_name, candidate.full_name):
                problems.append("name_differs")
            if candidate.date_of_birth is not None and person.date_of_birth is not None \
                    and not _same_birth_date(person, candidate):
                problems.append("birth_date_differs")
            return CandidateMatch(candidate, "id", tuple(problems))
        if not self.match_by_name:
            return CandidateMatch(None, "", ("not_on_roster",))
        if person.date_of_birth is None:
            return CandidateMatch(None, "", ("not_on_roster", "no_birth_date"))
        rows = [c for c in self._by_name.get(fold_compact(person.full_name), []) if _same_birth_date(person, c)]
        if not rows:
            return CandidateMatch(None, "", ("not_on_roster",))
        if len({c.key for c in rows}) > 1:
            return CandidateMatch(None, "name_dob", ("ambiguous",))
        candidate = rows[0]
        if candidate.id_number and candidate.id_number != person.id_number:
            return CandidateMatch(candidate, "name_dob", ("id_differs",))
        return CandidateMatch(candidate, "name_dob")

    def _present(self, candidate: Candidate) -> Attendance | None:
        row = self._db.execute(
            "SELECT * FROM attendance WHERE session = ? AND candidate_key = ? AND status = ?",
            (self.session, candidate.key, PRESENT)).fetchone()
        return None if row is None else Attendance(*row)

    def _decide(self, person: Person) -> tuple[Decision, CandidateMatch]:
        found = self.match(person)
        notes = [_STAFF_NOTES[p] for p in found.problems if p in _STAFF_NOTES]
        candidate = found.candidate
        if candidate is None:
            key = "exam.ambiguous" if "ambiguous" in found.problems else "exam.not_on_roster"
            return Decision(Decision.REFER, (key,), tuple(notes)), found
        details = {"sbd": candidate.sbd, "room": candidate.room, "matched_by": found.by, "session": self.session}
        if found.problems:
            return Decision(Decision.REFER, ("exam.roster_mismatch",), tuple(notes),
                            MappingProxyType(details)), found
        if self._room_key is not None and normalize_room(candidate.room) != self._room_key:
            notes.append(f"candidate belongs to room {candidate.room or '(none on the roster)'}, "
                         f"this door is room {self.room}")
            return Decision(Decision.REFER, ("exam.wrong_room",), tuple(notes), MappingProxyType(details)), found
        with self._lock:
            try:
                first = self._present(candidate)
            except sqlite3.Error as exc:
                raise UpstreamUnavailable("the attendance database failed", step="exam.lookup") from exc
        if first is not None:
            details["checked_in_at"] = first.time
            notes.append(f"already checked in at {first.time} (reference {first.reference})")
            return Decision(Decision.REFER, ("exam.already_checked_in",), tuple(notes),
                            MappingProxyType(details), MappingProxyType({"time": first.time})), found
        if found.by == "name_dob":
            notes.append("matched by name and birth date: the roster has no ID number for this candidate")
        return Decision(Decision.CLEARED, ("exam.cleared",), tuple(notes), MappingProxyType(details)), found

    def lookup(self, person: Person, context: Mapping[str, str]) -> Decision:
        decision, _ = self._decide(person)
        return decision

    # -- submission -----------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment.astimezone(self.tz)

    @staticmethod
    def _receipt(row: Attendance, duplicate: bool) -> Receipt:
        return Receipt(row.reference, ExamAdmission(AttendanceStatus(row.status), row.room, row.sbd, row.time),
                       duplicate=duplicate)

    def submit(self, checkin: CheckIn) -> Receipt:
        found = self.match(checkin.person)
        candidate = found.candidate
        if candidate is None or found.problems:
            raise UpstreamRejected("the candidate does not match the roster", step="exam.submit",
                                   code=(found.problems or ("not_on_roster",))[0])
        if self._room_key is not None and normalize_room(candidate.room) != self._room_key:
            raise UpstreamRejected("the candidate belongs to another room", step="exam.submit", code="wrong_room")
        reference = f"EX-{checkin.checkin_id[:12].upper()}"
        ev: Evidence = checkin.evidence
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    row = self._db.execute("SELECT * FROM attendance WHERE checkin_id = ?",
                                           (checkin.checkin_id,)).fetchone()
                    if row is not None:  # the outbox delivered this check-in before
                        self._db.execute("COMMIT")
                        existing = Attendance(*row)
                        if existing.status == DUPLICATE:
                            first = self._present(candidate)
                            raise AlreadyCheckedIn(first.time if first else existing.time,
                                                   existing.first_reference or existing.reference)
                        return self._receipt(existing, duplicate=True)
                    first = self._present(candidate)
                    status = PRESENT if first is None else DUPLICATE
                    values = (checkin.checkin_id, reference, self.session, candidate.key, candidate.sbd,
                              candidate.room, status, found.by,
                              self._local(checkin.created_at).isoformat(timespec="seconds"),
                              self._local(self._clock()).isoformat(timespec="seconds"),
                              ev.access, ev.passive_authentication, ev.active_authentication, ev.chip_authentication,
                              None if ev.face_match is None else int(ev.face_match), ev.face_distance,
                              ev.face_threshold, ev.liveness, None if first is None else first.reference)
                    self._db.execute(f"INSERT INTO attendance VALUES ({', '.join('?' * len(values))})", values)
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise UpstreamUnavailable("the attendance database failed", step="exam.submit") from exc
        row_now = Attendance(*values)
        if first is not None:
            log.warning("exam check-in ref=%s flagged: already checked in (first ref=%s)", reference, first.reference)
            raise AlreadyCheckedIn(first.time, first.reference)
        log.info("exam check-in ref=%s recorded", reference)
        return self._receipt(row_now, duplicate=False)

    # -- export ---------------------------------------------------------------------------------------

    def attendance(self, session: str | None = None) -> list[Attendance]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM attendance WHERE session = ? ORDER BY checked_in_at, rowid",
                                    (session or self.session,)).fetchall()
        return [Attendance(*r) for r in rows]

    EXPORT_COLUMNS = ("STT", "SBD", "Họ đệm", "Tên", "Ngày sinh", "Phòng thi", "Buổi thi", "Trạng thái",
                      "Giờ điểm danh", "Đối chiếu", "Truy cập chip", "Xác thực thụ động", "Xác thực chủ động",
                      "Khuôn mặt", "Khoảng cách", "Ngưỡng", "Kiểm tra người thật", "Điểm danh lặp", "Mã tham chiếu")

    def _export_rows(self, session: str | None) -> list[list[object]]:
        records = self.attendance(session)
        present = {r.candidate_key: r for r in records if r.status == PRESENT}
        repeats: dict[str, list[Attendance]] = {}
        for r in records:
            if r.status == DUPLICATE:
                repeats.setdefault(r.candidate_key, []).append(r)
        in_scope = [c for c in self.roster
                    if self._room_key is None or normalize_room(c.room) == self._room_key]
        rows: list[list[object]] = []
        for c in in_scope:
            r = present.get(c.key)
            again = ", ".join(x.time for x in repeats.get(c.key, []))
            face = "" if r is None or r.face_match is None else ("khớp" if r.face_match else "không khớp")
            rows.append([
                c.stt, c.sbd, c.ho_dem, c.ten, c.date_of_birth, c.room, session or self.session,
                "Có mặt" if r else "Vắng", r.checked_in_at[11:19] if r else "",
                {"id": "Số CCCD", "name_dob": "Họ tên + ngày sinh"}.get(r.matched_by, "") if r else "",
                r.access if r else "", r.passive_authentication if r else "", r.active_authentication if r else "",
                face, r.face_distance if r else None, r.face_threshold if r else None,
                r.liveness if r else "", again, r.reference if r else "",
            ])
        return rows

    def export_attendance(self, path: str | Path, format: str = "csv", *, session: str | None = None) -> Path:
        """Write the room's attendance (every roster candidate in scope, present or absent) to ``path``.

        CSV is UTF-8 with a byte-order mark (Excel shows Vietnamese correctly), dates ``dd/mm/yyyy``;
        XLSX keeps SBD as text and birth dates as real dates."""
        path = Path(path)
        rows = self._export_rows(session)
        if format == "csv":
            with open(path, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(self.EXPORT_COLUMNS)
                for row in rows:
                    writer.writerow(["" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, date) else v
                                     for v in row])
        elif format == "xlsx":
            import openpyxl

            workbook = openpyxl.Workbook()
            sheet = workbook.active
            sheet.title = "Điểm danh"
            sheet.append(list(self.EXPORT_COLUMNS))
            for row in rows:
                sheet.append(row)
                cell = sheet.cell(row=sheet.max_row, column=5)
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
                sheet.cell(row=sheet.max_row, column=2).number_format = "@"
            workbook.save(path)
        else:
            raise ValueError("format must be 'csv' or 'xlsx'")
        log.info("exam attendance exported: %d rows", len(rows))
        return path
