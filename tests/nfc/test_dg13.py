from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.dg13 import CitizenInfo, Dg13
from nfc.lds.tlv import encode_tlv

OID_UTF8 = bytes.fromhex("060628D316010008")


def utf8(text: str) -> bytes:
    return encode_tlv(0x0C, text.encode("utf-8"))


def printable(text: str) -> bytes:
    return encode_tlv(0x13, text.encode("ascii"))


def seq(*parts: bytes) -> bytes:
    return encode_tlv(0x30, b"".join(parts))


def entry(n: int, *values: bytes) -> bytes:
    return seq(encode_tlv(0x02, bytes([n])), *values)


def dg13(*entries: bytes, head: bytes = encode_tlv(0x02, b"\x01") + OID_UTF8) -> bytes:
    return encode_tlv(0x6D, seq(head + encode_tlv(0x31, b"".join(entries))))


BASE = [
    entry(1, printable("079203001234")),
    entry(2, utf8("Nguyễn Thị Bích Ngọc")),
    entry(3, utf8("05/04/2003")),
    entry(4, utf8("Nữ")),
    entry(5, utf8("Việt Nam")),
    entry(6, utf8("Kinh")),
    entry(7, utf8("Không")),
    entry(8, utf8("Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh")),
    entry(9, utf8("12 Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh")),
    entry(10, utf8("Nốt ruồi C:1cm trên trước mép phải")),
    entry(11, utf8("10/08/2021")),
    entry(12, utf8("05/04/2028")),
]


def test_vietnamese_dg13_flat_parents():
    data = dg13(*BASE, entry(13, seq(utf8("Nguyễn Văn Bình"), utf8("Trần Thị Lan"))), entry(14, seq()),
                entry(15, printable("025123456")), entry(16, utf8("0123456789ABCDEF")))
    info = CitizenInfo.parse(data)
    assert info.id_number == "079203001234"
    assert info.full_name == "Nguyễn Thị Bích Ngọc"
    assert info.date_of_birth == date(2003, 4, 5) and info.date_of_birth_text is None
    assert info.sex == "Nữ" and info.sex_code == "F"
    assert (info.nationality, info.ethnicity, info.religion) == ("Việt Nam", "Kinh", "Không")
    assert info.hometown.startswith("Phường Bến Nghé")
    assert info.residence.endswith("TP. Hồ Chí Minh")
    assert info.identifying_marks == "Nốt ruồi C:1cm trên trước mép phải"
    assert info.issue_date == date(2021, 8, 10)
    assert info.expiry_date == date(2028, 4, 5) and info.expiry_text is None
    assert (info.father_name, info.mother_name) == ("Nguyễn Văn Bình", "Trần Thị Lan")
    assert info.spouse_name is None
    assert info.old_id_number == "025123456"
    assert info.unknown == {16: utf8("0123456789ABCDEF")}
    assert "Nguyễn" not in repr(info) and "079203001234" not in repr(info)
    assert Dg13 is CitizenInfo


@pytest.mark.parametrize("parents", [
    entry(13, seq(seq(utf8("Nguyễn Văn Bình")), seq(utf8("Trần Thị Lan")))),   # one SEQUENCE of two SEQUENCEs
    entry(13, seq(utf8("Nguyễn Văn Bình")), seq(utf8("Trần Thị Lan"))),        # two SEQUENCEs after the number
    entry(13, utf8("Nguyễn Văn Bình"), utf8("Trần Thị Lan")),                  # two strings after the number
])
def test_nested_parent_shapes(parents):
    info = CitizenInfo.parse(dg13(*BASE, parents))
    assert (info.father_name, info.mother_name) == ("Nguyễn Văn Bình", "Trần Thị Lan")


def test_missing_father_in_nested_shape_keeps_mother_in_place():
    info = CitizenInfo.parse(dg13(entry(13, seq(seq(), seq(utf8("Trần Thị Lan"))))))
    assert (info.father_name, info.mother_name) == (None, "Trần Thị Lan")
    info = CitizenInfo.parse(dg13(entry(13, seq(utf8(""), utf8("Trần Thị Lan")))))
    assert (info.father_name, info.mother_name) == (None, "Trần Thị Lan")


@pytest.mark.parametrize(("spouse", "expected"), [
    (entry(14, seq(utf8("Lê Văn Hùng"))), "Lê Văn Hùng"),
    (entry(14, utf8("Lê Văn Hùng")), "Lê Văn Hùng"),
    (entry(14, seq()), None),
    (entry(14, utf8("")), None),
    (entry(14), None),
])
def test_spouse_shapes(spouse, expected):
    assert CitizenInfo.parse(dg13(spouse)).spouse_name == expected


def test_expiry_text_and_partial_birth_date():
    info = CitizenInfo.parse(dg13(entry(3, utf8("1950")), entry(12, utf8("Không thời hạn"))))
    assert info.date_of_birth is None and info.date_of_birth_text == "1950"
    assert info.expiry_date is None and info.expiry_text == "Không thời hạn"
    assert CitizenInfo.parse(info.encode()) == info


