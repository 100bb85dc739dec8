from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nfc.access import check_digit
from nfc.errors import ParseError
from nfc.lds.mrz import Mrz, transliterate

TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<" "7408122F1204159UTO<<<<<<<<<<<6" "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TODAY = date(2024, 6, 1)


def test_icao_td1_specimen():
    m = Mrz.parse(TD1, today=TODAY)
    assert m.format == "TD1"
    assert (m.document_code, m.issuing_state, m.nationality) == ("I", "UTO", "UTO")
    assert m.document_number == "D23145890"
    assert m.date_of_birth == date(1974, 8, 12)
    assert m.date_of_expiry == date(2012, 4, 15)
    assert m.sex == "F"
    assert (m.primary_identifier, m.secondary_identifier) == ("ERIKSSON", "ANNA MARIA")
    assert m.optional_data == ""
    assert m.encode() == TD1.encode()
    assert m.lines == (TD1[:30], TD1[30:60], TD1[60:])
    assert m.access_key().mrz_information() == "D23145890774081221204159"
    assert "ERIKSSON" not in repr(m)


def test_icao_td3_specimen():
    m = Mrz.parse(TD3.encode(), today=TODAY)
    assert m.format == "TD3"
    assert m.document_number == "L898902C3"
    assert m.date_of_birth == date(1974, 8, 12)
    assert m.date_of_expiry == date(2012, 4, 15)
    assert m.optional_data == "ZE184226B"
    assert (m.primary_identifier, m.secondary_identifier) == ("ERIKSSON", "ANNA MARIA")
    assert m.access_key().mrz_information() == "L898902C3674081221204159"


def _flip(text: str, pos: int) -> str:
    digit = text[pos]
    return text[:pos] + str((int(digit) + 1) % 10) + text[pos + 1:]


@pytest.mark.parametrize(("text", "pos", "what"), [
    (TD1, 14, "document number"), (TD1, 36, "date of birth"), (TD1, 44, "date of expiry"), (TD1, 59, "composite"),
    (TD3, 53, "document number"), (TD3, 63, "date of birth"), (TD3, 71, "date of expiry"),
    (TD3, 86, "personal number"), (TD3, 87, "composite"),
])
def test_each_check_digit_is_verified(text, pos, what):
    with pytest.raises(ParseError, match=what):
        Mrz.parse(_flip(text, pos), today=TODAY)


def test_data_change_breaks_check_digit():
    with pytest.raises(ParseError, match="date of birth"):
        Mrz.parse(TD1[:30] + "7408132" + TD1[37:], today=TODAY)


def test_td1_long_document_number():
    line1 = "I<UTOD23145890<7349<<<<<<<<<<<"  # ICAO 9303-5: D23145890734, check digit 9
    line2 = "7408122F1204159UTO<<<<<<<<<<<"
    composite = check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    m = Mrz.parse(line1 + line2 + composite + TD1[60:], today=TODAY)
    assert m.document_number == "D23145890734"
    assert m.optional_data_1 == ""
    built = Mrz.build_td1(document_code="I", issuing_state="UTO", document_number="D23145890734",
                          date_of_birth=date(1974, 8, 12), sex="F", date_of_expiry=date(2012, 4, 15),
                          nationality="UTO", primary_identifier="ERIKSSON", secondary_identifier="ANNA MARIA")
    assert built.lines[0] == line1
    assert built.encode() == m.encode()
    bad = line1[:18] + "8" + line1[19:]
    with pytest.raises(ParseError, match="document number"):
        Mrz.parse(bad + line2 + check_digit(bad[5:30] + line2[0:7] + line2[8:15] + line2[18:29]) + TD1[60:])


def test_build_cccd():
    m = Mrz.build_cccd(id_number="001099012345", full_name="Nguyễn Văn Đức", date_of_birth=date(1999, 1, 2),
                       sex="M", date_of_expiry=date(2039, 1, 2))
    line1 = m.lines[0]
    assert line1 == "IDVNM099012345" + check_digit("099012345") + "001099012345<<" + check_digit("001099012345")
    assert m.lines[2] == "NGUYEN<<VAN<DUC".ljust(30, "<")
    assert m.document_number == "099012345" and m.national_id_number == "001099012345"
    assert Mrz.parse(m.encode(), today=TODAY) == m
    assert m.access_key().date_of_birth == "990102"
    no_expiry = Mrz.build_cccd(id_number="001099012345", full_name="Lê Thị Hoa", date_of_birth=date(1950, 5, 6),
                               sex="F", date_of_expiry=None)
    assert no_expiry.date_of_expiry_yymmdd == "991231"
    assert no_expiry.date_of_birth == date(1950, 5, 6)
    with pytest.raises(ValueError):
        Mrz.build_cccd(id_number="12345", full_name="A", date_of_birth=date(1999, 1, 1), sex="M",
                       date_of_expiry=None)


