"""The exam adapter: roster match, room, one check-in per session, attendance export."""

from __future__ import annotations

import csv
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from kiosk.adapters.base import UpstreamRejected
from kiosk.adapters.exam import AlreadyCheckedIn, ExamAdapter
from kiosk.adapters.roster import load_roster
from kiosk.checkin import AttendanceStatus, CheckIn, Decision, Evidence, ExamAdmission, Person
from kiosk.messages import _catalogue

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2025, 6, 26, 7, 5, tzinfo=VN)
SESSION = "2025-06-26-sang-van"
EVIDENCE = Evidence(access="PACE", passive_authentication="valid", active_authentication="valid",
                    face_match=True, face_distance=0.41, face_threshold=0.6, liveness="passed")

ROSTER = (
    "\ufeffDANH SÁCH THÍ SINH - PHÒNG THI 012;;;;;;\n"
    ";;;;;;\n"
    "STT;Số báo danh;Họ đệm;Tên;Ngày sinh;Phòng thi;Số CCCD\n"
    "1;1000123;Nguyễn Văn;An;05/03/2007;012;1090012345\n"
    "2;01000124;Trần Thị Bích;Ngọc;5/3/2007;12;\n"
    "3;01000125;Lê Hoàng;Phúc;30/11/2007;013;038207001111\n"
    "4;01000126;Phạm;Thu;01/01/2007;012;\n"
    "5;01000127;Phạm;Thu;01/01/2007;012;\n"
    "6;01000128;Đỗ Minh;Khôi;02/02/2007;012;001207009999\n"
)

AN = Person("001090012345", "NGUYỄN VĂN AN", date(2007, 3, 5), "M")
NGOC = Person("001307012346", "Trần Thị Bích Ngọc", date(2007, 3, 5), "F")
PHUC = Person("038207001111", "LÊ HOÀNG PHÚC", date(2007, 11, 30), "M")
THU = Person("001307000004", "PHẠM THU", date(2007, 1, 1), "F")
KHOI_OTHER_ID = Person("001207000001", "ĐỖ MINH KHÔI", date(2007, 2, 2), "M")
STRANGER = Person("079090000001", "HOÀNG VĂN NAM", date(2007, 4, 4), "M")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def roster_path(tmp_path: Path) -> Path:
    path = tmp_path / "phong_012.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def adapter(roster_path: Path, tmp_path: Path, clock: Clock) -> ExamAdapter:
    return ExamAdapter(load_roster(roster_path), session=SESSION, room="012", database=tmp_path / "exam.sqlite3",
                       clock=clock)


def checkin(person: Person, at: datetime = T0, checkin_id: str | None = None) -> CheckIn:
    kwargs = {"checkin_id": checkin_id} if checkin_id else {}
    return CheckIn("exam", "THPT-CVA", person, EVIDENCE, at, **kwargs)


def test_match_by_id_number_restored_from_lost_zeros(adapter: ExamAdapter) -> None:
    decision = adapter.lookup(AN, {})
    assert decision.status == Decision.CLEARED
    assert decision.reasons == ("exam.cleared",)
    assert dict(decision.details) == {"sbd": "01000123", "room": "012", "matched_by": "id", "session": SESSION}


def test_match_by_name_and_birth_date_when_the_roster_lacks_the_id(adapter: ExamAdapter) -> None:
    decision = adapter.lookup(NGOC, {})
    assert decision.cleared
    assert decision.details["matched_by"] == "name_dob" and decision.details["sbd"] == "01000124"
    assert any("name and birth date" in n for n in decision.staff_notes)
    assert not adapter.lookup(Person(NGOC.id_number, NGOC.full_name, date(2007, 3, 6), "F"), {}).cleared


def test_name_match_disabled(roster_path: Path) -> None:
    strict = ExamAdapter(load_roster(roster_path), session=SESSION, room="012", match_by_name=False)
    assert strict.lookup(NGOC, {}).reasons == ("exam.not_on_roster",)


