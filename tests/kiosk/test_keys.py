"""Access keys from typed numbers and the CCCD QR code, with exact reasons for bad input."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk import keys
from nfc.errors import AccessKeyError


def test_id_number_gives_the_can_and_bac_document_number() -> None:
    assert keys.key_from_id("001 303 004 567").can == "004567"
    assert keys.bac_document_number("001303004567") == "303004567"
    assert keys.birth_year_from_id("001303004567") == 2003
    assert keys.birth_year_from_id("079190001234") == 1990


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"), ("00130300456", "12 digits, not 11"), ("0013030045678", "12 digits, not 13"),
    ("00130300456A", "digits only"), ("999303004567", "province code 999"), ("000303004567", "province code 000"),
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