def test_century_of_birth_date():
    m = Mrz.build_td1(document_code="ID", issuing_state="VNM", document_number="123456789",
                      date_of_birth=date(2010, 1, 1), sex=None, date_of_expiry=date(2030, 1, 1),
                      nationality="VNM", primary_identifier="A")
    assert Mrz.parse(m.encode(), today=TODAY).date_of_birth == date(2010, 1, 1)
    assert Mrz.parse(m.encode(), today=date(2009, 12, 31)).date_of_birth == date(1910, 1, 1)
    assert m.sex is None


def test_transliterate():
    assert transliterate("Nguyễn Thị Ánh Đào") == "NGUYEN THI ANH DAO"


@pytest.mark.parametrize("text", [
    TD1[:-1], TD1 + "<", TD3[:-1], TD1.lower(), TD1.replace("<", " ", 1), "", "X" * 89,
])
def test_bad_shape(text):
    with pytest.raises(ParseError):
        Mrz.parse(text)


def test_not_ascii():
    with pytest.raises(ParseError, match="ASCII"):
        Mrz.parse(b"\xc3" * 90)


def test_impossible_date_with_valid_check_digits():
    line2 = "741312" + check_digit("741312") + "F1204159UTO<<<<<<<<<<<"
    line2 += check_digit(TD1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    with pytest.raises(ParseError, match="calendar"):
        Mrz.parse(TD1[:30] + line2 + TD1[60:])


def test_bad_sex():
    line2 = "7408122Q1204159UTO<<<<<<<<<<<"
    line2 += check_digit(TD1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    with pytest.raises(ParseError, match="sex"):
        Mrz.parse(TD1[:30] + line2 + TD1[60:])


_alphabet = st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<")


@given(st.one_of(st.text(_alphabet, min_size=90, max_size=90), st.text(_alphabet, min_size=88, max_size=88),
                 st.text(max_size=100), st.binary(max_size=100)))
def test_random_input_only_parse_error(data):
    try:
        m = Mrz.parse(data, today=TODAY)
    except ParseError:
        return
    assert m.encode() == (data if isinstance(data, bytes) else data.encode())


@given(st.sampled_from([TD1, TD3]), st.data())
def test_mutations_only_parse_error(text, data):
    pos = data.draw(st.integers(0, len(text) - 1))
    ch = data.draw(st.characters(codec="ascii"))
    mutated = text[:pos] + ch + text[pos + 1:]
    try:
        m = Mrz.parse(mutated, today=TODAY)
    except ParseError:
        return
    assert m.encode() == mutated.encode()


_names = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=8)


@given(number=st.text(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=12),
       dob=st.dates(date(1930, 1, 1), date(2023, 12, 31)), doe=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
       sex=st.sampled_from(["M", "F", "X", None]), primary=_names, given_names=st.lists(_names, max_size=2))
def test_td1_build_parse_round_trip(number, dob, doe, sex, primary, given_names):
    m = Mrz.build_td1(document_code="ID", issuing_state="VNM", document_number=number, date_of_birth=dob,
                      sex=sex, date_of_expiry=doe, nationality="VNM", primary_identifier=primary,
                      secondary_identifier=" ".join(given_names))
    again = Mrz.parse(m.encode(), today=dob)
    assert again == m
    assert (again.document_number, again.date_of_birth, again.date_of_expiry, again.sex) == (number, dob, doe, sex)
    assert again.secondary_identifier == " ".join(given_names)


@given(number=st.text(st.sampled_from("0123456789ABC"), min_size=1, max_size=9),
       dob=st.dates(date(1930, 1, 1), date(2023, 12, 31)), personal=st.text(st.sampled_from("0123456789AB<"),
                                                                             max_size=14))
def test_td3_build_parse_round_trip(number, dob, personal):
    m = Mrz.build_td3(document_code="P", issuing_state="VNM", document_number=number, date_of_birth=dob,
                      sex="F", date_of_expiry=date(2031, 2, 3), nationality="VNM", primary_identifier="TRAN",
                      secondary_identifier="THI LAN", personal_number=personal)
    assert Mrz.parse(m.encode(), today=dob) == m
    assert m.optional_data == personal.strip("<")
