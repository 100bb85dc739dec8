"""The BHYT gateway client against a local fake gateway: login, tokens, form bodies, every result code,
failures, and logs without personal data."""

from __future__ import annotations

import json
import logging
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date

import pytest

from kiosk.adapters import bhyt
from kiosk.adapters.bhyt import (
    OUTCOMES,
    BhytClient,
    BhytConfig,
    BhytRejected,
    BhytUnavailable,
    StaffIdentity,
    StaffIdentityMissing,
    decide,
)
from kiosk.checkin import Decision, Person
from kiosk.fakes import closed_port
from kiosk.fakes.bhyt_server import CHECK_PATH, TOKEN_PATH, FakeBhytGateway, form_encoded, md5_hex
from kiosk.messages import _catalogue

PASSWORD = "Mat-khau-2024"
STAFF = StaffIdentity("Trần Thị Bình", "079185000321")
PERSON = Person("079090001234", "Nguyễn Văn An", date(1990, 5, 17), "M")
CARD_CODE = "GD4797912345678"


class Clock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway(clock: Clock) -> Iterator[FakeBhytGateway]:
    server = FakeBhytGateway(facility="79001", password=PASSWORD, expires_in=1800, clock=clock,
                             staff={STAFF.cccd: STAFF.name})
    server.add_card(PERSON.id_number, "000", name=PERSON.full_name, birth="17/05/1990")
    with server:
        yield server


