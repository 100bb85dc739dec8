"""The hospital adapter: BHYT lookup, then the visit registered once (JSON contract or FHIR Encounter),
against the local fake gateway and fake hospital."""

from __future__ import annotations

import logging
import threading
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from types import MappingProxyType

import pytest

from kiosk.adapters.base import UpstreamRejected, UpstreamUnavailable
from kiosk.adapters.bhyt import BhytClient, BhytConfig, StaffIdentity, md5_hex
from kiosk.adapters.hospital import NATIONAL_ID_SYSTEM, HospitalAdapter, HospitalConfig
from kiosk.checkin import CheckIn, Decision, Evidence, Person, QueueTicket, Receipt
from kiosk.fakes import closed_port
from kiosk.fakes.bhyt_server import CHECK_PATH, FakeBhytGateway
from kiosk.fakes.hospital_server import CHECKINS_PATH, ENCOUNTER_PATH, FakeHospital

PASSWORD = "Mat-khau-2024"
STAFF = StaffIdentity("Trần Thị Bình", "079185000321")
PERSON = Person("079090001234", "Nguyễn Văn An", date(1990, 5, 17), "M")
EVIDENCE = Evidence("PACE", "valid", "valid", "valid", face_match=True, face_distance=0.41, face_threshold=0.55)
CARD = "GD4797912345678"
MAX_ATTEMPTS = 6  # every retry loop below is bounded


@pytest.fixture
def gateway() -> Iterator[FakeBhytGateway]:
    server = FakeBhytGateway(facility="79001", password=PASSWORD, staff={STAFF.cccd: STAFF.name})
    server.add_card(PERSON.id_number, "000", name=PERSON.full_name, birth="17/05/1990", maThe=CARD)
    with server:
        yield server


@pytest.fixture
def hospital() -> Iterator[FakeHospital]:
    with FakeHospital(department="Khoa Khám bệnh") as server:
        yield server


def make_adapter(gateway: FakeBhytGateway, hospital: FakeHospital, mode: str = "json", *,
                 timeout: float = 2.0, url: str | None = None) -> HospitalAdapter:
    client = BhytClient(BhytConfig(gateway.url, "79001_BV", md5_hex(PASSWORD), timeout_s=2.0), staff=STAFF)
    base = url or (hospital.url if mode == "json" else hospital.fhir_url)
    return HospitalAdapter(HospitalConfig(base, mode, timeout_s=timeout, facility_code="79001"), client)


def make_checkin(decision: Decision | None = None, person: Person = PERSON) -> CheckIn:
    context = dict(decision.details) if decision else {}
    if decision:
        context["decision"] = decision.status
    return CheckIn("hospital", "BV-79001-SANH-A", person, EVIDENCE, datetime(2025, 6, 2, 1, 30, tzinfo=UTC),
                   context=MappingProxyType(context))


@pytest.fixture
def adapter(gateway: FakeBhytGateway, hospital: FakeHospital) -> HospitalAdapter:
    return make_adapter(gateway, hospital)


@pytest.fixture
def fhir(gateway: FakeBhytGateway, hospital: FakeHospital) -> HospitalAdapter:
    return make_adapter(gateway, hospital, "fhir")


# ------------------------------------------------------------------------------------------ lookup


def test_lookup_checks_the_card_by_cccd_number_name_and_birth_date(adapter: HospitalAdapter,
                                                                   gateway: FakeBhytGateway) -> None:
    decision = adapter.lookup(PERSON, {})
    assert decision.cleared and decision.reasons == ("bhyt.000",)
    assert decision.details["bhyt.card"] == CARD
    form = gateway.requests_to(CHECK_PATH)[0].form()
    assert (form["maThe"], form["hoTen"], form["ngaySinh"]) == (PERSON.id_number, PERSON.full_name, "17/05/1990")
    assert (form["hoTenCb"], form["cccdCb"]) == (STAFF.name, STAFF.cccd)