def test_wrong_room_tells_the_right_room(adapter: ExamAdapter) -> None:
    decision = adapter.lookup(PHUC, {})
    assert decision.status == Decision.REFER
    assert decision.reasons == ("exam.wrong_room",)
    assert decision.details["room"] == "013"
    with pytest.raises(UpstreamRejected) as info:
        adapter.submit(checkin(PHUC))
    assert info.value.code == "wrong_room"


def test_a_door_for_every_room(roster_path: Path) -> None:
    everywhere = ExamAdapter(load_roster(roster_path), session=SESSION, room=None)
    assert everywhere.lookup(PHUC, {}).cleared


def test_not_on_roster_ambiguous_and_roster_mismatches(adapter: ExamAdapter) -> None:
    assert adapter.lookup(STRANGER, {}).reasons == ("exam.not_on_roster",)
    assert adapter.lookup(THU, {}).reasons == ("exam.ambiguous",)
    other = adapter.lookup(KHOI_OTHER_ID, {})
    assert other.reasons == ("exam.roster_mismatch",)
    assert any("ID number differs" in n for n in other.staff_notes)
    renamed = adapter.lookup(Person(AN.id_number, "NGUYỄN VĂN ANH", AN.date_of_birth, "M"), {})
    assert renamed.reasons == ("exam.roster_mismatch",)
    with pytest.raises(UpstreamRejected):
        adapter.submit(checkin(STRANGER))


def test_second_check_in_in_the_same_session_is_flagged(adapter: ExamAdapter, clock: Clock) -> None:
    receipt = adapter.submit(checkin(AN))
    assert receipt.display == ExamAdmission(AttendanceStatus.PRESENT, "012", "01000123", "07:05")
    assert not receipt.duplicate and receipt.reference.startswith("EX-")

    clock.now = T0 + timedelta(minutes=12)
    decision = adapter.lookup(AN, {})
    assert decision.status == Decision.REFER
    assert decision.reasons == ("exam.already_checked_in",)
    assert decision.details["checked_in_at"] == "07:05"
    assert any(n.startswith("already checked in at 07:05") for n in decision.staff_notes)

    second = checkin(AN, at=clock.now)
    with pytest.raises(AlreadyCheckedIn) as info:
        adapter.submit(second)
    assert info.value.first_time == "07:05" and info.value.first_reference == receipt.reference
    assert info.value.message_key == "exam.already_checked_in"
    with pytest.raises(AlreadyCheckedIn):  # the outbox retrying the flagged attempt gets the same answer
        adapter.submit(second)
    statuses = [(a.status, a.time) for a in adapter.attendance()]
    assert statuses == [("present", "07:05"), ("duplicate", "07:17")]


def test_same_check_in_delivered_twice_is_recorded_once(adapter: ExamAdapter, roster_path: Path,
                                                         tmp_path: Path) -> None:
    one = checkin(AN)
    first = adapter.submit(one)
    again = adapter.submit(one)
    assert again.duplicate and again.reference == first.reference and again.display == first.display
    adapter.close()
    restarted = ExamAdapter(load_roster(roster_path), session=SESSION, room="012",
                            database=tmp_path / "exam.sqlite3")
    assert restarted.submit(one).duplicate
    assert len(restarted.attendance()) == 1


def test_next_session_is_a_new_check_in(adapter: ExamAdapter, roster_path: Path, tmp_path: Path) -> None:
    adapter.submit(checkin(AN))
    afternoon = ExamAdapter(load_roster(roster_path), session="2025-06-26-chieu-toan", room="012",
                            database=tmp_path / "exam.sqlite3")
    assert afternoon.lookup(AN, {}).cleared
    assert not afternoon.submit(checkin(AN, at=T0 + timedelta(hours=7))).duplicate


def test_concurrent_submissions_of_one_candidate_record_one_presence(adapter: ExamAdapter) -> None:
    results: list[str] = []

    def go() -> None:
        try:
            adapter.submit(checkin(AN))
            results.append("present")
        except AlreadyCheckedIn:
            results.append("flagged")

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["flagged"] * 7 + ["present"]


