"""The airport adapter: name, date and departure airport decide cleared / refer; submit is idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.adapters.airport import AirportAdapter, SqliteClearanceStore
from kiosk.adapters.base import UpstreamRejected
from kiosk.checkin import CheckIn, Decision, DecisionStatus, Evidence, GateClearance, Person
from kiosk.messages import _catalogue

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 4, 10, 8, 30, tzinfo=VN)  # day 100 of 2025
PERSON = Person(id_number="001090012345", full_name="NGUYỄN VĂN AN", date_of_birth=date(1990, 5, 1), sex="M")
EVIDENCE = Evidence(access="PACE", passive_authentication="valid", active_authentication="valid", face_match=True)


def bcbp(name: str = "NGUYEN/VAN AN MR", *, day: int = 100, origin: str = "HAN", dest: str = "SGN",
         flight: str = "0213 ", seat: str = "012C") -> str:
    return f"M1{name:<20}EABCDEF {origin}{dest}VN {flight}{day:03d}Y{seat}0042 100"


def two_legs(day1: int = 100, day2: int = 100) -> str:
    return (f"M2NGUYEN/VAN AN MR    EABCDEF HANSGNVN 0213 {day1:03d}Y012C0042 100"
            f"ABCDEF SGNPQCVN 1823 {day2:03d}Y003A0043 100")


@pytest.fixture
def adapter() -> AirportAdapter:
    return AirportAdapter("han", clock=lambda: NOW)


def test_matching_pass_is_cleared(adapter: AirportAdapter) -> None:
    decision = adapter.lookup(PERSON, {"boarding_pass": bcbp()})
    assert decision.status == Decision.CLEARED and decision.cleared
    assert decision.reasons == ("airport.cleared",)
    assert decision.details["flight"] == "VN 213"
    assert decision.details["seat"] == "12C"
    assert decision.details["name_match"] == "exact"


def test_truncated_name_is_cleared_with_a_staff_note(adapter: AirportAdapter) -> None:
    person = Person("001090012345", "Tôn Nữ Thị Thanh Hương", date(1990, 5, 1), "F")
    decision = adapter.lookup(person, {"boarding_pass": bcbp("TON/NU THI THANH HUO")})
    assert decision.cleared
    assert decision.details["name_match"] == "truncated"
    assert any("cut to 20" in note for note in decision.staff_notes)


def test_swapped_name_is_referred(adapter: AirportAdapter) -> None:
    decision = adapter.lookup(PERSON, {"boarding_pass": bcbp("AN/NGUYEN VAN MR")})
    assert decision.status == Decision.REFER
    assert decision.reasons == ("airport.name_order_swapped",)
    assert any("swapped" in note for note in decision.staff_notes)


def test_other_name_is_referred(adapter: AirportAdapter) -> None:
    decision = adapter.lookup(PERSON, {"boarding_pass": bcbp("TRAN/VAN AN MR")})
    assert decision.status == Decision.REFER
    assert decision.reasons == ("airport.name_mismatch",)


@pytest.mark.parametrize("day", [99, 101, 365])
def test_flight_on_another_day_is_referred(adapter: AirportAdapter, day: int) -> None:
    decision = adapter.lookup(PERSON, {"boarding_pass": bcbp(day=day)})
    assert decision.reasons == ("airport.flight_not_today",)


def test_today_is_judged_in_vietnam_time() -> None:
    # 2025-04-09 18:30 UTC is already 10 April (day 100) in Hanoi
    utc_clock = datetime(2025, 4, 9, 18, 30, tzinfo=UTC)
    adapter = AirportAdapter("HAN", clock=lambda: utc_clock)
    assert adapter.lookup(PERSON, {"boarding_pass": bcbp(day=100)}).cleared
    assert not adapter.lookup(PERSON, {"boarding_pass": bcbp(day=99)}).cleared


def test_leap_year_day_of_year() -> None:
    adapter = AirportAdapter("HAN", clock=lambda: datetime(2024, 12, 31, 9, 0, tzinfo=VN))
    assert adapter.lookup(PERSON, {"boarding_pass": bcbp(day=366)}).cleared


def test_other_departure_airport_is_referred(adapter: AirportAdapter) -> None:
    decision = adapter.lookup(PERSON, {"boarding_pass": bcbp(origin="DAD")})
    assert decision.reasons[0] == "airport.wrong_airport"


def test_multi_leg_uses_the_leg_departing_here() -> None:
    at_sgn = AirportAdapter("SGN", clock=lambda: NOW)
    decision = at_sgn.lookup(PERSON, {"boarding_pass": two_legs()})
    assert decision.cleared
    assert (decision.details["flight"], decision.details["seat"]) == ("VN 1823", "3A")
    assert decision.details["legs"] == "2"
    at_han = AirportAdapter("HAN", clock=lambda: NOW)
    assert at_han.lookup(PERSON, {"boarding_pass": two_legs()}).details["flight"] == "VN 213"
    # the connection leaves SGN tomorrow: not today at SGN
    assert at_sgn.lookup(PERSON, {"boarding_pass": two_legs(100, 101)}).reasons == ("airport.flight_not_today",)


def test_iata_example_refers_everything_that_does_not_fit() -> None:
    example = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
    adapter = AirportAdapter("YUL", clock=lambda: datetime(2025, 11, 22, 10, 0, tzinfo=VN))  # day 326
    decision = adapter.lookup(PERSON, {"boarding_pass": example})
    assert decision.reasons == ("airport.name_mismatch",)
    luc = Person("001090012345", "Desmarais Luc", None, "M")
    assert adapter.lookup(luc, {"boarding_pass": example}).cleared


@pytest.mark.parametrize("context", [{}, {"boarding_pass": ""}, {"boarding_pass": "not a boarding pass"}])
def test_missing_or_unreadable_pass_is_referred(adapter: AirportAdapter, context: dict[str, str]) -> None:
    decision = adapter.lookup(PERSON, context)
    assert decision.status == Decision.REFER
    assert decision.reasons[0] in {"airport.boarding_pass_missing", "bcbp.malformed"}


def test_every_reason_has_a_message(adapter: AirportAdapter) -> None:
    texts = [bcbp(), bcbp("AN/NGUYEN VAN"), bcbp("TRAN/AN"), bcbp(day=1), bcbp(origin="DAD"), "", "M1x"]
    for text in texts:
        for key in adapter.lookup(PERSON, {"boarding_pass": text}).reasons:
            assert key in _catalogue(), key


def _checkin(text: str, at: datetime = NOW, checkin_id: str | None = None) -> CheckIn:
    kwargs = {"checkin_id": checkin_id} if checkin_id else {}
    return CheckIn("airport", "HAN-T1", PERSON, EVIDENCE, at, context={"boarding_pass": text}, **kwargs)


def test_submit_is_idempotent_and_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "airport.sqlite3"
    adapter = AirportAdapter("HAN", database=db, clock=lambda: NOW)
    checkin = _checkin(bcbp())
    first = adapter.submit(checkin)
    assert first.display == GateClearance(DecisionStatus.CLEARED, "VN 213", "12C")
    assert not first.duplicate and first.reference.startswith("AP-")
    again = adapter.submit(checkin)
    assert again.duplicate and again.reference == first.reference and again.display == first.display

    restarted = AirportAdapter("HAN", database=db, clock=lambda: NOW + timedelta(hours=30))
    replay = restarted.submit(checkin)
    assert replay.duplicate and replay.display.decision is DecisionStatus.CLEARED
    rows = SqliteClearanceStore(db)._db.execute("SELECT count(*) FROM clearance").fetchone()
    assert rows == (1,)


def test_submit_judges_the_date_at_check_in_time() -> None:
    late_delivery = AirportAdapter("HAN", clock=lambda: NOW + timedelta(days=2))
    receipt = late_delivery.submit(_checkin(bcbp(), at=NOW))
    assert receipt.display.decision is DecisionStatus.CLEARED


def test_submit_records_refer_decisions_and_rejects_unreadable_passes(adapter: AirportAdapter) -> None:
    assert adapter.submit(_checkin(bcbp("TRAN/AN"))).display.decision is DecisionStatus.REFER
    with pytest.raises(UpstreamRejected):
        adapter.submit(_checkin("garbage"))


def test_nothing_personal_is_stored_or_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "airport.sqlite3"
    adapter = AirportAdapter("HAN", database=db, clock=lambda: NOW)
    with caplog.at_level("DEBUG"):
        adapter.submit(_checkin(bcbp()))
    stored = db.read_bytes() + (tmp_path / "airport.sqlite3-wal").read_bytes()
    for secret in (b"NGUYEN", b"ABCDEF", PERSON.id_number.encode()):
        assert secret not in stored
    for secret in ("NGUYEN", "ABCDEF", PERSON.id_number, "12C"):
        assert secret not in caplog.text


def test_bad_airport_code_is_refused() -> None:
    with pytest.raises(ValueError):
        AirportAdapter("HANOI")


def test_from_config(tmp_path: Path) -> None:
    adapter = AirportAdapter.from_config({"airport_code": "DAD", "database": "var/airport.sqlite3"},
                                         base_dir=tmp_path, clock=lambda: NOW)
    assert adapter.airport_code == "DAD"
    adapter.submit(_checkin(bcbp(origin="DAD")))
    assert (tmp_path / "var" / "airport.sqlite3").exists()
