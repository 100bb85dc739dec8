"""Exam rosters as schools and exam boards really send them: CSV or XLSX, Vietnamese headers
(docs/rosters.md, with its sources).

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

import contextlib
import csv
import io
import itertools
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.adapters.roster_cells import (
    cell_text,
    header_key,
    normalize_room,
    parse_birth_date,
    restore_id_number,
    restore_sbd,
)
from kiosk.errors import KioskError
from kiosk.files import FileRefused, read_at_most
from kiosk.names import fold_compact

__all__ = ["Candidate", "Roster", "RosterError", "RosterIssue", "load_roster", "normalize_room",
           "parse_birth_date", "parse_csv_roster", "parse_roster", "parse_xlsx_roster", "read_csv_roster",
           "read_xlsx_roster", "restore_id_number"]

_HEADER_SCAN_ROWS = 30

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


# -- the table -----------------------------------------------------------------------------------------

def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    """The first row (within the first 30) naming a name column and the SBD or ID column (header texts
    must match a known spelling exactly, so a title line never passes for a header)."""
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            role = _HEADERS.get(header_key(cell))
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
    if col < len(header_row) and cell_text(header_row[col]):
        return
    if col in columns.values():
        return
    body = rows[header + 1:header + 40]
    filled = [r for r in body if col < len(r) and cell_text(r[col])]
    names = [r for r in body if columns["full_name"] < len(r) and cell_text(r[columns["full_name"]])]
    if names and len(filled) >= len(names) // 2 and all(not any(ch.isdigit() for ch in cell_text(r[col]))
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
    header_keys = [header_key(c) for c in rows[header]]
    candidates: list[Candidate] = []
    issues: list[RosterIssue] = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        number = index + 1
        filled = sum(1 for c in row if cell_text(c))
        if filled <= 1:
            continue  # empty row, or a title / footer / signature line in a single cell
        if [header_key(c) for c in row][:len(header_keys)] == header_keys:
            continue  # the header again, on the next printed page
        if "full_name" in columns:
            words = cell_text(_cell(row, columns, "full_name")).split(" ")
            ho_dem, ten = " ".join(words[:-1]), words[-1]
        else:
            ho_dem, ten = cell_text(_cell(row, columns, "ho_dem")), cell_text(_cell(row, columns, "ten"))
        sbd = restore_sbd(_cell(row, columns, "sbd"), sbd_digits)
        raw_id = _cell(row, columns, "id_number")
        id_number = restore_id_number(raw_id)
        if not ten or not (sbd or id_number):
            if ten or sbd or cell_text(raw_id):
                issues.append(RosterIssue(source, number, "row without a name or without an SBD / ID number"))
            continue  # a title, footer or signature line
        if cell_text(raw_id) and id_number is None:
            issues.append(RosterIssue(source, number, "ID number is not a 12-digit CCCD number; ignored"))
        raw_dob = _cell(row, columns, "dob")
        dob, year_only = parse_birth_date(raw_dob, today=today)
        if dob is None and cell_text(raw_dob):
            issues.append(RosterIssue(source, number, "birth date unreadable"))
        candidates.append(Candidate(
            sbd=sbd, ho_dem=ho_dem, ten=ten, date_of_birth=dob, room=cell_text(_cell(row, columns, "room")),
            id_number=id_number, stt=cell_text(_cell(row, columns, "stt")), birth_year_only=year_only,
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
# A roster is staff's file, yet it is read on a kiosk in a public hall: whatever its bytes, reading it ends
# in a Roster or a RosterError, within bounds (file size, rows and columns read, XLSX content unpacked).

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # per CSV file or XLSX sheet (a THPT exam site has a few thousand candidates)
MAX_COLUMNS = 64
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
# what openpyxl and the zip / XML layers below it raise for a malformed workbook (ElementTree's ParseError
# is a SyntaxError; zlib.error and BadZipFile are their own; zipfile raises NotImplementedError for an
# unknown compression method and RuntimeError for an encrypted member)
_XLSX_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, SyntaxError,
                EOFError, OSError, NotImplementedError, RuntimeError, zipfile.BadZipFile, zlib.error)


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RosterError(f"{source}: begins as UTF-16 text but is not valid UTF-16 "
                              f"(byte {exc.start})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def _csv_rows(text: str) -> list[list[str]]:
    """Rows with the separator that finds a header (``,``, ``;`` or tab), else the most columns."""
    best: tuple[int, list[list[str]]] | None = None
    for delimiter in (",", ";", "\t"):
        rows = [row[:MAX_COLUMNS] for row in itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter),
                                                                MAX_ROWS + 1)]
        found = _find_header(rows)
        score = (100 + len(found[1])) if found else max((len(r) for r in rows[:_HEADER_SCAN_ROWS]), default=0)
        if best is None or score > best[0]:
            best = (score, rows)
    return best[1] if best else []


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refused with a RosterError when it is not a readable file of bounded size."""
    try:
        return read_at_most(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise RosterError(f"{path.name}: {exc}") from exc


def parse_csv_roster(data: bytes, source: str = "roster.csv", *, sbd_digits: int | None = 8,
                     today: date | None = None) -> Roster:
    """A CSV / text roster from its bytes; raises only :class:`RosterError`."""
    text = _decode(bytes(data), source)
    try:
        rows = _csv_rows(text)
    except csv.Error as exc:
        raise RosterError(f"{source}: not a readable CSV file ({exc})") from exc
    if len(rows) > MAX_ROWS:
        raise RosterError(f"{source}: more than {MAX_ROWS} rows, not a roster")
    candidates, issues = _table(rows, source, sbd_digits=sbd_digits, today=today)
    return Roster(tuple(candidates), tuple(issues + _check_duplicates(candidates)), (source,))


def read_csv_roster(path: str | Path, *, sbd_digits: int | None = 8, today: date | None = None) -> Roster:
    path = Path(path)
    return parse_csv_roster(_read_bytes(path), path.name, sbd_digits=sbd_digits, today=today)


def _sheet_rows(workbook, name: str, source: str) -> list[list[object]]:
    rows: list[list[object]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in workbook[name].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            if len(rows) == MAX_ROWS:
                raise RosterError(f"{source}: more than {MAX_ROWS} rows, not a roster")
            rows.append(list(row))
    return rows


def _open_workbook(data: bytes, source: str):
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RosterError("reading XLSX rosters needs openpyxl") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise RosterError(f"{source}: unpacks to {unpacked // 2**20} MB, not a roster")
        with warnings.catch_warnings():  # openpyxl warns on stderr about what it repairs
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (*_XLSX_ERRORS, InvalidFileException) as exc:
        raise RosterError(f"{source}: not a readable XLSX file ({type(exc).__name__})") from exc


def parse_xlsx_roster(data: bytes, source: str = "roster.xlsx", *, sheet: str | None = None,
                      sbd_digits: int | None = 8, today: date | None = None) -> Roster:
    """Every sheet with a recognisable header is read (one sheet per room is common), or only ``sheet``.
    From the workbook's bytes; raises only :class:`RosterError`."""
    workbook = _open_workbook(bytes(data), source)
    candidates: list[Candidate] = []
    issues: list[RosterIssue] = []
    sources: list[str] = []
    try:
        names = [sheet] if sheet is not None else workbook.sheetnames
        for name in names:
            if name not in workbook.sheetnames:
                raise RosterError(f"{source}: no sheet named {name!r}")
            where = f"{source}[{name}]"
            try:
                rows = _sheet_rows(workbook, name, where)
            except _XLSX_ERRORS as exc:  # the sheet's XML is malformed
                raise RosterError(f"{where}: the sheet cannot be read ({type(exc).__name__})") from exc
            try:
                found, problems = _table(rows, where, sbd_digits=sbd_digits, today=today)
            except RosterError:
                if sheet is not None or len(names) == 1:
                    raise
                continue  # a notes or summary sheet
            candidates += found
            issues += problems
            sources.append(where)
    finally:
        with contextlib.suppress(*_XLSX_ERRORS):
            workbook.close()
    if not sources:
        raise RosterError(f"{source}: no sheet has a header row with a name column and an SBD or ID column")
    return Roster(tuple(candidates), tuple(issues + _check_duplicates(candidates)), tuple(sources))


def read_xlsx_roster(path: str | Path, *, sheet: str | None = None, sbd_digits: int | None = 8,
                     today: date | None = None) -> Roster:
    path = Path(path)
    return parse_xlsx_roster(_read_bytes(path), path.name, sheet=sheet, sbd_digits=sbd_digits, today=today)


def parse_roster(data: bytes, source: str = "roster", *, sheet: str | None = None, sbd_digits: int | None = 8,
                 today: date | None = None) -> Roster:
    """A roster from its bytes, by content and name: XLSX (a zip), the old .xls (refused), else CSV / text."""
    data = bytes(data)
    suffix = Path(source).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        return parse_xlsx_roster(data, source, sheet=sheet, sbd_digits=sbd_digits, today=today)
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(f"{source}: the old Excel format (.xls) is not supported; save it as .xlsx or CSV")
    return parse_csv_roster(data, source, sbd_digits=sbd_digits, today=today)


def load_roster(path: str | Path, *, sheet: str | None = None, sbd_digits: int | None = 8,
                today: date | None = None) -> Roster:
    """Read a roster by its file type (``.xlsx``/``.xlsm`` or anything else as CSV / text)."""
    path = Path(path)
    return parse_roster(_read_bytes(path), path.name, sheet=sheet, sbd_digits=sbd_digits, today=today)
