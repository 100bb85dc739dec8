"""Whatever a roster file holds, reading it ends in a Roster or a RosterError: never a decoder's own error,
never an unbounded read. Seeded from well-formed CSV and XLSX rosters built here."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.adapters import roster
from kiosk.adapters.roster import RosterError, load_roster, parse_csv_roster, parse_roster, parse_xlsx_roster

HEADER = ["STT", "Số báo danh", "Họ đệm", "Tên", "Ngày sinh", "Phòng thi", "Số CCCD"]
ROWS = [[1, "01000123", "Nguyễn Thị", "An", date(2003, 5, 14), "012", "001303004567"],
        [2, 1000124, "Trần Văn", "Bình", "02/09/2003", 12, 1303001111]]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_XLSX = xlsx_bytes([HEADER, *ROWS])
GOOD_CSV = ";".join(HEADER).encode() + b"\n1;01000123;Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b;An;14/05/2003;012;001303004567\n"
with zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as _zip:
    PARTS = {name: _zip.read(name) for name in _zip.namelist()}
SHEET = "xl/worksheets/sheet1.xml"


def rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def read(data: bytes, name: str) -> roster.Roster | None:
    try:
        return parse_roster(data, name, today=date(2025, 6, 1))
    except RosterError as exc:
        assert exc.message_key == "exam.roster_invalid"
        return None


def test_the_seeds_are_rosters() -> None:
    assert len(parse_xlsx_roster(GOOD_XLSX)) == 2 and len(parse_csv_roster(GOOD_CSV)) == 1


@pytest.mark.parametrize("data", [b"\xff\xfe\xff", b"\xfe\xff\xd8",
                                  b"\xff\xfe" + "\ud800".encode("utf-16-le", "surrogatepass")])
def test_broken_utf16_is_a_roster_error(data: bytes) -> None:
    with pytest.raises(RosterError, match="not valid UTF-16"):
        parse_roster(data, "ds.csv")


@pytest.mark.parametrize("xml", [
    b"<worksheet><sheetData><row><c r=", b"\x00\x01",  # ParseError
    PARTS[SHEET].replace(b"<v>1</v>", b"<v>x</v>", 1),  # ValueError (a number that is not one)
    PARTS[SHEET].replace(b'r="A2" t="n"', b'r="A2" t="d"', 1),  # ValueError (a date that is not one)
    PARTS[SHEET].replace(b'<row r="2"', b'<row r="x"', 1),  # ValueError (a row number that is not one)
])
def test_malformed_sheet_xml_is_a_roster_error(xml: bytes) -> None:
    with pytest.raises(RosterError):
        parse_xlsx_roster(rezip({**PARTS, SHEET: xml}), "ds.xlsx")


@pytest.mark.parametrize(("method", "flags"), [(99, 0), (8, 1)])  # an unknown compression method; encrypted
def test_a_zip_member_that_cannot_be_unpacked_is_a_roster_error(method: int, flags: int) -> None:
    data = bytearray(GOOD_XLSX)
    at = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 1)  # the second central directory entry
    data[at + 8:at + 12] = flags.to_bytes(2, "little") + method.to_bytes(2, "little")
    local = int.from_bytes(data[at + 42:at + 46], "little")
    data[local + 6:local + 10] = flags.to_bytes(2, "little") + method.to_bytes(2, "little")
    with pytest.raises(RosterError):
        parse_xlsx_roster(bytes(data))


@given(st.binary(max_size=2000), st.sampled_from(["ds.csv", "ds.xlsx", "ds.txt", "ds.xls"]))
@settings(max_examples=300, deadline=None)
def test_any_bytes_are_a_roster_or_a_roster_error(data: bytes, name: str) -> None:
    read(data, name)


_CELL = st.one_of(st.text(max_size=15), st.sampled_from(["01/02/2003", "31/02/2003", "١٢/٠٥/٢٠٠٣", "1.2E+11",
                                                          "001303004567", "²²²303004567", "'0123", "99999",
                                                          "Phòng ²", "\ufeff", "\x00"]))


@given(st.lists(st.lists(_CELL, max_size=9), max_size=12), st.sampled_from([",", ";", "\t"]),
       st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
@settings(max_examples=300, deadline=None)
def test_any_csv_table_under_a_real_header_is_read_or_refused(rows: list[list[str]], sep: str, codec: str) -> None:
    text = "\n".join(sep.join(row) for row in [HEADER, *rows])
    read(text.encode(codec, "surrogatepass"), "ds.csv")


@given(st.lists(st.tuples(st.integers(0, len(PARTS[SHEET])), st.integers(0, 12),
                          st.sampled_from([b"<", b">", b"\"", b"&", b"&#0;", b"\x00", b"t=\"s\"", b"t=\"d\"",
                                           b"t=\"b\"", b"t=\"e\"", b"<v>-1</v>", b"<v>1e999</v>", b"<v>nan</v>",
                                           b"r=\"ZZZZ99999999\"", b"<row r=\"0\">", b"</row>", b"<c>", b""])),
                min_size=1, max_size=6),
       st.sampled_from([SHEET, SHEET, SHEET, "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                        "xl/_rels/workbook.xml.rels"]))
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_xlsx_parts_are_read_or_refused(edits: list[tuple[int, int, bytes]], part: str) -> None:
    data = bytearray(PARTS[part])
    for at, cut, insert in edits:
        at = min(at, len(data))
        data[at:at + cut] = insert
    read(rezip({**PARTS, part: bytes(data)}), "ds.xlsx")


# -- bounds --------------------------------------------------------------------------------------------

def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 100)
    path = tmp_path / "ds.csv"
    path.write_bytes(GOOD_CSV * 10)
    with pytest.raises(RosterError, match="larger than"):
        load_roster(path)


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_XLSX_UNPACKED", 1000)
    with pytest.raises(RosterError, match="unpacks to"):
        parse_xlsx_roster(GOOD_XLSX)


def test_rows_beyond_the_cap_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_ROWS", 2)
    with pytest.raises(RosterError, match="more than 2 rows"):
        parse_xlsx_roster(GOOD_XLSX)
    with pytest.raises(RosterError, match="more than 2 rows"):
        parse_csv_roster(GOOD_CSV + b"2;01000124;A;B;01/01/2003;012;\n")


def test_a_folder_or_an_unreadable_file_is_a_roster_error(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="not a file"):
        load_roster(tmp_path)
    locked = tmp_path / "ds.csv"
    locked.write_bytes(GOOD_CSV)
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        pytest.skip("running as root: a mode-000 file is still readable (tests/kiosk/test_cli_hostile.py "
                    "covers it without root's file-access capabilities)")
    with pytest.raises(RosterError, match="cannot be read"):
        load_roster(locked)
