import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.dg2 import BiometricRecord, Dg2, FaceImage, encode_face_record, image_format, parse_face_record
from nfc.lds.tlv import encode_tlv

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200)) + b"\xff\xd9"
JP2 = bytes.fromhex("0000000C6A5020200D0A870A") + bytes(100)
J2K = bytes.fromhex("FF4FFF51") + bytes(60)


def _hand_built_dg2(image: bytes, width: int, height: int, image_type: int) -> bytes:
    """DG2 written field by field from ICAO 9303-10 / ISO 19794-5, independent of the encoder."""
    face = (struct.pack(">IH", 20 + 8 + 12 + len(image), 1)          # block length, one feature point
            + bytes([1, 2, 3]) + bytes([0, 0, 1]) + b"\x00\x00"       # gender, eye, hair, mask, expression
            + bytes(3) + bytes(3)                                     # pose angles and uncertainty
            + bytes([1, 0x0E, 0, 100, 0, 120, 0, 0])                  # one feature point
            + bytes([1, image_type]) + struct.pack(">HH", width, height) + bytes([1, 2, 0, 0, 0, 0])
            + image)
    record = b"FAC\x00010\x00" + struct.pack(">IH", 14 + len(face), 1) + face
    header = bytes.fromhex("A10F" "80020101" "810102" "87020101" "88020008")
    instance = encode_tlv(0x7F60, header + encode_tlv(0x5F2E, record))
    return encode_tlv(0x75, encode_tlv(0x7F61, bytes.fromhex("020101") + instance))


def test_parse_hand_built_jpeg():
    dg2 = Dg2.parse(_hand_built_dg2(JPEG, 480, 640, 0))
    face = dg2.portrait
    assert face.image == JPEG
    assert (face.format, face.width, face.height) == ("jpeg", 480, 640)
    assert (face.gender, face.eye_colour, face.hair_colour, face.feature_mask) == (1, 2, 3, 1)
    assert face.feature_points == bytes([1, 0x0E, 0, 100, 0, 120, 0, 0])
    assert len(dg2.faces) == 1
    assert dg2.encode() == _hand_built_dg2(JPEG, 480, 640, 0)
    assert "480" in repr(face) and "JFIF" not in repr(face)


@pytest.mark.parametrize(("image", "expected"), [(JPEG, "jpeg"), (JP2, "jpeg2000"), (J2K, "jpeg2000")])
def test_format_from_magic_bytes(image, expected):
    # the record's image-type byte says JPEG for all three; the magic bytes decide
    dg2 = Dg2.parse(_hand_built_dg2(image, 300, 400, 0))
    assert dg2.portrait.format == expected
    assert image_format(image) == expected


def test_build_round_trip():
    dg2 = Dg2.build(JP2, 358, 441, "jpeg2000")
    data = dg2.encode()
    assert data[0] == 0x75 and data[1:2] in (b"\x81", b"\x82")
    parsed = Dg2.parse(data)
    assert parsed == dg2
    assert (parsed.portrait.image, parsed.portrait.width, parsed.portrait.image_data_type) == (JP2, 358, 1)
    with pytest.raises(ValueError):
        Dg2.build(JPEG, 1, 1, "jpeg2000")


def test_multiple_faces_and_records():
    second = FaceImage(JPEG, "jpeg", 10, 20)
    first = FaceImage(J2K, "jpeg2000", 30, 40, image_data_type=1)
    dg2 = Dg2((BiometricRecord((first, second)), BiometricRecord((second,))))
    parsed = Dg2.parse(dg2.encode())
    assert parsed.faces == (first, second, second)
    assert parsed.portrait == first


def test_large_image_uses_long_lengths():
    big = b"\xff\xd8" + bytes(70000)
    parsed = Dg2.parse(Dg2.build(big, 1, 1).encode())
    assert parsed.portrait.image == big


def test_constructed_block_tag_accepted():
    record = encode_face_record((FaceImage(JPEG, "jpeg", 1, 2),))
    instance = encode_tlv(0x7F60, encode_tlv(0xA1, b"") + encode_tlv(0x7F2E, record))
    data = encode_tlv(0x75, encode_tlv(0x7F61, bytes.fromhex("020101") + instance))
    assert Dg2.parse(data).portrait.image == JPEG


def _record(image=JPEG) -> bytes:
    return encode_face_record((FaceImage(image, "jpeg", 1, 2),))


def _wrap(record: bytes, count: bytes = b"\x01", extra: bytes = b"") -> bytes:
    instance = encode_tlv(0x7F60, encode_tlv(0xA1, b"") + encode_tlv(0x5F2E, record))
    return encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x02, count) + instance + extra))


@pytest.mark.parametrize("data", [
    _wrap(_record(b"GIF89a" + bytes(20))),                           # unknown image format
    _wrap(b"FAD\x00" + _record()[4:]),                               # not a face record
    _wrap(_record()[:4] + b"020\x00" + _record()[8:]),               # unknown version
    _wrap(_record()[:8] + struct.pack(">I", 10_000) + _record()[12:]),  # record length beyond data
    _wrap(_record()[:12] + b"\x00\x00" + _record()[14:]),            # no faces
    _wrap(_record()[:12] + b"\x00\x02" + _record()[14:]),            # two faces announced, one present
    _wrap(_record()[:14] + struct.pack(">I", 25) + _record()[18:]),  # face block shorter than its header
    _wrap(_record()[:14] + b"\x00\x00\xff\xff" + _record()[18:]),    # face block beyond the record
    _wrap(_record()[:10]),                                           # truncated record header
    _wrap(_record(), count=b"\x02"),                                 # instance count mismatch
    _wrap(_record(), extra=encode_tlv(0x5F2E, b"")),                 # stray tag in the group
    encode_tlv(0x75, encode_tlv(0x7F60, b"")),                       # no group template
    encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x7F60, b""))),   # no count
    encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x02, b"\x01") + encode_tlv(0x7F60, encode_tlv(0xA1, b"")))),
    encode_tlv(0x76, b""),                                           # wrong outer tag
])
def test_malformed(data):
    with pytest.raises(ParseError):
        Dg2.parse(data)


def test_face_record_too_short():
    with pytest.raises(ParseError):
        parse_face_record(b"FAC\x00")


def test_every_truncation_is_a_parse_error():
    data = _hand_built_dg2(JPEG, 480, 640, 0)
    for cut in range(len(data)):
        with pytest.raises(ParseError):
            Dg2.parse(data[:cut])


@settings(max_examples=300)
@given(st.data())
def test_mutations_only_parse_error(data):
    raw = bytearray(_hand_built_dg2(JPEG, 480, 640, 0))
    for _ in range(data.draw(st.integers(1, 3))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        dg2 = Dg2.parse(bytes(raw))
    except ParseError:
        return
    assert dg2.portrait.format in ("jpeg", "jpeg2000")
    assert Dg2.parse(dg2.encode()) == dg2


@given(st.binary(max_size=120))
def test_random_bytes_only_parse_error(data):
    try:
        dg2 = Dg2.parse(b"\x75" + bytes([len(data)]) + data if len(data) < 128 else data)
    except ParseError:
        return
    assert Dg2.parse(dg2.encode()) == dg2
