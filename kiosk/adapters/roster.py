"""Exam rosters as schools and exam boards really send them: CSV or XLSX, Vietnamese headers.

Columns recognised (by folded header text, diacritics and spacing ignored):

=================  =====================================================================================
STT                ``STT``, ``TT``, ``Số TT``
SBD                ``SBD``, ``Số báo danh``, ``Mã thí sinh``
name, split        ``Họ đệm`` / ``Họ và tên đệm`` / ``Họ lót`` / ``Họ`` + ``Tên``
name, whole        ``Họ và tên`` / ``Họ tên`` / ``Họ và tên thí sinh`` (a whole-name header merged over two
                   columns, the second one headerless, is read as split)
birth date         ``Ngày sinh``, ``Ngày tháng năm sinh``, ``NS``: a real date, ``dd/mm/yyyy`` (also ``-`` or
                   ``.``, one-digit day/month, two-digit year), ``yyyy-mm-dd``, an Excel serial number, or a
                   year alone
room               ``Phòng thi``, ``Phòng``, ``PT``
ID number          ``CCCD``, ``Số CCCD``, ``CMND/CCCD``, ``Số định danh`` (``cá nhân``): numbers that lost
                   their leading zeros (stored as numbers) are restored to 12 digits
=================  =====================================================================================

Tolerated: title rows above the header, a byte-order mark, UTF-8 / UTF-16 / Windows-1258 text, ``,``
``;`` or tab separators, stray and non-breaking spaces, decomposed (NFD) Vietnamese, empty rows, the header
repeated on every printed page, footer rows ("Tổng số …", signatures). What cannot be read becomes a
:class:`RosterIssue` (row number and a reason, never the content); a file with no recognisable header
raises :class:`RosterError`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.names import fold, fold_compact

__all__ = ["Candidate", "Roster", "RosterError", "RosterIssue", "load_roster", "normalize_room",
           "parse_birth_date", "read_csv_roster", "read_xlsx_roster", "restore_id_number"]

ID_LENGTH = 12
_HEADER_SCAN_ROWS = 30
_EXCEL_EPOCH = date(1899, 12, 30)

# folded, space-free header → column role
_HEADERS: dict[str, str] = {}
for _role, _names in {
    "stt": ("STT", "TT", "SOTT", "SOTHUTU", "THUTU"),
    "sbd": ("SBD", "SOBAODANH", "MATHISINH", "MATS", "SOBD"),
    "ho_dem": ("HODEM", "HOVATENDEM", "HOTENDEM", "HOLOT", "HO", "HOVACHUDEM", "HOVADEM"),
    "ten": ("TEN",),
    "full_name": ("HOVATEN", "HOTEN", "HOVATENTHISINH", "HOTENTHISINH", "TENTHISINH", "HOVATENTS"),
    "dob": ("NGAYSINH", "NGAYTHANGNAMSINH", "NS", "NGAYTHANGSINH", "SINHNGAY"),
    "room": ("PHONGTHI", "PHONG", "PT", "SOPHONG", "PHONGSO", "MAPHONG", "MAPHONGTHI"),
    "id_number": ("CCCD", "SOCCCD", "CMNDCCCD", "CCCDCMND", "SOCMNDCCCD", "SOCCCDCMND", "SODINHDANH",
                  "SODINHDANHCANHAN", "MADINHDANH", "CANCUOC", "SOCANCUOC", "SOCANCUOCCONGDAN", "CMND", "SOCMND",
                  "DINHDANH"),
}.items():
    for _name in _names:
        _HEADERS[_name] = _role


class RosterError(KioskError):
    """The roster cannot be used at all (no header found, unreadable file)."""

    message_key = "exam.roster_invalid"


@dataclass(frozen=True)
class RosterIssue:
    """A row that was skipped or partly read: where and why, never what it said."""

    source: str  # file name and sheet
    row: int  # 1-based row in the file / sheet
    reason: str


@dataclass(frozen=True)
class Candidate:
    """One roster row. ``repr`` shows only the row reference; everything else is personal data."""

    sbd: str = field(repr=False)
    ho_dem: str = field(repr=False)
    ten: str = field(repr=False)
    date_of_birth: date | None = field(repr=False)
    room: str = field(repr=False)
    id_number: str | None = field(default=None, repr=False)
    stt: str = field(default="", repr=False)
    birth_year_only: bool = field(default=False, repr=False)
    source: str = ""
    row: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.ho_dem} {self.ten}".strip()

    @property
    def folded_name(self) -> str:
        return fold_compact(self.full_name)

    @property
    def key(self) -> str:
        """What identifies the candidate within an exam: the SBD, else the ID number."""
        return self.sbd or (f"ID:{self.id_number}" if self.id_number else f"ROW:{self.source}:{self.row}")


@dataclass(frozen=True)
class Roster:
    candidates: tuple[Candidate, ...]
    issues: tuple[RosterIssue, ...] = ()
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.candidates)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self.candidates)

    def by_id(self, id_number: str) -> list[Candidate]:
        return [c for c in self.candidates if c.id_number == id_number]

    def by_sbd(self, sbd: str) -> list[Candidate]:
        return [c for c in self.candidates if c.sbd == sbd]


# -- cell cleaning -------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def _text(value: object) -> str:
    """A cell as clean text: NFC, stray / non-breaking / zero-width spaces collapsed, a leading
    apostrophe (Excel's "store as text" mark) removed, integral floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    text = _SPACES.sub(" ", text).strip()
    return text[1:].strip() if text.startswith("'") else text


def _header_key(value: object) -> str:
    """``"Ngày sinh\n(dd/mm/yyyy)"`` → ``"NGAYSINH"``: folded, spaces and parenthesised notes removed."""
    return fold(re.sub(r"\([^)]*\)", " ", _text(value))).replace(" ", "")


def restore_id_number(value: object) -> str | None:
    """The 12-digit ID number from a cell: digits only; a number that lost its leading zeros (CCCD numbers
    all start with 0: province codes are 001-096) is padded back to 12 digits. ``None`` when it cannot be
    a CCCD number (empty, 9-digit old CMND, scientific notation that lost digits, letters)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = _text(value)
    if re.fullmatch(r"\d[.,]?\d*[Ee]\+?\d+", text):
        return None  # "1.23457E+11": Excel already threw digits away
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits.isdigit():
        return None
    if len(digits) == ID_LENGTH:
        return digits
    if len(digits) in (ID_LENGTH - 2, ID_LENGTH - 1):
        return digits.zfill(ID_LENGTH)
    return None


def _restore_sbd(value: object, digits: int | None) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value).replace(" ", "")
    if digits and text.isdigit() and len(text) < digits:
        return text.zfill(digits)
    return text.upper()


def parse_birth_date(value: object, *, today: date | None = None) -> tuple[date | None, bool]:
    """``(date, year_only)`` from a cell; ``(None, False)`` when it is empty or unreadable.

    Text is read day first (``dd/mm/yyyy``), as Vietnamese rosters write it; a two-digit year is taken
    as the latest year not in the future."""
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if 1900 <= number <= 2100 and number.is_integer():
            return date(int(number), 1, 1), True
        if 1 <= number < 80000:  # an Excel serial date that reached us as a number
            return _EXCEL_EPOCH + timedelta(days=int(number)), False
        return None, False
    text = _text(value)
    if not text:
        return None, False
    m = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})(?:\s+0{1,2}:0{2}(?::0{2})?)?", text)
    try:
        if m:
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if len(m.group(3)) == 2:
                now = today or date.today()
                year += 2000 if 2000 + year <= now.year else 1900
            return date(year, month, day), False
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), False
        if re.fullmatch(r"(19|20)\d{2}", text):
            return date(int(text), 1, 1), True
        if re.fullmatch(r"\d{4,5}(\.0+)?", text):
            return parse_birth_date(float(text), today=today)
    except ValueError:
        return None, False
    return None, False


def normalize_room(value: object) -> str:
    """``"Phòng 012"``, ``"012"``, ``12`` and ``"P.12"`` all give ``"12"``; other codes are folded."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    words = fold(_text(value)).split()
    while words and words[0] in {"PHONG", "THI", "PT", "P", "SO"}:
        words = words[1:]
    code = "".join(words)
    return str(int(code)) if code.isdigit() else code


# -- the table -----------------------------------------------------------------------------------------

def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    """The first row (within the first 30) naming a name column and the SBD or ID column (header texts
    must match a known spelling exactly, so a title line never passes for a header)."""
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            role = _HEADERS.get(_header_key(cell))
            if role and role not in columns:
                columns[role] = col
        has_name = "full_name" in columns or ("ten" in columns and "ho_dem" in columns)
        if has_name and ("sbd" in columns or "id_number" in columns):
            return index, columns
    return None


def _merged_name_columns(rows: Sequence[Sequence[object]], header: int, columns: dict[str, int]) -> None:
    """"Họ và tên" merged over two cells: the next column has no header but holds the given names."""
    if "full_name" not in columns or "ten" in columns:
        return
    col = columns["full_name"] + 1
    header_row = rows[header]
    if col < len(header_row) and _text(header_row[col]):
        return
    if col in columns.values():
        return
    body = rows[header + 1:header + 40]
    filled = [r for r in body if col < len(r) and _text(r[col])]
    names = [r for r in body if columns["full_name"] < len(r) and _text(r[columns["full_name"]])]
    if names and len(filled) >= len(names) // 2 and all(not any(ch.isdigit() for ch in _text(r[col]))
                                                        for r in filled):
        columns["ho_dem"] = columns.pop("full_name")
        columns["ten"] = col