def test_printable_and_utf8_both_decode():
    info = CitizenInfo.parse(dg13(entry(2, printable("NGUYEN VAN AN")), entry(1, utf8("001099012345"))))
    assert (info.full_name, info.id_number) == ("NGUYEN VAN AN", "001099012345")


def test_structure_without_version_and_oid():
    assert CitizenInfo.parse(dg13(entry(1, utf8("001099012345")), head=b"")).id_number == "001099012345"


@pytest.mark.parametrize("shape", ["flat", "nested"])
def test_encode_round_trip(shape):
    info = CitizenInfo(
        id_number="001099012345", full_name="Đặng Thị Thu Hà", date_of_birth=date(1999, 1, 2), sex="Nữ",
        nationality="Việt Nam", ethnicity="Kinh", religion="Phật giáo", hometown="Hà Đông, Hà Nội",
        residence="Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội", identifying_marks="Sẹo chấm", issue_date=date(2021, 3, 4),
        expiry_date=date(2024, 1, 2), father_name="Đặng Văn Long", mother_name=None, spouse_name="Phạm Minh Tuấn",
        old_id_number="012345678", unknown={16: utf8("ABCDEF0123456789")},
    )
    data = info.encode(parents_shape=shape)
    assert data[0] == 0x6D
    assert printable("001099012345") in data
    assert CitizenInfo.parse(data) == info


def test_encode_rejects_unknown_shape():
    with pytest.raises(ValueError):
        CitizenInfo().encode(parents_shape="other")


@pytest.mark.parametrize(("data", "message"), [
    (encode_tlv(0x6E, b""), "expected tag 6D"),
    (encode_tlv(0x6D, encode_tlv(0x31, b"")), "one SEQUENCE"),
    (dg13(head=encode_tlv(0x02, b"\x01") + bytes.fromhex("0603550403")), "character set"),
    (encode_tlv(0x6D, seq(encode_tlv(0x02, b"\x01") + OID_UTF8)), "SET of fields"),
    (dg13(encode_tlv(0x04, b"x")), "not a SEQUENCE"),
    (dg13(seq()), "empty field"),
    (dg13(seq(utf8("x"))), "INTEGER"),
    (dg13(seq(encode_tlv(0x02, b""), utf8("x"))), "INTEGER"),
    (dg13(entry(0, utf8("x"))), "not positive"),
    (dg13(entry(2, utf8("A")), entry(2, utf8("B"))), "appears twice"),
    (dg13(entry(2, encode_tlv(0x0C, b"\xc3\x28"))), r"field 2 \(full name\) is not UTF-8"),
    (dg13(entry(2, encode_tlv(0x02, b"\x05"))), r"field 2 \(full name\) is not a string"),
    (dg13(entry(2, utf8("A"), utf8("B"))), "more than one value"),
    (dg13(entry(11, utf8("31/02/2020"))), r"field 11 \(issue date\) is not a dd/mm/yyyy date"),
    (dg13(entry(13, seq(utf8("A"), utf8("B"), utf8("C")))), "more than two"),
    (dg13(entry(13, seq(seq(utf8("A"), utf8("B"))))), "more than one name"),
    (dg13(entry(14, utf8("A"), utf8("B"))), "more than one value"),
    (dg13(entry(1, utf8("1"))) + b"\x00", "unexpected bytes"),
])
def test_malformed(data, message):
    with pytest.raises(ParseError, match=message) as err:
        CitizenInfo.parse(data)
    assert "Nguyễn" not in str(err.value)


def test_every_truncation_is_a_parse_error():
    data = dg13(*BASE, entry(13, seq(utf8("Nguyễn Văn Bình"), utf8("Trần Thị Lan"))))
    for cut in range(len(data)):
        with pytest.raises(ParseError):
            CitizenInfo.parse(data[:cut])


@settings(max_examples=300)
@given(st.data())
def test_mutations_only_parse_error(data):
    raw = bytearray(dg13(*BASE, entry(13, seq(seq(utf8("Bình")), seq(utf8("Lan"))))))
    for _ in range(data.draw(st.integers(1, 3))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        info = CitizenInfo.parse(bytes(raw))
    except ParseError:
        return
    assert CitizenInfo.parse(info.encode()) == info


@given(st.binary(max_size=120))
def test_random_bytes_only_parse_error(data):
    try:
        info = CitizenInfo.parse(b"\x6D" + bytes([len(data)]) + data if len(data) < 128 else data)
    except ParseError:
        return
    assert CitizenInfo.parse(info.encode()) == info


_text = st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=20)


@given(name=_text, father=st.none() | _text, mother=st.none() | _text, spouse=st.none() | _text,
       dob=st.dates(date(1900, 1, 1), date(2099, 12, 31)), shape=st.sampled_from(["flat", "nested"]))
def test_round_trip_property(name, father, mother, spouse, dob, shape):
    info = CitizenInfo(full_name=name, date_of_birth=dob, father_name=father, mother_name=mother,
                       spouse_name=spouse)
    assert CitizenInfo.parse(info.encode(parents_shape=shape)) == info