def test_database_is_wal_and_holds_no_names_or_id_numbers(adapter: ExamAdapter, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG"):
        adapter.submit(checkin(AN))
        with pytest.raises(AlreadyCheckedIn):
            adapter.submit(checkin(AN))
    assert adapter.store.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("exam.sqlite3*"))
    for secret in ("Nguyễn".encode(), b"NGUYEN", AN.id_number.encode()):
        assert secret not in stored
    for secret in ("Nguyễn", "NGUYEN", AN.id_number, "01000123"):
        assert secret not in caplog.text


def test_export_csv(adapter: ExamAdapter, clock: Clock, tmp_path: Path) -> None:
    adapter.submit(checkin(AN))
    adapter.submit(checkin(NGOC, at=T0 + timedelta(minutes=3, seconds=20)))
    with pytest.raises(AlreadyCheckedIn):
        adapter.submit(checkin(AN, at=T0 + timedelta(minutes=9)))
    out = adapter.export_attendance(tmp_path / "diem_danh.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["SBD"] for r in rows] == ["01000123", "01000124", "01000126", "01000127", "01000128"]  # room 012
    an, ngoc, *absent = rows
    assert (an["Trạng thái"], an["Giờ điểm danh"], an["Đối chiếu"]) == ("Có mặt", "07:05:00", "Số CCCD")
    assert (an["Họ đệm"], an["Tên"], an["Ngày sinh"]) == ("Nguyễn Văn", "An", "05/03/2007")
    assert (an["Khuôn mặt"], an["Khoảng cách"], an["Kiểm tra người thật"]) == ("khớp", "0.41", "passed")
    assert an["Xác thực thụ động"] == "valid" and an["Điểm danh lặp"] == "07:14"
    assert (ngoc["Giờ điểm danh"], ngoc["Đối chiếu"]) == ("07:08:20", "Họ tên + ngày sinh")
    assert all(r["Trạng thái"] == "Vắng" and r["Giờ điểm danh"] == "" for r in absent)


def test_export_xlsx(adapter: ExamAdapter, tmp_path: Path) -> None:
    adapter.submit(checkin(AN))
    out = adapter.export_attendance(tmp_path / "diem_danh.xlsx", format="xlsx")
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["SBD"] == "01000123"  # leading zero kept
    assert row["Ngày sinh"] == datetime(2007, 3, 5)
    assert (row["Trạng thái"], row["Giờ điểm danh"]) == ("Có mặt", "07:05:00")
    assert sheet.max_row == 6
    with pytest.raises(ValueError):
        adapter.export_attendance(tmp_path / "x.pdf", format="pdf")


def test_from_config(roster_path: Path, tmp_path: Path) -> None:
    adapter = ExamAdapter.from_config({"roster": roster_path.name, "room": "12", "session": SESSION,
                                       "database": "var/exam.sqlite3"}, base_dir=tmp_path)
    assert adapter.lookup(AN, {}).cleared
    adapter.submit(checkin(AN))
    assert (tmp_path / "var" / "exam.sqlite3").exists()


def test_every_reason_has_a_message(adapter: ExamAdapter) -> None:
    adapter.submit(checkin(AN))
    for person in (AN, NGOC, PHUC, THU, KHOI_OTHER_ID, STRANGER):
        for key in adapter.lookup(person, {}).reasons:
            assert key in _catalogue(), key
    assert AlreadyCheckedIn.message_key in _catalogue()


def test_attendance_is_exported_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    profile = tmp_path / "exam.toml"
    profile.write_text(f'[profile]\nname = "exam"\nsite = "T"\n[adapter]\nkind = "exam"\nroster = "{roster}"\n'
                       f'room = "012"\nsession = "{SESSION}"\ndatabase = "attendance.sqlite3"\n', encoding="utf-8")
    out = tmp_path / "attendance.csv"
    assert main(["attendance", "--profile", str(profile), "--out", str(out)]) == 0
    text = out.read_text("utf-8-sig")
    assert "01000128" in text and "01000125" not in text  # room 012 only
    assert main(["attendance", "--profile", "demo", "--out", str(out)]) == 2