def test_lookup_uses_a_bhyt_card_code_from_the_context(adapter: HospitalAdapter, gateway: FakeBhytGateway) -> None:
    gateway.add_card(CARD, "110")
    decision = adapter.lookup(PERSON, {"bhyt.card": CARD})
    assert decision.status == Decision.REFUSED and decision.reasons == ("bhyt.110",)
    assert gateway.requests_to(CHECK_PATH)[0].form()["maThe"] == CARD


def test_lookup_when_the_gateway_is_down_is_unavailable(adapter: HospitalAdapter, gateway: FakeBhytGateway) -> None:
    gateway.fail_next(3, 500)
    with pytest.raises(UpstreamUnavailable):
        adapter.lookup(PERSON, {})


# ------------------------------------------------------------------------------------------ JSON contract


def test_json_registration_carries_person_bhyt_and_evidence(adapter: HospitalAdapter,
                                                            hospital: FakeHospital) -> None:
    checkin = make_checkin(adapter.lookup(PERSON, {}))
    receipt = adapter.submit(checkin)
    assert receipt == Receipt("HIS-000001", QueueTicket("KB001", "Khoa Khám bệnh"))
    (request,) = hospital.requests_to(CHECKINS_PATH)
    assert request.headers["idempotency-key"] == checkin.checkin_id
    assert request.headers["content-type"].startswith("application/json")
    body = request.json()
    assert body["checkin_id"] == checkin.checkin_id and body["site"] == "BV-79001-SANH-A"
    assert body["person"] == {"id_number": PERSON.id_number, "full_name": PERSON.full_name,
                              "birth_date": "1990-05-17", "birth_year_only": False, "sex": "M"}
    assert body["bhyt"]["checked"] and body["bhyt"]["result_code"] == "000" and body["bhyt"]["card_number"] == CARD
    assert body["evidence"]["passive_authentication"] == "valid" and body["evidence"]["face_match"] is True
    assert body["facility_code"] == "79001" and body["decision"] == "cleared"
    assert body["created_at"] == "2025-06-02T01:30:00+00:00"


def test_a_repeated_submission_is_recorded_once(adapter: HospitalAdapter, hospital: FakeHospital) -> None:
    checkin = make_checkin(adapter.lookup(PERSON, {}))
    first, second = adapter.submit(checkin), adapter.submit(checkin)
    assert (first.reference, first.display) == (second.reference, second.display)
    assert not first.duplicate and second.duplicate
    assert hospital.count(checkin.checkin_id) == 1 and len(hospital.requests_to(CHECKINS_PATH)) == 2


def test_a_lost_answer_then_a_retry_is_recorded_once(adapter: HospitalAdapter, hospital: FakeHospital) -> None:
    checkin = make_checkin(adapter.lookup(PERSON, {}))
    hospital.lose_next(1, path=CHECKINS_PATH)  # the hospital records it, the kiosk never hears
    with pytest.raises(UpstreamUnavailable):
        adapter.submit(checkin)
    receipt = adapter.submit(checkin)
    assert receipt.duplicate and receipt.display.queue_number == "KB001"
    assert hospital.count(checkin.checkin_id) == 1


def test_failing_n_times_then_succeeding(adapter: HospitalAdapter, hospital: FakeHospital) -> None:
    checkin = make_checkin()
    hospital.fail_next(3, 503)
    failures = 0
    for _ in range(MAX_ATTEMPTS):
        try:
            receipt = adapter.submit(checkin)
            break
        except UpstreamUnavailable as error:
            assert error.retryable and error.code == "http.503"
            failures += 1
    else:
        pytest.fail("never delivered")
    assert failures == 3 and not receipt.duplicate and hospital.count(checkin.checkin_id) == 1


