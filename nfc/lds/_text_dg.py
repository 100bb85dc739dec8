"""Shared machinery of DG11 and DG12: a tag list (5C) then one TLV per field, some fields repeated under A0."""

from __future__ import annotations

from nfc.errors import ParseError
from nfc.lds.tlv import encode_tag_list, encode_tlv, parse_all, parse_tag_list, unwrap

TAG_LIST = 0x5C
_GROUP = 0xA0
_COUNT = 0x02


def decode_text(value: bytes, what: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(f"{what} is not UTF-8") from None


def parse_fields(data: bytes, outer: int, name: str,
                 repeated: frozenset[int]) -> tuple[dict[int, bytes], dict[int, list[bytes]]]:
    """(single fields by tag, repeated fields by item tag).

    Items whose tag is in ``repeated`` come grouped as A0 { 02 count, item ... }; a lone one is a one-item list.
    """
    items = parse_all(unwrap(data, outer, name))
    if not items or items[0][0] != TAG_LIST:
        raise ParseError(f"{name} does not start with its tag list")
    parse_tag_list(items[0][1])
    single: dict[int, bytes] = {}
    lists: dict[int, list[bytes]] = {}
    for tag, value in items[1:]:
        if tag == _GROUP:
            inner = parse_all(value)
            if not inner or inner[0][0] != _COUNT or len(inner[0][1]) != 1:
                raise ParseError(f"{name} repeated field group lacks its count")
            members = inner[1:]
            if inner[0][1][0] != len(members) or not members:
                raise ParseError(f"{name} repeated field count does not match")
            item_tag = members[0][0]
            if item_tag not in repeated or any(t != item_tag for t, _ in members):
                raise ParseError(f"{name} repeated field group holds unexpected tags")
            lists.setdefault(item_tag, []).extend(v for _, v in members)
        elif tag in repeated:
            lists.setdefault(tag, []).append(value)
        elif tag in single:
            raise ParseError(f"{name} field {tag:X} appears twice")
        else:
            single[tag] = value
    return single, lists


def encode_fields(outer: int, entries: list[tuple[int, bytes | list[bytes]]]) -> bytes:
    """The data group: tag list, then each entry in order; a list value becomes A0 { 02 count, tag ... }.

    As in JMRTD, the tag list names a repeated field by its item tag (e.g. 5F0F), not by A0.
    """
    entries = [(t, v) for t, v in entries if not isinstance(v, list) or v]
    body = b""
    for tag, value in entries:
        if isinstance(value, list):
            if len(value) > 255:
                raise ValueError("at most 255 repeated values")
            body += encode_tlv(_GROUP, encode_tlv(_COUNT, bytes([len(value)]))
                               + b"".join(encode_tlv(tag, v) for v in value))
        else:
            body += encode_tlv(tag, value)
    return encode_tlv(outer, encode_tlv(TAG_LIST, encode_tag_list([t for t, _ in entries])) + body)
