"""IATA BCBP parsing: Resolution 792 / Implementation Guide examples, multi-leg, real-world scanner text,
and malformed text that must raise BcbpError (never IndexError / ValueError)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.adapters.bcbp import BcbpError, parse_bcbp
from kiosk.errors import KioskError
from kiosk.messages import _catalogue

SECURITY = ("GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0"
            "L0GE")
# Resolution 792 Attachment B, example 1: mandatory items and security data
EXAMPLE_1 = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100^164" + SECURITY
# Resolution 792 Attachment B, example 2: two legs with conditional items
EXAMPLE_2 = ("M2DESMARAIS/LUC       EABC123 YULFRAAC 0834 226F001A0025 14D>6181WW6225BAC 00141234560032A01412"
             "34567890 1AC AC 1234567890123    20KYLX58ZDEF456 FRAGVALH 3664 227C012C0002 12E2A0140987654321 1AC "
             "AC 1234567890123    2PCNWQ^164" + SECURITY)
# Implementation Guide, Appendix B: home-printed (LH, KL), kiosk (UA), mobile (LH)
LH_HOME = ("M1TEST/HIDDEN         E8OQ6FU FRARLGLH 4010 012C004D0001 35C>2180WW6012BLH              2922023642241"
           "060 LH                        *30600000K09         ")
KL_HOME = "M1TEST/PETER          E24Z5RN AMSBRUKL 1733 019M008A0001 316>503  W0D0742497067621"
UA_KIOSK = ("M1ASKREN/TEST         EA272SL ORDNRTUA 0881 007F002K0303 15C>3180 K6007BUA              29016247607"
            "58980 UA UA EY975897            *30600    09  UAG    ")
LH_MOBILE = LH_HOME.replace(">2180WW6012B", ">2180WM6012B")


def test_example_1_mandatory_items_at_their_positions() -> None:
    bp = parse_bcbp(EXAMPLE_1)
    assert bp.passenger_name == "DESMARAIS/LUC"
    assert bp.name_field == "DESMARAIS/LUC       "
    assert bp.electronic_ticket
    assert bp.version is None
    (leg,) = bp.legs
    assert (leg.pnr, leg.from_airport, leg.to_airport, leg.carrier) == ("ABC123", "YUL", "FRA", "AC")
    assert (leg.flight_number, leg.flight_day, leg.compartment, leg.seat) == ("0834", 326, "J", "001A")
    assert (leg.sequence, leg.passenger_status) == ("0025", "1")
    assert leg.flight == "AC 834"
    assert leg.seat_display == "1A"
    assert leg.airline_numeric_code is None and leg.airline_use is None
    assert bp.security_type == "1"
    assert bp.security_data == SECURITY and len(SECURITY) == 0x64


def test_example_2_two_legs_with_conditional_items() -> None:
    bp = parse_bcbp(EXAMPLE_2)
    assert bp.version == 6
    assert (bp.passenger_description, bp.checkin_source, bp.issuance_source) == ("1", "W", "W")
    assert (bp.issue_date, bp.document_type, bp.issuer) == ("6225", "B", "AC")
    assert bp.bag_tag == "0014123456003"
    assert bp.bag_tag_2 is None and bp.bag_tag_3 is None
    first, second = bp.legs
    assert (first.from_airport, first.to_airport, first.flight, first.flight_day) == ("YUL", "FRA", "AC 834", 226)
    assert (first.airline_numeric_code, first.document_serial) == ("014", "1234567890")
    assert (first.selectee, first.document_verification, first.marketing_carrier) == ("", "1", "AC")
    assert (first.frequent_flyer_airline, first.frequent_flyer_number) == ("AC", "1234567890123")
    assert (first.free_baggage, first.fast_track, first.airline_use) == ("20K", "Y", "LX58Z")
    assert (second.pnr, second.from_airport, second.to_airport, second.carrier) == ("DEF456", "FRA", "GVA", "LH")
    assert (second.flight_number, second.flight_day, second.compartment, second.seat) == ("3664", 227, "C", "012C")
    assert (second.document_serial, second.free_baggage, second.fast_track) == ("0987654321", "2PC", "N")
    assert second.airline_use == "WQ"
    assert bp.security_data == SECURITY
    assert bp.legs_from("fra") == (second,)


@pytest.mark.parametrize("text", [LH_HOME, LH_MOBILE])
def test_lufthansa_version_2_has_no_fast_track(text: str) -> None:
    bp = parse_bcbp(text)
    assert bp.version == 2
    assert bp.issuance_source == ("W" if text == LH_HOME else "M")
    assert bp.bag_tag == ""  # present but blank
    (leg,) = bp.legs
    assert (leg.flight, leg.flight_day, leg.seat, leg.passenger_status) == ("LH 4010", 12, "004D", "3")
    assert (leg.airline_numeric_code, leg.document_serial, leg.selectee) == ("220", "2364224106", "0")
    assert leg.fast_track is None
    assert leg.airline_use == "*30600000K09         "


def test_klm_short_sections() -> None:
    bp = parse_bcbp(KL_HOME)
    assert bp.version == 5
    assert (bp.passenger_description, bp.checkin_source, bp.issuance_source) == ("", "", "W")
    assert bp.issue_date is None  # the unique section stops after three items
    (leg,) = bp.legs
    assert (leg.airline_numeric_code, leg.document_serial) == ("074", "2497067621")
    assert leg.selectee is None and leg.airline_use is None


def test_united_kiosk_pass() -> None:
    bp = parse_bcbp(UA_KIOSK)
    assert (bp.version, bp.issuance_source, bp.issue_date, bp.issuer) == (3, "K", "6007", "UA")
    (leg,) = bp.legs
    assert (leg.from_airport, leg.to_airport, leg.flight, leg.flight_day, leg.seat) == ("ORD", "NRT", "UA 881", 7,
                                                                                        "002K")
    assert (leg.frequent_flyer_airline, leg.frequent_flyer_number) == ("UA", "EY975897")


def test_repr_hides_name_pnr_and_frequent_flyer_number() -> None:
    text = repr(parse_bcbp(EXAMPLE_2))
    for secret in ("DESMARAIS", "ABC123", "1234567890123", "1234567890", SECURITY):
        assert secret not in text


def test_scanner_artifacts_are_tolerated() -> None:
    assert parse_bcbp("]L2" + EXAMPLE_1 + "\r\n").legs[0].flight == "AC 834"
    trimmed = LH_HOME.rstrip()  # a keyboard-wedge scanner dropped the trailing spaces
    bp = parse_bcbp(trimmed)
    assert bp.padded and bp.legs[0].airline_use == "*30600000K09         "
    with pytest.raises(BcbpError):
        parse_bcbp(trimmed, lenient=False)


def test_vietnamese_domestic_two_legs_with_suffix_and_infant_seat() -> None:
    text = ("M2NGUYEN/VAN AN MR    EABCDEF HANSGNVN 0213A100Y012C0042 100"
            "ABCDEF SGNPQCVN 1823 101Y    0043 300")
    bp = parse_bcbp(text)
    assert [leg.flight for leg in bp.legs] == ["VN 213A", "VN 1823"]
    assert [leg.flight_day for leg in bp.legs] == [100, 101]
    assert bp.legs[1].seat == "" and bp.legs[1].seat_display == ""


@pytest.mark.parametrize(("text", "position"), [
    ("", None),
    ("S1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100", 1),
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 1", 59),
    ("M0DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100", 2),
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 1ZZ", 59),
    ("M1DESMARAIS/LUC       EABC123 YU1FRAAC 0834 326J001A0025 100", 31),
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 3X6J001A0025 100", 45),
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 367J001A0025 100", 45),
    ("M1                    EABC123 YULFRAAC 0834 326J001A0025 100", 3),
    ("M2DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100", None),  # second leg missing
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100junk", 61),
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 105>6FF", 63),
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 106>6001X", 65),
    ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100^1ZZ", None),
    ("M1NGUYỄN/VĂN AN       EABC123 YULFRAAC 0834 326J001A0025 100", 7),
])
def test_malformed_text_raises_bcbp_error(text: str, position: int | None) -> None:
    with pytest.raises(BcbpError) as info:
        parse_bcbp(text)
    assert isinstance(info.value, KioskError)
    assert info.value.message_key == "bcbp.malformed" and "bcbp.malformed" in _catalogue()
    if position is not None:
        assert info.value.position == position
    assert "DESMARAIS" not in str(info.value) and "NGUY" not in str(info.value)


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=len(EXAMPLE_2)), st.text(max_size=8))
def test_cut_or_corrupted_passes_only_ever_raise_bcbp_error(cut: int, junk: str) -> None:
    for text in (EXAMPLE_2[:cut], EXAMPLE_2[:cut] + junk + EXAMPLE_2[cut + len(junk):]):
        with contextlib.suppress(BcbpError):
            parse_bcbp(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="M0123456789ABCDEF>^ /", min_size=55, max_size=140))
def test_random_text_only_ever_raises_bcbp_error(text: str) -> None:
    with contextlib.suppress(BcbpError):
        parse_bcbp("M1" + text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([EXAMPLE_1, EXAMPLE_2, LH_HOME, KL_HOME, UA_KIOSK]),
       st.lists(st.tuples(st.integers(0, 400), st.integers(0, 6), st.binary(max_size=4)), min_size=1, max_size=5),
       st.sampled_from(["latin-1", "utf-8"]))
def test_any_bytes_a_scanner_may_send_only_ever_raise_bcbp_error(seed: str, edits, codec: str) -> None:
    data = bytearray(seed.encode())
    for at, cut, insert in edits:
        at = min(at, len(data))
        data[at:at + cut] = insert
    with contextlib.suppress(BcbpError):
        parse_bcbp(bytes(data).decode(codec, errors="surrogateescape"))


@pytest.mark.parametrize("value", [None, b"M1DESMARAIS/LUC", 42])
def test_what_is_not_text_is_a_bcbp_error(value: object) -> None:
    with pytest.raises(BcbpError, match="not text"):
        parse_bcbp(value)  # type: ignore[arg-type]