def test_concurrent_replays_are_recorded_once(adapter: HospitalAdapter, hospital: FakeHospital) -> None:
    checkin = make_checkin()
    receipts: list[Receipt] = []
    threads = [threading.Thread(target=lambda: receipts.append(adapter.submit(checkin))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(receipts) == 4 and len({r.reference for r in receipts}) == 1
    assert sum(not r.duplicate for r in receipts) == 1 and hospital.count(checkin.checkin_id) == 1


@pytest.mark.parametrize(("status", "error"), [
    (409, UpstreamUnavailable), (429, UpstreamUnavailable), (500, UpstreamUnavailable), (502, UpstreamUnavailable),
    (400, UpstreamRejected), (403, UpstreamRejected), (404, UpstreamRejected), (422, UpstreamRejected),
])
def test_http_statuses(adapter: HospitalAdapter, hospital: FakeHospital, status: int,
                       error: type[Exception]) -> None:
    hospital.fail_next(1, status)
    with pytest.raises(error) as raised:
        adapter.submit(make_checkin())
    assert raised.value.code == f"http.{status}"  # type: ignore[attr-defined]


def test_a_body_that_differs_under_the_same_key_is_rejected(adapter: HospitalAdapter) -> None:
    checkin = make_checkin()
    adapter.submit(checkin)
    changed = CheckIn(checkin.profile, "another-site", checkin.person, checkin.evidence, checkin.created_at,
                      checkin.checkin_id)
    with pytest.raises(UpstreamRejected):
        adapter.submit(changed)


def test_slow_dropped_and_absent_hospitals_are_unavailable(gateway: FakeBhytGateway, hospital: FakeHospital) -> None:
    adapter = make_adapter(gateway, hospital, timeout=0.2)
    hospital.slow(1.0)
    with pytest.raises(UpstreamUnavailable, match="timed out"):
        adapter.submit(make_checkin())
    hospital.slow(0)
    hospital.drop_next(1)
    with pytest.raises(UpstreamUnavailable, match="connection dropped"):
        adapter.submit(make_checkin())
    absent = make_adapter(gateway, hospital, url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(UpstreamUnavailable, match="connection refused"):
        absent.submit(make_checkin())


def test_the_lookup_result_reaches_the_registration_without_the_context(adapter: HospitalAdapter,
                                                                        hospital: FakeHospital) -> None:
    adapter.lookup(PERSON, {})
    adapter.submit(make_checkin())  # the session did not copy the details
    assert hospital.requests_to(CHECKINS_PATH)[0].json()["bhyt"]["result_code"] == "000"
    adapter.submit(make_checkin())  # the memo is used once
    assert hospital.requests_to(CHECKINS_PATH)[1].json()["bhyt"] == {
        "checked": False, "result_code": None, "card_number": None, "new_card_number": None, "valid_from": None,
        "valid_to": None, "new_valid_from": None, "new_valid_to": None, "registered_facility": None,
        "five_years_from": None, "lookup_reference": None}


# ------------------------------------------------------------------------------------------ FHIR


def test_fhir_registration_is_an_arrived_ambulatory_encounter(fhir: HospitalAdapter, hospital: FakeHospital) -> None:
    checkin = make_checkin(fhir.lookup(PERSON, {}))
    receipt = fhir.submit(checkin)
    assert receipt.reference == "Encounter/1001" and not receipt.duplicate
    assert receipt.display == QueueTicket("KB001", "Khoa Khám bệnh")
    (request,) = hospital.requests_to(ENCOUNTER_PATH)
    assert request.headers["content-type"].startswith("application/fhir+json")
    assert request.headers["if-none-exist"] == f"identifier=urn:cccd-kiosk:checkin-id|{checkin.checkin_id}"
    resource = request.json()
    assert resource["status"] == "arrived" and resource["class"]["code"] == "AMB"
    subject = resource["subject"]["identifier"]
    assert subject["system"] == NATIONAL_ID_SYSTEM and subject["value"] == PERSON.id_number
    assert subject["type"]["coding"][0]["code"] == "NI"
    assert resource["identifier"] == [{"system": "urn:cccd-kiosk:checkin-id", "value": checkin.checkin_id}]
    (patient,) = resource["contained"]
    assert resource["subject"]["reference"] == "#patient" and patient["birthDate"] == "1990-05-17"
    assert patient["gender"] == "male" and patient["name"] == [{"text": PERSON.full_name}]
    insurance = patient["identifier"][1]
    assert insurance["value"] == CARD and insurance["type"]["coding"][0]["code"] == "SB"


def test_fhir_replays_find_the_first_encounter(fhir: HospitalAdapter, hospital: FakeHospital) -> None:
    checkin = make_checkin()
    hospital.lose_next(1)
    with pytest.raises(UpstreamUnavailable):
        fhir.submit(checkin)
    again, third = fhir.submit(checkin), fhir.submit(checkin)
    assert again.duplicate and third.duplicate and again.reference == third.reference == "Encounter/1001"
    assert hospital.count(checkin.checkin_id) == 1
    other = make_checkin()
    assert fhir.submit(other).reference == "Encounter/1002"


def test_fhir_refusals_and_outages(fhir: HospitalAdapter, hospital: FakeHospital) -> None:
    hospital.fail_next(1, 412)
    with pytest.raises(UpstreamRejected):
        fhir.submit(make_checkin())
    hospital.fail_next(1, 503)
    with pytest.raises(UpstreamUnavailable):
        fhir.submit(make_checkin())


def test_a_year_only_birth_date_and_unknown_sex(fhir: HospitalAdapter, hospital: FakeHospital) -> None:
    person = Person("079090001234", "Nguyễn Văn An", date(1990, 1, 1), None, birth_year_only=True)
    fhir.submit(make_checkin(person=person))
    (patient,) = hospital.requests_to(ENCOUNTER_PATH)[0].json()["contained"]
    assert patient["birthDate"] == "1990" and patient["gender"] == "unknown"


# ------------------------------------------------------------------------------------------ config & privacy

EXAMPLE = """
[adapter]
kind = "hospital"
allow_insecure_http = true  # the local stand-ins speak plain http

[adapter.bhyt]
base_url = "{gateway}"
facility_code = "79001"
password_env = "BHYT_PASSWORD"
staff_name_env = "BHYT_STAFF_NAME"
staff_cccd_env = "BHYT_STAFF_CCCD"
timeout_s = 8

[adapter.registration]
mode = "fhir"
url = "{fhir}"
timeout_s = 5
department = "Khoa Khám bệnh"
"""


def test_built_from_the_profile_table(gateway: FakeBhytGateway, hospital: FakeHospital) -> None:
    table = tomllib.loads(EXAMPLE.format(gateway=gateway.url, fhir=hospital.fhir_url))["adapter"]
    environ = {"BHYT_PASSWORD": PASSWORD, "BHYT_STAFF_NAME": STAFF.name, "BHYT_STAFF_CCCD": STAFF.cccd}
    adapter = HospitalAdapter.from_table(table, environ)
    assert adapter.config.mode == "fhir" and adapter.config.timeout_s == 5.0 and adapter.bhyt.config.timeout_s == 8.0
    assert adapter.lookup(PERSON, {}).cleared
    assert adapter.submit(make_checkin()).reference == "Encounter/1001"
    with pytest.raises(ValueError, match="mode"):
        HospitalConfig("http://127.0.0.1:1", "soap")


@pytest.mark.parametrize("mode", ["json", "fhir"])
def test_logs_carry_no_personal_data(gateway: FakeBhytGateway, hospital: FakeHospital, mode: str,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    adapter = make_adapter(gateway, hospital, mode)
    checkin = make_checkin(adapter.lookup(PERSON, {}))
    adapter.submit(checkin)
    adapter.submit(checkin)
    hospital.fail_next(1, 422)
    with pytest.raises(UpstreamRejected) as rejected:
        adapter.submit(make_checkin())
    hospital.drop_next(1)
    with pytest.raises(UpstreamUnavailable) as unavailable:
        adapter.submit(make_checkin())
    text = "\n".join([r.getMessage() for r in caplog.records] + [str(rejected.value), str(unavailable.value),
                                                                 repr(checkin)])
    assert checkin.checkin_id in text  # logs name the check-in …
    for secret in (PERSON.id_number, PERSON.full_name, "1990-05-17", "17/05/1990", CARD, STAFF.name, STAFF.cccd):
        assert secret not in text, secret  # … never the person
