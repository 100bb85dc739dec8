"""Rosters with the formatting real exam boards send: built here in tmp_path, never committed."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from kiosk.adapters.roster import (
    RosterError,
    load_roster,
    normalize_room,
    parse_birth_date,
    read_csv_roster,
    restore_id_number,
)
from kiosk.messages import _catalogue
from kiosk.names import fold

TODAY = date(2025, 6, 1)


def _cp1258(text: str) -> bytes:
    """Windows-1258 as old Vietnamese Windows software writes it: base letters with their shape marks
    precomposed (â ê ô ơ ư ă đ), tone marks as combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        for mark in [m for m in marks if m in "\u0302\u0306\u031b"]:
            base = unicodedata.normalize("NFC", base + mark)
        out.append(base + "".join(m for m in marks if m not in "\u0302\u0306\u031b"))
    return "".join(out).encode("cp1258")


CSV_SEMICOLON = (
    "\ufeffSỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NỘI;;;;;;\r\n"
    "DANH SÁCH THÍ SINH DỰ THI TỐT NGHIỆP THPT NĂM 2025;;;;;;\r\n"
    "Điểm thi: THPT Chu Văn An;;;;;;\r\n"
    ";;;;;;\r\n"
    " STT ; Số báo danh ;Họ và tên;  Ngày sinh ;Phòng thi;Số CCCD;Ghi chú\r\n"
    "1;01000123;  Nguyễn   Văn An ;05/03/2007;012;1090012345;\r\n"
    "2;1000124;Trần\u00a0Thị Bích Ngọc;5/3/2007;12;'001307012346;\r\n"
    ";;;;;;\r\n"
    "3;01000125;Lê Hoàng Phúc;2007-11-30;Phòng 12;;vắng thi môn 1\r\n"
    "STT;Số báo danh;Họ và tên;Ngày sinh;Phòng thi;Số CCCD;Ghi chú\r\n"
    "4;01000126;Phạm Thị Quỳnh;31.12.2006;012;38307001234;\r\n"
    "5;01000127;Đỗ Minh;30/02/2007;012;1.23457E+11;\r\n"
    ";;;;;;\r\n"
    "Tổng số thí sinh: 5;;;;;;\r\n"
    ";;Người lập danh sách;;;;\r\n"
)


def test_csv_with_title_rows_semicolons_bom_and_lost_zeros(tmp_path: Path) -> None:
    path = tmp_path / "danh_sach.csv"
    path.write_text(CSV_SEMICOLON, encoding="utf-8")
    roster = load_roster(path, today=TODAY)
    assert [c.sbd for c in roster] == ["01000123", "01000124", "01000125", "01000126", "01000127"]
    first, second, third, fourth, fifth = roster
    assert (first.ho_dem, first.ten, first.stt) == ("Nguyễn Văn", "An", "1")
    assert first.id_number == "001090012345"  # 10 digits: two leading zeros restored
    assert second.full_name == "Trần Thị Bích Ngọc"  # NBSP collapsed
    assert second.id_number == "001307012346"  # Excel's text mark removed
    assert third.id_number is None and third.date_of_birth == date(2007, 11, 30)
    assert fourth.id_number == "038307001234" and fourth.date_of_birth == date(2006, 12, 31)
    assert [c.date_of_birth for c in (first, second)] == [date(2007, 3, 5)] * 2
    assert fifth.id_number is None and fifth.date_of_birth is None  # 30 February, scientific notation
    assert {c.room for c in roster} == {"012", "12", "Phòng 12"}
    assert {normalize_room(c.room) for c in roster} == {"12"}
    reasons = sorted(i.reason for i in roster.issues)
    assert reasons == ["ID number is not a 12-digit CCCD number; ignored", "birth date unreadable"]
    assert all(i.row == 12 for i in roster.issues)


