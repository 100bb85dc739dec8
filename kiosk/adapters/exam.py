"""Exam-room door: is the verified card holder a candidate of this room, checking in for the first time
in this session?

``lookup`` finds the candidate on the roster (:mod:`kiosk.adapters.roster`) by the chip's ID number,
else (when the roster lacks it, and ``match_by_name`` is on) by folded name + birth date; then checks the
room (``room`` configured; ``None`` for a kiosk serving every room) and refuses a second check-in of the
same candidate in the same ``session`` (``refer`` with ``exam.already_checked_in`` and the first time).

``submit`` records attendance in the site store (:mod:`kiosk.store`): this kiosk's SQLite file (WAL,
synchronous=FULL) on its own, or the site's PostgreSQL shared by every kiosk of the site, once per
``checkin_id``; the database's unique index admits one present row per candidate and session, and a second
check-in is recorded as a flagged attempt and answered with :class:`AlreadyCheckedIn` (a final
:class:`UpstreamRejected`). :meth:`ExamAdapter.export_attendance` writes the room's list (CSV or XLSX)
with times, the verification result, and notes on repeats and unconfirmed check-ins.

Attendance keeps candidate numbers (SBD), times and verification outcomes, no names or ID numbers;
log lines carry the check-in reference only.
"""

from __future__ import annotations

import csv
import logging
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
from kiosk.store.base import SiteStore, StoreError, StoreUnavailable
from kiosk.store.records import Attendance
from kiosk.store.sqlite import SqliteStore

__all__ = ["AlreadyCheckedIn", "Attendance", "CandidateMatch", "ExamAdapter"]

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
PRESENT = AttendanceStatus.PRESENT
DUPLICATE = AttendanceStatus.DUPLICATE


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


def _notes(present: Attendance | None, repeats: list[Attendance]) -> list[str]:
    """The export's notes for staff: check-ins the site store has not confirmed, repeats found when an
    offline kiosk's check-ins reached it."""
    notes = []
    if present is not None and not present.confirmed:
        notes.append(f"chưa xác nhận với máy chủ điểm thi (máy {present.kiosk or 'này'})")
    for r in repeats:
        if r.reconciled:
            notes.append(f"điểm danh lặp phát hiện khi đối soát (máy {r.kiosk or '?'} lúc {r.time})")
    return notes