def _cell(row: Sequence[object], columns: dict[str, int], role: str) -> object:
    col = columns.get(role)
    return row[col] if col is not None and col < len(row) else None


def _table(rows: Sequence[Sequence[object]], source: str, *, sbd_digits: int | None,
           today: date | None) -> tuple[list[Candidate], list[RosterIssue]]:
    found = _find_header(rows)
    if found is None:
        raise RosterError(f"{source}: no header row with a name column and an SBD or ID column was found")
    header, columns = found
    _merged_name_columns(rows, header, columns)
    header_keys = [_header_key(c) for c in rows[header]]
    candidates: list[Candidate] = []
    issues: list[RosterIssue] = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        number = index + 1
        filled = sum(1 for c in row if _text(c))
        if filled <= 1:
            continue  # empty row, or a title / footer / signature line in a single cell
        if [_header_key(c) for c in row][:len(header_keys)] == header_keys:
            continue  # the header again, on the next printed page
        if "full_name" in columns:
            words = _text(_cell(row, columns, "full_name")).split(" ")
            ho_dem, ten = " ".join(words[:-1]), words[-1]
        else:
            ho_dem, ten = _text(_cell(row, columns, "ho_dem")), _text(_cell(row, columns, "ten"))
        sbd = _restore_sbd(_cell(row, columns, "sbd"), sbd_digits)
        raw_id = _cell(row, columns, "id_number")
        id_number = restore_id_number(raw_id)
        if not ten or not (sbd or id_number):
            if ten or sbd or _text(raw_id):
                issues.append(RosterIssue(source, number, "row without a name or without an SBD / ID number"))
            continue  # a title, footer or signature line
        if _text(raw_id) and id_number is None:
            issues.append(RosterIssue(source, number, "ID number is not a 12-digit CCCD number; ignored"))
        raw_dob = _cell(row, columns, "dob")
        dob, year_only = parse_birth_date(raw_dob, today=today)
        if dob is None and _text(raw_dob):
            issues.append(RosterIssue(source, number, "birth date unreadable"))
        candidates.append(Candidate(
            sbd=sbd, ho_dem=ho_dem, ten=ten, date_of_birth=dob, room=_text(_cell(row, columns, "room")),
            id_number=id_number, stt=_text(_cell(row, columns, "stt")), birth_year_only=year_only,
            source=source, row=number))
    return candidates, issues