def test_repr_of_a_candidate_shows_no_personal_data(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(CSV_SEMICOLON, encoding="utf-8")
    text = repr(load_roster(path, today=TODAY))
    for secret in ("Nguyễn", "01000123", "001090012345", "2007"):
        assert secret not in text


def test_csv_comma_split_names_headers_without_diacritics(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text(
        "TT,SBD,Ho dem,Ten,Ngay sinh,Phong thi,CCCD\n"
        "1,28001001,Nguyen Thi,Hoa,01/09/2007,001,038307009999\n"
        '2,28001002,"Vu Duc ",Anh,"15/10/2007 00:00:00",001,""\n'
        "\n\n",
        encoding="utf-8")
    roster = read_csv_roster(path)
    assert [(c.ho_dem, c.ten, c.id_number) for c in roster] == [("Nguyen Thi", "Hoa", "038307009999"),
                                                                 ("Vu Duc", "Anh", None)]
    assert roster.candidates[1].date_of_birth == date(2007, 10, 15)


def test_headers_with_line_breaks_and_notes_in_parentheses(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('"Số báo danh\n(SBD)","Họ và tên\nthí sinh","Ngày sinh\n(dd/mm/yyyy)"\n'
                    '01000001,Vũ Thị Hà,09/09/2007\n', encoding="utf-8")
    (c,) = load_roster(path)
    assert (c.sbd, c.full_name, c.date_of_birth) == ("01000001", "Vũ Thị Hà", date(2007, 9, 9))


def test_csv_utf16_tabs_as_excel_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    text = ("Danh sách phòng 03\n"
            "STT\tSBD\tHọ đệm\tTên\tNgày sinh\tPhòng thi\tSố định danh cá nhân\n"
            "1\t01000200\tBùi Thị\tLan\t12/12/2007\t003\t001307000200\n")
    path.write_bytes(text.encode("utf-16"))
    (c,) = load_roster(path)
    assert (c.ho_dem, c.ten, c.id_number, c.room) == ("Bùi Thị", "Lan", "001307000200", "003")


def test_csv_windows_1258_with_combining_tones(tmp_path: Path) -> None:
    path = tmp_path / "cu.csv"
    path.write_bytes(_cp1258("STT,Số báo danh,Họ đệm,Tên,Ngày sinh,Phòng thi\n1,01000300,Nguyễn Thị,Hường,"
                             "01/01/2007,5\n"))
    (c,) = load_roster(path)
    assert c.full_name == "Nguyễn Thị Hường"  # recomposed to NFC
    assert c.sbd == "01000300" and c.id_number is None


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phòng 12"
    ws.append(["HỘI ĐỒNG THI SỞ GD&ĐT HÀ NỘI"])
    ws.merge_cells("A1:G1")
    ws.append(["DANH SÁCH THÍ SINH", None, None, None, None, None, None])
    ws.append([])
    ws.append(["Phòng thi số: 012"])
    ws.append(["STT", "SBD", "Họ và tên", None, "Ngày sinh", "Phòng thi", "CCCD"])  # name merged over C:D
    ws.merge_cells("C5:D5")
    ws.append([1, 1000123, "Nguyễn Văn", "An", datetime(2007, 3, 5), "012", 1090012345])
    ws.append([2.0, 1000124.0, "Trần Thị Bích", "Ngọc", "05/03/2007", 12, 1307012346.0])
    ws.append([None, None, None, None, None, None, None])
    ws.append([3, "01000125", " Lê  Hoàng", "Phúc ", 39329, "012", "038207001111"])  # serial date
    ws.append([4, 1000126, "Ngô", "Bảo", 2007, "012", None])  # only a birth year
    ws.append([None, None, "Cán bộ coi thi 1", None, None, "Cán bộ coi thi 2", None])  # signatures
    notes = wb.create_sheet("Ghi chú")
    notes.append(["Danh sách này gồm 4 thí sinh."])
    other = wb.create_sheet("Phòng 13")
    other.append(["STT", "Số báo danh", "Họ đệm", "Tên", "Ngày sinh", "Phòng thi", "Số CCCD"])
    other.append([1, "01000200", "Hoàng Thị", "Mai", "01/02/2007", "013", "001307000200"])
    wb.save(path)
    return path


def test_xlsx_with_merged_title_merged_name_header_numbers_and_sheets(tmp_path: Path) -> None:
    roster = load_roster(_xlsx(tmp_path / "danh_sach.xlsx"))
    assert roster.sources == ("danh_sach.xlsx[Phòng 12]", "danh_sach.xlsx[Phòng 13]")
    assert [c.sbd for c in roster] == ["01000123", "01000124", "01000125", "01000126", "01000200"]
    a, b, c, d, e = roster
    assert (a.ho_dem, a.ten) == ("Nguyễn Văn", "An")
    assert a.id_number == "001090012345" and b.id_number == "001307012346"
    assert a.date_of_birth == b.date_of_birth == date(2007, 3, 5)
    assert (c.ho_dem, c.ten) == ("Lê Hoàng", "Phúc")
    assert c.date_of_birth == date(2007, 9, 4)  # Excel serial 39329
    assert d.date_of_birth == date(2007, 1, 1) and d.birth_year_only and d.id_number is None
    assert (e.room, e.id_number, a.stt, b.stt) == ("013", "001307000200", "1", "2")
    assert roster.issues == ()


def test_xlsx_one_sheet(tmp_path: Path) -> None:
    roster = load_roster(_xlsx(tmp_path / "ds.xlsx"), sheet="Phòng 13")
    assert [c.sbd for c in roster] == ["01000200"]
    with pytest.raises(RosterError):
        load_roster(tmp_path / "ds.xlsx", sheet="Ghi chú")
    with pytest.raises(RosterError):
        load_roster(tmp_path / "ds.xlsx", sheet="Phòng 99")


def test_duplicate_rows_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("SBD,Họ và tên,Ngày sinh,Phòng thi,CCCD\n01000001,An Văn Bình,01/01/2007,1,001207000001\n"
                    "01000001,An Văn Bình,01/01/2007,1,001207000002\n", encoding="utf-8")
    roster = load_roster(path)
    assert [(i.row, i.reason) for i in roster.issues] == [(3, "same SBD as row 2")]


@pytest.mark.parametrize(("content", "name"), [
    (b"", "empty.csv"),
    ("Tên,Tuổi\nAn,18\n".encode(), "no_header.csv"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 60, "old.xls"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx"),
])
def test_unusable_files_raise_roster_error(tmp_path: Path, content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterError) as info:
        load_roster(path)
    assert info.value.message_key in _catalogue()


def test_missing_file_raises_roster_error(tmp_path: Path) -> None:
    with pytest.raises(RosterError):
        load_roster(tmp_path / "nope.csv")


@pytest.mark.parametrize(("value", "expected"), [
    ("001090012345", "001090012345"),
    (1090012345, "001090012345"),
    (38307001234, "038307001234"),
    (38307001234.0, "038307001234"),
    ("038 307 001 234", "038307001234"),
    ("123456789", None),  # old 9-digit CMND
    ("1.23457E+11", None),
    ("", None),
    (None, None),
    ("CCCD chưa cấp", None),
])
def test_restore_id_number(value: object, expected: str | None) -> None:
    assert restore_id_number(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("05/03/2007", (date(2007, 3, 5), False)),
    ("5-3-2007", (date(2007, 3, 5), False)),
    ("05/03/07", (date(2007, 3, 5), False)),
    ("05/03/98", (date(1998, 3, 5), False)),
    (datetime(2007, 3, 5, 0, 0), (date(2007, 3, 5), False)),
    (date(2007, 3, 5), (date(2007, 3, 5), False)),
    (39146, (date(2007, 3, 5), False)),
    ("39146", (date(2007, 3, 5), False)),
    ("2007", (date(2007, 1, 1), True)),
    ("31/04/2007", (None, False)),
    ("không rõ", (None, False)),
])
def test_parse_birth_date(value: object, expected: tuple[date | None, bool]) -> None:
    assert parse_birth_date(value, today=TODAY) == expected


@pytest.mark.parametrize(("value", "expected"), [("012", "12"), (12, "12"), (12.0, "12"), ("Phòng 12", "12"),
                                                  ("P.12", "12"), ("Phòng thi số 012", "12"), ("A1.02", "A102")])
def test_normalize_room(value: object, expected: str) -> None:
    assert normalize_room(value) == expected


def test_folded_names_match_whatever_the_spelling(tmp_path: Path) -> None:
    path = tmp_path / "nfd.csv"
    path.write_text(unicodedata.normalize("NFD", "SBD,Họ và tên,Phòng thi\n01000001,Nguyễn Văn Đức,1\n"),
                    encoding="utf-8")
    (c,) = load_roster(path)
    assert fold(c.full_name) == "NGUYEN VAN DUC"
    assert c.full_name == unicodedata.normalize("NFC", "Nguyễn Văn Đức")
