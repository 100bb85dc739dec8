import pytest
from hypothesis import given
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.tlv import (
    encode_length,
    encode_tag_list,
    encode_tlv,
    expect,
    find_tag,
    is_constructed,
    parse_all,
    parse_tag_list,
    read_tlv,
    require_tag,
    tlv_total_length,
    unwrap,
)


def test_single_byte_tag_short_length():
    assert read_tlv(bytes.fromhex("0203010203FF")) == (0x02, b"\x01\x02\x03", 5)


def test_multi_byte_tags():
    data = bytes.fromhex("5F1F0241427F6103020101")
    assert parse_all(data) == [(0x5F1F, b"AB"), (0x7F61, bytes.fromhex("020101"))]


def test_three_byte_tag():
    assert read_tlv(bytes.fromhex("5F8101" "01" "AA")) == (0x5F8101, b"\xaa", 5)


@pytest.mark.parametrize(("header", "size"), [
    ("8180", 0x80), ("820100", 0x100), ("83010000", 0x10000), ("8401000000", 0x1000000),
])
def test_long_length_forms(header, size):
    head = bytes.fromhex("04" + header)
    assert tlv_total_length(head) == len(head) + size
    if size <= 0x10000:
        full = head + bytes(size)
        assert read_tlv(full) == (0x04, bytes(size), len(full))


@pytest.mark.parametrize(("length", "encoded"), [
    (0, "00"), (127, "7F"), (128, "8180"), (255, "81FF"), (256, "820100"), (65535, "82FFFF"),
    (65536, "83010000"), (0x1000000, "8401000000"),
])
def test_encode_length_is_shortest(length, encoded):
    assert encode_length(length).hex().upper() == encoded


def test_encode_tlv_multi_byte_tag():
    assert encode_tlv(0x5F1F, b"AB") == bytes.fromhex("5F1F024142")
    assert encode_tlv(0x7F61, bytes(200))[:4] == bytes.fromhex("7F6181C8")


def test_tlv_total_length_from_file_head():
    # DG2 head as the reader sees it: 75 82 1234 ...
    assert tlv_total_length(bytes.fromhex("7582123401")) == 4 + 0x1234
    assert tlv_total_length(bytes.fromhex("6D81AA30")) == 3 + 0xAA
    assert tlv_total_length(bytes.fromhex("6110")) == 2 + 0x10


@pytest.mark.parametrize("data", [
    "",            # nothing
    "5F",          # multi-byte tag cut
    "5F1F",        # no length
    "0482",        # length cut
    "04820100",    # value missing
    "040301",      # value truncated
    "0480",        # indefinite length
    "048500000000" "01",  # 5-byte length field
    "5F8181810100",  # tag longer than 3 bytes
])
def test_malformed_raises_parse_error(data):
    with pytest.raises(ParseError):
        parse_all(bytes.fromhex(data)) if data else read_tlv(b"")


def test_tlv_total_length_short_header():
    with pytest.raises(ParseError):
        tlv_total_length(bytes.fromhex("7582"))


def test_unwrap_and_helpers():
    data = encode_tlv(0x61, encode_tlv(0x5F1F, b"X"))
    items = parse_all(unwrap(data, 0x61))
    assert require_tag(items, 0x5F1F) == b"X"
    assert find_tag(items, 0x5C) is None
    assert expect(items[0], 0x5F1F) == b"X"
    with pytest.raises(ParseError, match="expected tag 6E"):
        unwrap(data, 0x6E)
    with pytest.raises(ParseError, match="unexpected bytes"):
        unwrap(data + b"\x00", 0x61)
    with pytest.raises(ParseError, match="5C is missing"):
        require_tag(items, 0x5C)
    with pytest.raises(ParseError):
        expect(items[0], 0x5C)
    with pytest.raises(ParseError):
        read_tlv(data, -1)


def test_is_constructed():
    assert is_constructed(0x7F61) and is_constructed(0x30) and is_constructed(0x61)
    assert not is_constructed(0x5F1F) and not is_constructed(0x04)


def test_tag_list():
    assert parse_tag_list(bytes.fromhex("61756D6E6F")) == (0x61, 0x75, 0x6D, 0x6E, 0x6F)
    assert parse_tag_list(bytes.fromhex("5F1F61")) == (0x5F1F, 0x61)
    assert encode_tag_list([0x5F1F, 0x61]) == bytes.fromhex("5F1F61")
    with pytest.raises(ParseError):
        parse_tag_list(b"\x5f")


_tags = st.one_of(
    st.integers(0, 0xFF).filter(lambda b: b & 0x1F != 0x1F),
    st.tuples(st.sampled_from([0x5F, 0x7F, 0x9F, 0xBF]), st.integers(0x1F, 0x7F)).map(lambda t: t[0] << 8 | t[1]),
)


@given(st.lists(st.tuples(_tags, st.binary(max_size=300)), max_size=8))
def test_round_trip(items):
    encoded = b"".join(encode_tlv(t, v) for t, v in items)
    assert parse_all(encoded) == items
    if items:
        assert tlv_total_length(encoded[:8]) == len(encode_tlv(*items[0]))


@given(st.binary(max_size=64))
def test_random_bytes_only_parse_error(data):
    try:
        items = parse_all(data)
    except ParseError:
        return
    assert sum(len(v) for _, v in items) <= len(data)


@given(st.lists(st.tuples(_tags, st.binary(max_size=40)), min_size=1, max_size=4), st.data())
def test_truncation_always_detected(items, data):
    encoded = b"".join(encode_tlv(t, v) for t, v in items)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    boundaries = set()
    offset = 0
    for t, v in items:
        offset += len(encode_tlv(t, v))
        boundaries.add(offset)
    if cut in boundaries or cut == 0:
        return
    with pytest.raises(ParseError):
        parse_all(encoded[:cut])