def make_client(gateway: FakeBhytGateway, clock: Clock, *, staff: object = STAFF, timeout: float = 2.0,
                password: str = PASSWORD) -> BhytClient:
    config = BhytConfig(gateway.url, "79001_BV", bhyt.md5_hex(password), timeout_s=timeout)
    return BhytClient(config, staff=staff, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def client(gateway: FakeBhytGateway, clock: Clock) -> BhytClient:
    return make_client(gateway, clock)


# ------------------------------------------------------------------------------------------ protocol


def test_login_sends_the_md5_password_and_the_check_is_form_encoded(client: BhytClient,
                                                                    gateway: FakeBhytGateway) -> None:
    result = client.check_person(PERSON)
    assert result.code == "000"
    (login,) = gateway.requests_to(TOKEN_PATH)
    assert login.json() == {"username": "79001_BV", "password": md5_hex(PASSWORD)}
    (check,) = gateway.requests_to(CHECK_PATH)
    assert check.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert check.form() == {"maThe": PERSON.id_number, "hoTen": PERSON.full_name, "ngaySinh": "17/05/1990",
                            "hoTenCb": STAFF.name, "cccdCb": STAFF.cccd}
    assert set(check.query) == {"token", "id_token", "username", "password"}
    assert check.query["password"] == md5_hex(PASSWORD) and check.query["username"] == "79001_BV"


def test_the_token_is_reused_until_it_nearly_expires(gateway: FakeBhytGateway, clock: Clock) -> None:
    gateway.expires_in = 600
    client = make_client(gateway, clock)
    for _ in range(3):
        assert client.check_person(PERSON).code == "000"
    assert gateway.logins == 1 and client.logins == 1
    clock.advance(539)
    client.check_person(PERSON)
    assert gateway.logins == 1
    clock.advance(2)  # now within the 60 s renewal margin
    assert client.check_person(PERSON).code == "000"
    assert gateway.logins == 2
    assert len(gateway.requests_to(CHECK_PATH)) == 5  # no 401 round trip was needed


def test_a_short_lived_token_is_renewed_by_the_clock(gateway: FakeBhytGateway, clock: Clock) -> None:
    gateway.expires_in = 5  # margin becomes a tenth of the lifetime
    client = make_client(gateway, clock)
    client.check_person(PERSON)
    clock.advance(4)
    client.check_person(PERSON)
    clock.advance(4)
    client.check_person(PERSON)
    assert gateway.logins == 2
    assert all(r.form()["maThe"] for r in gateway.requests_to(CHECK_PATH))


def test_expiry_given_as_an_iso_time_like_the_production_gateway(gateway: FakeBhytGateway, clock: Clock) -> None:
    gateway.iso_expiry, gateway.expires_in = True, 300
    client = make_client(gateway, clock)
    client.check_person(PERSON)
    clock.advance(200)
    client.check_person(PERSON)
    assert gateway.logins == 1
    clock.advance(100)
    client.check_person(PERSON)
    assert gateway.logins == 2


@pytest.mark.parametrize("http_401", [False, True], ids=["401-in-body", "http-401"])
def test_a_token_the_gateway_dropped_early_is_renewed_once(gateway: FakeBhytGateway, clock: Clock,
                                                           http_401: bool) -> None:
    gateway.http_401 = http_401
    client = make_client(gateway, clock)
    client.check_person(PERSON)
    gateway.expire_tokens()
    assert client.check_person(PERSON).code == "000"
    assert gateway.logins == 2
    assert len(gateway.requests_to(CHECK_PATH)) == 3  # ok, 401, ok after the new login


def test_authentication_failing_again_after_a_fresh_login_is_rejected(gateway: FakeBhytGateway,
                                                                      clock: Clock) -> None:
    gateway.expires_in = 0  # every token is dead on arrival
    client = make_client(gateway, clock)
    with pytest.raises(BhytRejected) as error:
        client.check_person(PERSON)
    assert error.value.code == "401" and not error.value.retryable
    assert gateway.logins == 2 and len(gateway.requests_to(CHECK_PATH)) == 2  # one retry, no more


def test_a_wrong_password_is_rejected_at_login(gateway: FakeBhytGateway, clock: Clock) -> None:
    client = make_client(gateway, clock, password="wrong")
    with pytest.raises(BhytRejected) as error:
        client.check_person(PERSON)
    assert error.value.code == "401" and error.value.step == "bhyt.login"
    assert gateway.requests_to(CHECK_PATH) == []


@pytest.mark.parametrize("staff", [None, StaffIdentity("", "079185000321"), StaffIdentity("Trần Thị Bình", "12345"),
                                   lambda: None], ids=["none", "no-name", "short-cccd", "nobody-on-duty"])
def test_no_lookup_without_the_staff_identity(gateway: FakeBhytGateway, clock: Clock, staff: object) -> None:
    client = make_client(gateway, clock, staff=staff)
    with pytest.raises(StaffIdentityMissing) as error:
        client.check_person(PERSON)
    assert not error.value.retryable and isinstance(error.value, BhytRejected)
    assert gateway.requests == []  # not even a login
    assert "079185000321" not in str(error.value)


def test_the_staff_on_duty_is_read_at_each_lookup(gateway: FakeBhytGateway, clock: Clock) -> None:
    on_duty: list[StaffIdentity | None] = [STAFF]
    client = make_client(gateway, clock, staff=lambda: on_duty[0])
    assert client.check_person(PERSON).code == "000"
    on_duty[0] = StaffIdentity("Lê Văn Cường", "079180000999")
    assert client.check_person(PERSON).code == "054"  # not registered for the facility
    on_duty[0] = StaffIdentity("Lê Văn Cường", STAFF.cccd)
    assert client.check_person(PERSON).code == "055"  # registered under another name


def test_the_fake_gateway_wants_form_encoding_and_the_staff_fields(client: BhytClient,
                                                                   gateway: FakeBhytGateway) -> None:
    token = client.token()
    url = (f"{gateway.url}{CHECK_PATH}?token={token.access_token}&id_token={token.id_token}"
           f"&username=79001_BV&password={md5_hex(PASSWORD)}")
    fields = {"maThe": PERSON.id_number, "hoTen": PERSON.full_name, "ngaySinh": "17/05/1990",
              "hoTenCb": STAFF.name, "cccdCb": STAFF.cccd}

    def post(body: bytes, content_type: str) -> dict[str, object]:
        request = urllib.request.Request(url, body, {"Content-Type": content_type}, method="POST")
        with urllib.request.urlopen(request, timeout=2) as reply:
            return json.loads(reply.read())

    assert post(json.dumps(fields).encode(), "application/json")["maKetQua"] == "205"
    without_staff = {k: v for k, v in fields.items() if k != "cccdCb"}
    assert post(form_encoded(**without_staff), "application/x-www-form-urlencoded")["maKetQua"] == "205"
    assert post(form_encoded(**fields), "application/x-www-form-urlencoded")["maKetQua"] == "000"


# ------------------------------------------------------------------------------------------ result codes

DECISIONS = {
    "000": Decision.CLEARED, "001": Decision.REFER, "002": Decision.REFER, "003": Decision.CLEARED,
    "004": Decision.CLEARED, "010": Decision.REFER, "050": Decision.REFER, "051": Decision.REFER,
    "052": Decision.REFER, "053": Decision.REFER, "054": Decision.REFER, "055": Decision.REFER,
    "060": Decision.REFER, "061": Decision.REFER, "070": Decision.REFER, "080": Decision.REFER,
    "110": Decision.REFUSED, "120": Decision.REFUSED, "121": Decision.REFUSED, "122": Decision.REFUSED,
    "123": Decision.REFUSED, "124": Decision.REFUSED, "130": Decision.REFER, "205": Decision.REFER,
}


@pytest.mark.parametrize(("code", "status"), sorted(DECISIONS.items()))
def test_every_card_result_code_has_a_decision_message_and_staff_action(gateway: FakeBhytGateway,
                                                                       client: BhytClient, code: str,
                                                                       status: str) -> None:
    gateway.add_card(PERSON.id_number, code)
    decision = decide(client.check_person(PERSON))
    assert decision.status == status
    assert decision.reasons == (f"bhyt.{code}",)
    assert decision.reasons[0] in _catalogue()
    (note,) = decision.staff_notes
    assert note.startswith(f"[BHYT {code}] ") and " / " in note
    assert decision.details["bhyt.code"] == code and len(decision.details["bhyt.ref"]) == 12


@pytest.mark.parametrize("code", ["100", "101", "500"])
def test_gateway_error_codes_are_unavailable(gateway: FakeBhytGateway, client: BhytClient, code: str) -> None:
    gateway.add_card(PERSON.id_number, code)
    with pytest.raises(BhytUnavailable) as error:
        client.check_person(PERSON)
    assert error.value.code == code and error.value.retryable


def test_the_mapping_covers_every_code_of_the_reference() -> None:
    codes = {"000", "001", "002", "003", "004", "010", "050", "051", "052", "053", "054", "055", "060", "061",
             "070", "080", "100", "101", "110", "120", "121", "122", "123", "124", "130", "205", "401", "500"}
    assert set(OUTCOMES) == codes
    catalogue = _catalogue()
    for code in codes:
        message = catalogue[bhyt.message_key(code)]
        assert message.vi.strip() and message.en.strip() and message.vi != message.en
        assert OUTCOMES[code].staff_vi and OUTCOMES[code].staff_en
    for cls in (bhyt.BhytUnavailable, bhyt.BhytRejected, bhyt.StaffIdentityMissing):
        assert cls.message_key in catalogue
    assert "bhyt.unknown" in catalogue


def test_an_unknown_code_is_referred_to_staff() -> None:
    decision = decide(bhyt.BhytResult("999", "abc"))
    assert decision.status == Decision.REFER and decision.reasons == ("bhyt.unknown",)


def test_name_and_birth_date_mismatches_come_back_as_060_and_070(gateway: FakeBhytGateway,
                                                                 client: BhytClient) -> None:
    other_name = Person(PERSON.id_number, "Nguyễn Văn Anh", PERSON.date_of_birth, "M")
    other_birth = Person(PERSON.id_number, PERSON.full_name, date(1990, 5, 18), "M")
    assert client.check_person(other_name).code == "060"
    assert client.check_person(other_birth).code == "070"
    decomposed = Person(PERSON.id_number, unicodedata.normalize("NFD", PERSON.full_name.upper()),
                        PERSON.date_of_birth, "M")
    assert client.check_person(decomposed).code == "000"  # sent as NFC; case does not matter


def test_a_new_card_is_cleared_with_its_code_for_the_desk(gateway: FakeBhytGateway, client: BhytClient) -> None:
    gateway.add_card(PERSON.id_number, "003", maTheMoi="GD4797900000001", gtTheTuMoi="01/01/2026",
                     gtTheDenMoi="31/12/2026")
    decision = decide(client.check_person(PERSON))
    assert decision.cleared
    assert decision.details["bhyt.card_new"] == "GD4797900000001"
    assert decision.details["bhyt.valid_to_new"] == "31/12/2026"
    assert "new card" in decision.staff_notes[0]


def test_a_bhyt_card_code_can_be_checked_instead_of_the_cccd_number(gateway: FakeBhytGateway,
                                                                    client: BhytClient) -> None:
    gateway.add_card(CARD_CODE, "010")
    assert client.check_person(PERSON, CARD_CODE.lower()).code == "010"
    assert gateway.requests_to(CHECK_PATH)[-1].form()["maThe"] == CARD_CODE


@pytest.mark.parametrize(("person", "expected"), [
    (PERSON, "17/05/1990"),
    (Person("079090001234", "A", date(1990, 1, 1), None, birth_year_only=True), "1990"),
    (Person("079090001234", "A", None, None), "1990"),  # the ID number's century and year digits
])
def test_birth_date_formats(person: Person, expected: str) -> None:
    assert bhyt.birth_field(person) == expected


# ------------------------------------------------------------------------------------------ failures


def test_http_500_is_unavailable(gateway: FakeBhytGateway, client: BhytClient) -> None:
    client.token()
    gateway.fail_next(1, 500, path=CHECK_PATH)
    with pytest.raises(BhytUnavailable) as error:
        client.check_person(PERSON)
    assert error.value.code == "http.500"
    assert client.check_person(PERSON).code == "000"  # and works again once the gateway does


def test_a_failing_login_is_unavailable(gateway: FakeBhytGateway, client: BhytClient) -> None:
    gateway.fail_next(1, 503, path=TOKEN_PATH)
    with pytest.raises(BhytUnavailable):
        client.check_person(PERSON)


def test_a_dropped_connection_is_unavailable(gateway: FakeBhytGateway, client: BhytClient) -> None:
    client.token()
    gateway.drop_next(1)
    with pytest.raises(BhytUnavailable, match="connection dropped"):
        client.check_person(PERSON)


def test_a_slow_gateway_times_out(gateway: FakeBhytGateway, clock: Clock) -> None:
    client = make_client(gateway, clock, timeout=0.2)
    client.token()
    gateway.slow(1.0, path=CHECK_PATH)
    with pytest.raises(BhytUnavailable, match="timed out"):
        client.check_person(PERSON)


def test_a_gateway_that_is_not_there_is_unavailable(clock: Clock) -> None:
    config = BhytConfig(f"http://127.0.0.1:{closed_port()}", "79001_BV", md5_hex(PASSWORD), timeout_s=1.0)
    with pytest.raises(BhytUnavailable, match="connection refused"):
        BhytClient(config, staff=STAFF, clock=clock).check_person(PERSON)


def test_an_answer_that_is_not_json_is_unavailable(clock: Clock) -> None:
    def transport(url: str, body: bytes, headers: object, timeout: float) -> bhyt.HttpReply:
        return bhyt.HttpReply(200, {"Content-Type": "text/html"}, b"<html>captive portal</html>")

    client = BhytClient(BhytConfig("http://gateway.invalid", "79001_BV", md5_hex(PASSWORD)), staff=STAFF,
                        clock=clock, transport=transport)
    with pytest.raises(BhytUnavailable, match="not a JSON object"):
        client.check_person(PERSON)


# ------------------------------------------------------------------------------------------ config & privacy


def test_config_takes_the_password_from_the_environment() -> None:
    table = {"base_url": "https://egw.baohiemxahoi.gov.vn/", "facility_code": "79001",
             "password_env": "BHYT_PASSWORD", "timeout_s": 7}
    config = BhytConfig.from_table(table, {"BHYT_PASSWORD": PASSWORD})
    assert config.username == "79001_BV" and config.password_md5 == md5_hex(PASSWORD)
    assert config.base_url == "https://egw.baohiemxahoi.gov.vn" and config.timeout_s == 7.0
    assert md5_hex(PASSWORD) not in repr(config)
    with pytest.raises(ValueError, match="BHYT_PASSWORD"):
        BhytConfig.from_table(table, {})
    hashed = BhytConfig.from_table({**table, "password_md5_env": "BHYT_PASSWORD_MD5"},
                                   {"BHYT_PASSWORD_MD5": md5_hex(PASSWORD).upper()})
    assert hashed.password_md5 == md5_hex(PASSWORD)
    staff = bhyt.staff_from_table({}, {"BHYT_STAFF_NAME": STAFF.name, "BHYT_STAFF_CCCD": STAFF.cccd})()
    assert staff == STAFF and STAFF.cccd not in repr(staff)


def test_logs_and_errors_carry_no_personal_data(gateway: FakeBhytGateway, clock: Clock,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(gateway, clock)
    messages: list[str] = []
    other = Person(PERSON.id_number, "Nguyễn Văn Anh", PERSON.date_of_birth, "M")
    results = [client.check_person(other)]  # 060: the remark holds the right name
    gateway.add_card(PERSON.id_number, "205")
    results.append(client.check_person(PERSON))
    gateway.expire_tokens()
    gateway.add_card(PERSON.id_number, "500")
    for fault in (lambda: None, lambda: gateway.fail_next(1, 502), lambda: gateway.drop_next(1)):
        fault()
        with pytest.raises(BhytUnavailable) as error:
            client.check_person(PERSON)
        messages.append(str(error.value))
    assert [r.code for r in results] == ["060", "205"]
    assert PERSON.full_name in results[0].fields["ghiChu"]  # the data is there, for the desk …
    token = client.token()
    secrets = [PERSON.full_name, "Nguyễn Văn Anh", PERSON.id_number, STAFF.name, STAFF.cccd, "17/05/1990",
               "GD4797912345678", PASSWORD, md5_hex(PASSWORD), token.access_token, token.id_token]
    text = "\n".join([record.getMessage() for record in caplog.records] + messages + [repr(r) for r in results])
    assert "code=205" in text and "maThe=cccd ngaySinh=dd/MM/yyyy" in text  # … the log says what went wrong
    for secret in secrets:  # … and never whose it was
        assert secret not in text, secret
