"""BER-TLV as used by the LDS (ICAO 9303-10 §4.4 / ISO 7816-4): tags of 1 to 3 bytes, definite lengths of 1 to 5 bytes.

Every malformed input raises :class:`nfc.errors.ParseError`; nothing here indexes past the data it was given.
Tags are ints holding their encoded bytes big-endian (``0x5F1F``, ``0x7F61``), as ICAO writes them.
"""

from __future__ import annotations

from nfc.errors import ParseError

_MAX_TAG_BYTES = 3
_MAX_LENGTH_BYTES = 4


def _read_tag(data: bytes, offset: int) -> tuple[int, int]:
    if offset >= len(data):
        raise ParseError("TLV truncated: no tag")
    first = data[offset]
    tag = first
    offset += 1
    if first & 0x1F == 0x1F:
        count = 1
        while True:
            if offset >= len(data):
                raise ParseError("TLV truncated inside a multi-byte tag")
            b = data[offset]
            tag = (tag << 8) | b
            offset += 1
            count += 1
            if count > _MAX_TAG_BYTES:
                raise ParseError(f"TLV tag longer than {_MAX_TAG_BYTES} bytes")
            if not b & 0x80:
                break
    return tag, offset


def _read_length(data: bytes, offset: int) -> tuple[int, int]:
    if offset >= len(data):
        raise ParseError("TLV truncated: no length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return first, offset
    if first == 0x80:
        raise ParseError("TLV uses an indefinite length, which the LDS does not allow")
    count = first & 0x7F
    if count > _MAX_LENGTH_BYTES:
        raise ParseError(f"TLV length field of {count} bytes is not supported")
    if offset + count > len(data):
        raise ParseError("TLV truncated inside the length")
    return int.from_bytes(data[offset:offset + count], "big"), offset + count


def read_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Tag, value length and value offset of the TLV at ``offset``, without requiring the value to be there."""
    tag, offset = _read_tag(data, offset)
    length, offset = _read_length(data, offset)
    return tag, length, offset


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """The TLV at ``offset``: (tag, value, offset just after it)."""
    if offset < 0:
        raise ParseError("TLV offset is negative")
    tag, length, start = read_header(data, offset)
    end = start + length
    if end > len(data):
        raise ParseError(f"TLV {tag:X} truncated: {length} value bytes announced, {len(data) - start} present")
    return tag, bytes(data[start:end]), end


def parse_located(data: bytes) -> list[tuple[int, bytes, int]]:
    """Every TLV in ``data`` as (tag, value, offset of its tag): secure messaging needs to know where
    the MAC object starts, since the MAC covers everything before it."""
    out: list[tuple[int, bytes, int]] = []
    offset = 0
    while offset < len(data):
        tag, value, end = read_tlv(data, offset)
        out.append((tag, value, offset))
        offset = end
    return out


def parse_all(data: bytes) -> list[tuple[int, bytes]]:
    """Every TLV in ``data``, which must be a concatenation of complete TLVs."""
    return [(tag, value) for tag, value, _ in parse_located(data)]


def tlv_total_length(header: bytes) -> int:
    """Total size (tag + length + value) of the TLV whose first bytes are ``header``.

    The reader reads the first few bytes of a file and asks this how many bytes the whole file has.
    """
    _, length, start = read_header(header, 0)
    return start + length


def encode_tag(tag: int) -> bytes:
    """The encoded bytes of ``tag``."""
    if tag < 0:
        raise ValueError("a tag cannot be negative")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_length(length: int) -> bytes:
    """Shortest definite length encoding."""
    if length < 0:
        raise ValueError("a length cannot be negative")
    if length < 0x80:
        return bytes([length])
    size = (length.bit_length() + 7) // 8
    if size > _MAX_LENGTH_BYTES:
        raise ValueError("value too long for a 4-byte length")
    return bytes([0x80 | size]) + length.to_bytes(size, "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    """One TLV with the shortest length form."""
    return encode_tag(tag) + encode_length(len(value)) + bytes(value)


def is_constructed(tag: int) -> bool:
    """Whether ``tag`` announces a constructed value (bit 6 of its first byte)."""
    first = encode_tag(tag)[0]
    return bool(first & 0x20)


def unwrap(data: bytes, tag: int, what: str = "data") -> bytes:
    """The value of ``data``, which must be exactly one TLV with ``tag`` (nothing before or after)."""
    found, value, end = read_tlv(data, 0)
    if found != tag:
        raise ParseError(f"{what}: expected tag {tag:X}, found {found:X}")
    if end != len(data):
        raise ParseError(f"{what}: {len(data) - end} unexpected bytes after tag {tag:X}")
    return value


def find_tag(items: list[tuple[int, bytes]], tag: int) -> bytes | None:
    """Value of the first item with ``tag``, None when there is none."""
    for t, v in items:
        if t == tag:
            return v
    return None


def require_tag(items: list[tuple[int, bytes]], tag: int, what: str = "data") -> bytes:
    """Value of the first item with ``tag``; ParseError when it is missing."""
    value = find_tag(items, tag)
    if value is None:
        raise ParseError(f"{what}: tag {tag:X} is missing")
    return value


def expect(item: tuple[int, bytes], tag: int, what: str = "data") -> bytes:
    """Value of ``item``, which must carry ``tag``."""
    if item[0] != tag:
        raise ParseError(f"{what}: expected tag {tag:X}, found {item[0]:X}")
    return item[1]


def parse_tag_list(data: bytes) -> tuple[int, ...]:
    """A concatenation of bare tags (as in EF.COM's 5C or DG11's tag list)."""
    tags: list[int] = []
    offset = 0
    while offset < len(data):
        tag, offset = _read_tag(data, offset)
        tags.append(tag)
    return tuple(tags)


def encode_tag_list(tags: tuple[int, ...] | list[int]) -> bytes:
    """Bare tags one after the other."""
    return b"".join(encode_tag(t) for t in tags)