class ExamAdapter(Adapter):
    """The exam profile: ``roster``, this door's ``room`` (or ``None``), the exam ``session`` id."""

    name = "exam"

    def __init__(self, roster: Roster, *, session: str, room: str | None = None,
                 database: str | Path = ":memory:", match_by_name: bool = True,
                 timezone: str = DEFAULT_TIMEZONE, clock: Callable[[], datetime] | None = None,
                 store: SiteStore | None = None) -> None:
        if not session.strip():
            raise ValueError("session must be a non-empty id")
        self.roster = roster
        self.session = session.strip()
        self.room = None if room is None or not str(room).strip() else str(room).strip()
        self._room_key = None if self.room is None else normalize_room(self.room)
        self.match_by_name = match_by_name
        self.tz = ZoneInfo(timezone)
        self._clock = clock or (lambda: datetime.now(self.tz))
        self._by_id: dict[str, list[Candidate]] = {}
        self._by_name: dict[str, list[Candidate]] = {}
        for c in roster:
            if c.id_number:
                self._by_id.setdefault(c.id_number, []).append(c)
            self._by_name.setdefault(c.folded_name, []).append(c)
        if store is None:
            try:
                store = SqliteStore(database)
            except StoreUnavailable as exc:
                raise UpstreamUnavailable("the attendance database cannot be opened", step="exam.store") from exc
        self.store = store

    @classmethod
    def from_config(cls, table: Mapping[str, object], *, base_dir: str | Path = ".",
                    clock: Callable[[], datetime] | None = None, store: SiteStore | None = None) -> ExamAdapter:
        """Build from the profile's ``[exam]`` table; relative paths are taken from ``base_dir``.

        With a site ``store`` holding an imported roster, that roster is used (its cached copy while the
        store is offline); otherwise the roster file is read."""
        base = Path(base_dir)
        imported = None
        if store is not None:
            try:
                imported = store.roster()
            except (StoreUnavailable, StoreError) as exc:
                log.warning("the site store's roster cannot be read (%s); reading the roster file", exc)
        if imported:
            roster = Roster(tuple(imported), sources=("site store",))
        else:
            sbd_digits = table.get("sbd_digits", 8)
            roster = load_roster(base / str(table["roster"]), sheet=table.get("sheet"),  # type: ignore[arg-type]
                                 sbd_digits=int(sbd_digits) if sbd_digits else None)  # type: ignore[call-overload]
        database = str(table.get("database", ":memory:"))
        room = table.get("room")
        return cls(roster, session=str(table["session"]), room=None if room is None else str(room),
                   database=database if database == ":memory:" else base / database,
                   match_by_name=bool(table.get("match_by_name", True)),
                   timezone=str(table.get("timezone", DEFAULT_TIMEZONE)), clock=clock, store=store)

    def close(self) -> None:
        self.store.close()

    def reconcile(self):
        """Push check-ins recorded while the site store was offline (see :mod:`kiosk.store.offline`)."""
        reconcile = getattr(self.store, "reconcile", None)
        return reconcile() if reconcile is not None else None

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

    def _present(self, candidate: Candidate, step: str) -> Attendance | None:
        try:
            return self.store.present(self.session, candidate.key)
        except (StoreUnavailable, StoreError) as exc:
            raise UpstreamUnavailable("the attendance database failed", step=step) from exc

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
        first = self._present(candidate, "exam.lookup")
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
        row = Attendance(
            checkin.checkin_id, reference, self.session, candidate.key, candidate.sbd, candidate.room, PRESENT,
            found.by, self._local(checkin.created_at).isoformat(timespec="seconds"),
            self._local(self._clock()).isoformat(timespec="seconds"), ev.access, ev.passive_authentication,
            ev.active_authentication, ev.chip_authentication, None if ev.face_match is None else int(ev.face_match),
            ev.face_distance, ev.face_threshold, ev.liveness)
        try:
            claim = self.store.claim_attendance(row)
        except (StoreUnavailable, StoreError) as exc:
            raise UpstreamUnavailable("the attendance database failed", step="exam.submit") from exc
        stored = claim.stored
        if stored.status == DUPLICATE:
            first_time = claim.first.time if claim.first else stored.time
            first_reference = stored.first_reference or stored.reference
            if not claim.replay:
                log.warning("exam check-in ref=%s flagged: already checked in (first ref=%s)", stored.reference,
                            first_reference)
            raise AlreadyCheckedIn(first_time, first_reference)
        if not claim.replay:
            log.info("exam check-in ref=%s recorded%s", stored.reference,
                     "" if stored.confirmed else " on this kiosk (site store offline)")
        return self._receipt(stored, duplicate=claim.replay)

    # -- export ---------------------------------------------------------------------------------------

    def attendance(self, session: str | None = None) -> list[Attendance]:
        """The session's rows: every kiosk's with a site store (this kiosk's while it is offline)."""
        try:
            return self.store.attendance(session or self.session)
        except (StoreUnavailable, StoreError) as exc:
            raise UpstreamUnavailable("the attendance database failed", step="exam.attendance") from exc

    EXPORT_COLUMNS = ("STT", "SBD", "Họ đệm", "Tên", "Ngày sinh", "Phòng thi", "Buổi thi", "Trạng thái",
                      "Giờ điểm danh", "Đối chiếu", "Truy cập chip", "Xác thực thụ động", "Xác thực chủ động",
                      "Khuôn mặt", "Khoảng cách", "Ngưỡng", "Kiểm tra người thật", "Điểm danh lặp", "Mã tham chiếu",
                      "Ghi chú")

    def _export_rows(self, session: str | None) -> list[list[object]]:
        """One row per roster candidate in scope (present or absent); repeats and unconfirmed check-ins are
        noted, never dropped."""
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
                "; ".join(_notes(r, repeats.get(c.key, []))),
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