def _check_duplicates(candidates: Iterable[Candidate]) -> list[RosterIssue]:
    issues = []
    seen_sbd: dict[str, Candidate] = {}
    seen_id: dict[str, Candidate] = {}
    for c in candidates:
        for seen, value, what in ((seen_sbd, c.sbd, "SBD"), (seen_id, c.id_number, "ID number")):
            if not value:
                continue
            if value in seen:
                issues.append(RosterIssue(c.source, c.row, f"same {what} as row {seen[value].row}"))
            else:
                seen[value] = c
    return issues


# -- files ---------------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def _csv_rows(text: str) -> list[list[str]]:
    """Rows with the separator that finds a header (``,``, ``;`` or tab), else the most columns."""
    best: tuple[int, list[list[str]]] | None = None
    for delimiter in (",", ";", "\t"):
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
        found = _find_header(rows)
        score = (100 + len(found[1])) if found else max((len(r) for r in rows[:_HEADER_SCAN_ROWS]), default=0)
        if best is None or score > best[0]:
            best = (score, rows)
    return best[1] if best else []


def read_csv_roster(path: str | Path, *, sbd_digits: int | None = 8, today: date | None = None) -> Roster:
    path = Path(path)
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise RosterError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    try:
        rows = _csv_rows(text)
    except csv.Error as exc:
        raise RosterError(f"{path.name}: not a readable CSV file ({exc})") from exc
    candidates, issues = _table(rows, path.name, sbd_digits=sbd_digits, today=today)
    return Roster(tuple(candidates), tuple(issues + _check_duplicates(candidates)), (path.name,))


