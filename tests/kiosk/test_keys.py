"""Access keys from typed numbers and the CCCD QR code, with exact reasons for bad input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import keys
from kiosk.messages import _catalogue
from nfc.errors import AccessKeyError


def test_id_number_gives_the_can_and_bac_document_number() -> None:
    assert keys.key_from_id("001 303 004 567").can == "004567"
    assert keys.bac_document_number("001303004567") == "303004567"
    assert keys.birth_year_from_id("001303004567") == 2003
    assert keys.birth_year_from_id("079190001234") == 1990


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"), ("00130300456", "12 digits, not 11"), ("0013030045678", "12 digits, not 13"),
    ("00130300456A", "only the digits 0 to 9; character 12 is a letter"),
    ("999303004567", "province code 999"), ("000303004567", "province code 000"),
])
def test_bad_id_numbers_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(AccessKeyError, match=reason) as error:
        keys.key_from_id(text)
    assert text[-6:] not in str(error.value) or not text[-6:].isdigit()


def test_can_must_be_six_digits() -> None:
    assert keys.key_from_can("123 456").can == "123456"
    with pytest.raises(AccessKeyError, match="6 digits, not 5"):
        keys.key_from_can("12345")


def test_mrz_text_accepts_a_12_digit_id_as_document_number() -> None:
    key = keys.key_from_mrz("001303004567:030514:280514")
    assert key.document_number == "303004567"
    # check digits worked by hand: 303004567 -> 88 mod 10 = 8; 030514 -> 51 -> 1; 280514 -> 80 -> 0
    assert key.mrz_information() == "303004567" + "8" + "030514" + "1" + "280514" + "0"


@pytest.mark.parametrize(("text", "reason"), [
    ("303004567:030514", "DOCUMENT:YYMMDD:YYMMDD"), ("303004567:031314:280514", "month 13"),
    ("303004567:030500:280514", "day 00"), ("303004567:0305:280514", "6 digits"),
])
def test_bad_mrz_text_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(AccessKeyError, match=reason):
        keys.key_from_mrz(text)


def test_qr_code_is_parsed_with_vietnamese_text_intact() -> None:
    qr = keys.parse_qr("001303004567|012345678|Nguyễn Thị An|14052003|Nữ|Số 12 Phố Hàng Bạc, Hà Nội|10042021")
    assert qr.id_number == "001303004567" and qr.old_id_number == "012345678"
    assert qr.full_name == "Nguyễn Thị An" and qr.sex == "Nữ"
    assert qr.date_of_birth == date(2003, 5, 14) and qr.issue_date == date(2021, 4, 10)
    assert qr.access_key().can == "004567"
    assert "Nguy" not in repr(qr)


def test_qr_code_tolerates_missing_and_extra_trailing_fields() -> None:
    short = keys.parse_qr("001303004567||Nguyễn Thị An")
    assert short.old_id_number is None and short.date_of_birth is None and short.address is None
    extra = keys.parse_qr("001303004567||Nguyễn Thị An|14052003|Nữ|Hà Nội|10042021|extra|fields")
    assert extra.issue_date == date(2021, 4, 10)


@pytest.mark.parametrize(("text", "reason"), [
    ("hello world", "not a CCCD code"), ("001303004567|12345|An", "9 digits"),
    ("001303004567||An|31022003", "not a real date"), ("001303004567||An|1405", "8 digits"),
])
def test_bad_qr_codes_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(AccessKeyError, match=reason):
        keys.parse_qr(text)


# -- only ASCII digits, whatever str.isdigit and \d accept ---------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [
    ("²²²303004567", "superscript"), ("٠٠١٣٠٣٠٠٤٥٦٧", "another script"), ("0013030045۳7", "another script"),
    ("00130300456①", "superscript"), ("00130300456\u200b", "invisible"), ("001303004567\x00", "invisible"),
])
def test_an_id_number_with_other_digits_is_refused_with_the_exact_reason(text: str, kind: str) -> None:
    with pytest.raises(AccessKeyError, match=kind) as error:
        keys.key_from_id(text)
    assert error.value.message_key == "key.digits_only"


@pytest.mark.parametrize("text", ["١٢٣٤٥٦", "5045۳7", "²²²567"])
def test_a_can_with_other_digits_is_refused(text: str) -> None:
    with pytest.raises(AccessKeyError, match="only the digits 0 to 9") as error:
        keys.key_from_can(text)
    assert error.value.message_key == "key.digits_only"


@pytest.mark.parametrize("text", ["٣٠٣٠٠٤٥٦٧:030514:280514", "303004567:٠٣٠٥١٤:280514", "303004567:030514:²80514",
                                  "٠٠١٣٠٣٠٠٤٥٦٧:030514:280514"])
def test_mrz_data_with_other_digits_is_refused(text: str) -> None:
    with pytest.raises(AccessKeyError):
        keys.key_from_mrz(text)


def test_the_chip_keys_themselves_take_ascii_digits_only() -> None:
    from nfc.access import CanKey, MrzKey, check_digit

    for make in (lambda: CanKey("١٢٣٤٥٦"), lambda: MrzKey("303004567", "٠٣٠٥١٤", "280514"),
                 lambda: check_digit("30300456٧")):
        with pytest.raises(AccessKeyError):
            make()


# -- QR variants seen in the field ---------------------------------------------------------------------

SEVEN = "001303004567|012345678|Nguyễn Thị An|14052003|Nữ|Số 12 Phố Hàng Bạc, Hà Nội|10042021"


@pytest.mark.parametrize("text", [
    "\ufeff" + SEVEN,                                                        # byte-order mark
    SEVEN + "|", SEVEN + "||", " " + SEVEN + "|\r\n",                        # trailing separators, line end
    "001303004567|012345678|Nguyễn Thị An|14/05/2003|Nữ|Số 12 Phố Hàng Bạc, Hà Nội|10/04/2021",  # dd/mm/yyyy
    "001303004567|Nguyễn Thị An|14052003|Nữ|Số 12 Phố Hàng Bạc, Hà Nội|10042021",  # 6 fields, no old ID
    "\ufeff001303004567|Nguyễn Thị An|14/05/2003|Nữ|Số 12 Phố Hàng Bạc, Hà Nội|10/04/2021|",
])
def test_qr_variants_give_the_same_person(text: str) -> None:
    qr = keys.parse_qr(text)
    assert (qr.id_number, qr.full_name, qr.date_of_birth, qr.sex, qr.issue_date) == (
        "001303004567", "Nguyễn Thị An", date(2003, 5, 14), "Nữ", date(2021, 4, 10))
    assert qr.address == "Số 12 Phố Hàng Bạc, Hà Nội"
    assert qr.old_id_number in (None, "012345678")


def test_the_six_field_form_has_no_old_id_number() -> None:
    assert keys.parse_qr("001303004567|Nguyễn Thị An|14052003|Nữ|Hà Nội|10042021").old_id_number is None


@pytest.mark.parametrize(("text", "reason"), [
    ("001303004567||An|14/052003", "ddmmyyyy or dd/mm/yyyy"), ("001303004567||An|31/02/2003", "not a real date"),
    ("001303004567||An|١٤٠٥٢٠٠٣", "ddmmyyyy"),
    ("\ufeff|||", "fewer than 3 fields"),
])
def test_bad_qr_variants_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(AccessKeyError, match=reason):
        keys.parse_qr(text)


# -- whatever the text: a key or a typed error ---------------------------------------------------------

_DIGITISH = st.sampled_from("0123456789²³¹٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２ ．-.\u200b\ufeff|/:aZ")


@given(st.one_of(st.text(), st.text(_DIGITISH, max_size=20)))
@settings(max_examples=400, deadline=None)
def test_any_text_gives_a_key_or_an_access_key_error(text: str) -> None:
    for parse in (keys.key_from_id, keys.key_from_can, keys.key_from_mrz):
        try:
            key = parse(text)
        except AccessKeyError as exc:
            assert exc.message_key in _catalogue()
            continue
        key.pace_password()  # a key that was accepted is usable: ASCII all the way to the chip
        assert not hasattr(key, "can") or key.can.isascii()


@given(st.lists(st.one_of(st.text(max_size=12), st.text(_DIGITISH, max_size=14)), max_size=9),
       st.sampled_from(["", "\ufeff", " "]), st.sampled_from(["", "|", "||", "\r\n"]))
@settings(max_examples=400, deadline=None)
def test_any_qr_text_gives_qr_data_or_an_access_key_error(fields: list[str], head: str, tail: str) -> None:
    try:
        qr = keys.parse_qr(head + "|".join(fields) + tail)
    except AccessKeyError:
        return
    assert len(qr.id_number) == 12 and qr.id_number.isascii() and qr.id_number.isdigit()
    qr.access_key().pace_password()