def read_xlsx_roster(path: str | Path, *, sheet: str | None = None, sbd_digits: int | None = 8,
                     today: date | None = None) -> Roster:
    """Every sheet with a recognisable header is read (one sheet per room is common), or only ``sheet``."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RosterError("reading XLSX rosters needs openpyxl") from exc
    path = Path(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException…
        raise RosterError(f"{path.name}: not a readable XLSX file ({type(exc).__name__})") from exc
    candidates: list[Candidate] = []
    issues: list[RosterIssue] = []
    sources: list[str] = []
    try:
        names = [sheet] if sheet is not None else workbook.sheetnames
        for name in names:
            if name not in workbook.sheetnames:
                raise RosterError(f"{path.name}: no sheet named {name!r}")
            rows = [list(r) for r in workbook[name].iter_rows(values_only=True)]
            source = f"{path.name}[{name}]"
            try:
                found, problems = _table(rows, source, sbd_digits=sbd_digits, today=today)
            except RosterError:
                if sheet is not None or len(names) == 1:
                    raise
                continue  # a notes or summary sheet
            candidates += found
            issues += problems
            sources.append(source)
    finally:
        workbook.close()
    if not sources:
        raise RosterError(f"{path.name}: no sheet has a header row with a name column and an SBD or ID column")
    return Roster(tuple(candidates), tuple(issues + _check_duplicates(candidates)), tuple(sources))


def load_roster(path: str | Path, *, sheet: str | None = None, sbd_digits: int | None = 8,
                today: date | None = None) -> Roster:
    """Read a roster by its file type (``.xlsx``/``.xlsm`` or anything else as CSV / text)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise RosterError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        return read_xlsx_roster(path, sheet=sheet, sbd_digits=sbd_digits, today=today)
    if path.suffix.lower() == ".xls" or magic == b"\xd0\xcf\x11\xe0":
        raise RosterError(f"{path.name}: the old Excel format (.xls) is not supported; save it as .xlsx or CSV")
    return read_csv_roster(path, sbd_digits=sbd_digits, today=today)
