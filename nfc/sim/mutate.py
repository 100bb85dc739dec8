"""Hostile variants of genuine files: the mutations a fuzzer applies to what a card (or a person) hands over.

:func:`mutate` takes a genuine input (a data group, EF.SOD, a master list, a QR code's text …) and returns a
variant made by one to four edits drawn by ``rng``. Byte edits: flipped bits, boundary bytes, bytes inserted,
deleted, repeated or cut off, look-alike text (Unicode digits, a byte-order mark, separators). Structure edits,
where the input is BER-TLV: the input is read as a tree, one element is changed (a length field made oversized,
indefinite, eight bytes long or off by a few; a tag changed; a value emptied, swapped, repeated or nested
thousands deep) and the tree is written back with every *enclosing* length right, so the hostile element is
what a parser meets first. The 14-byte EF.CardAccess ``310c300a0688ffffffffffffffff`` (an OID announcing
2^64 bytes inside well-formed SET and SEQUENCE) is one such variant. Deterministic given ``rng``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from nfc.errors import ParseError
from nfc.lds.tlv import encode_length, encode_tag, read_header

_BOUNDARY_BYTES = (0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x88, 0xFE, 0xFF)
_LENGTH_FIELDS = (b"\x80", b"\x00", b"\x81\xff", b"\x82\xff\xff", b"\x83\x20\x00\x00", b"\x84\xff\xff\xff\xff",
                  b"\x85\x01\x00\x00\x00\x00", b"\x88\xff\xff\xff\xff\xff\xff\xff\xff", b"\x8f" + b"\xff" * 15)
_VALUES = (b"", b"\x00", b"\xff", b"\x80", b"\x00" * 9, b"\xff" * 9, b"\x7f" + b"\xff" * 64, b"\x80" * 200)
_TAGS = (0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x0C, 0x13, 0x17, 0x18, 0x1F, 0x30, 0x31, 0x3F, 0x5F, 0x7F, 0xA0,
         0xA3, 0xFF)
_TEXT = ("\ufeff", "²", "١٢٣", "۳", "𝟙", "٠", "|", "||", ";", ",", "\t", "\r\n", "\n", '"', "\x00", "/", "-",
         "Đ", "ư", "\u0301", "\u202e", " ", "=", "[", "]", "#", "'''", "0" * 40, "9" * 19)
_MAX_NODES = 4000
_MAX_DEPTH = 32


@dataclass
class _Node:
    """One TLV: its tag bytes, its children (constructed) or value, and a length field forced by a mutation."""

    tag: bytes
    value: bytes = b""
    children: list[_Node] | None = None
    length: bytes | None = None  # None: the right length, written back
    raw: bytes | None = None  # the whole encoding, when a mutation wrote it directly

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        payload = b"".join(c.encode() for c in self.children) if self.children is not None else self.value
        return self.tag + (self.length if self.length is not None else encode_length(len(payload))) + payload


def _parse(data: bytes, budget: list[int], depth: int = 0) -> list[_Node] | None:
    """``data`` as a sequence of TLVs, None when it is not exactly that (values deeper than 32 kept whole)."""
    nodes: list[_Node] = []
    offset = 0
    while offset < len(data):
        try:
            tag, length, start = read_header(data, offset)
        except ParseError:
            return None
        if start + length > len(data) or budget[0] <= 0:
            return None
        budget[0] -= 1
        value = data[start : start + length]
        node = _Node(encode_tag(tag), value)
        if data[offset] & 0x20 and value and depth < _MAX_DEPTH:
            node.children = _parse(value, budget, depth + 1)
        nodes.append(node)
        offset = start + length
    return nodes


def _walk(nodes: list[_Node]) -> list[tuple[list[_Node], int]]:
    """Every node as (its sibling list, its index), outer ones first."""
    out: list[tuple[list[_Node], int]] = []
    pending = [nodes]
    while pending:
        siblings = pending.pop()
        for i, node in enumerate(siblings):
            out.append((siblings, i))
            if node.children is not None:
                pending.append(node.children)
    return out


def _tree_edit(data: bytes, rng: random.Random) -> bytes | None:
    """One structure edit, or None when ``data`` is not BER-TLV."""
    roots = _parse(data, [_MAX_NODES])
    if not roots:
        return None
    siblings, i = rng.choice(_walk(roots))
    node = siblings[i]
    edit = rng.randrange(8)
    if edit == 0:
        node.length = rng.choice(_LENGTH_FIELDS)
    elif edit == 1:  # announces more than there is, the value cut short
        node.length, node.children, node.value = rng.choice(_LENGTH_FIELDS[2:]), None, b""
    elif edit == 2:
        node.length = encode_length(max(0, len(node.encode()) + rng.choice((-3, -2, -1, 1, 2, 128, 256))))
    elif edit == 3:
        node.tag = bytes([rng.choice(_TAGS + (node.tag[0] ^ 0x20,))]) + (b"\x01" if rng.random() < 0.2 else b"")
    elif edit == 4:
        node.children, node.value = None, rng.choice(_VALUES)
    elif edit == 5:  # repeated, or dropped
        siblings[i : i + 1] = [node] * rng.choice((0, 2, 3, 50))
    elif edit == 6:  # another element of the input in its place
        other = rng.choice(_walk(_parse(data, [_MAX_NODES]) or []))
        siblings[i] = other[0][other[1]]
    else:  # nested thousands deep
        nested = node.encode()
        tag = bytes([rng.choice((0x30, 0x31, 0xA0))])
        for _ in range(rng.choice((64, 1000, 5000))):
            nested = tag + encode_length(len(nested)) + nested
        siblings[i] = _Node(b"", raw=nested)
    return b"".join(n.encode() for n in roots)


def _flip_bit(data: bytearray, rng: random.Random) -> None:
    if data:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)


def _boundary_byte(data: bytearray, rng: random.Random) -> None:
    if data:
        data[rng.randrange(len(data))] = rng.choice(_BOUNDARY_BYTES)


def _insert(data: bytearray, rng: random.Random) -> None:
    at = rng.randrange(len(data) + 1)
    data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))


def _delete(data: bytearray, rng: random.Random) -> None:
    if data:
        at = rng.randrange(len(data))
        del data[at : at + rng.randint(1, 16)]


def _repeat(data: bytearray, rng: random.Random) -> None:
    if data:
        at = rng.randrange(len(data))
        data[at:at] = data[at : at + rng.randint(1, 64)] * rng.randint(1, 4)


def _truncate(data: bytearray, rng: random.Random) -> None:
    if data:
        del data[rng.randrange(len(data)) :]


def _text(data: bytearray, rng: random.Random) -> None:
    at = rng.randrange(len(data) + 1)
    data[at:at] = rng.choice(_TEXT).encode("utf-8")


def _structure(data: bytearray, rng: random.Random) -> None:
    edited = _tree_edit(bytes(data), rng)
    if edited is None:
        _boundary_byte(data, rng)
    else:
        data[:] = edited


MUTATIONS: tuple[Callable[[bytearray, random.Random], None], ...] = (
    _flip_bit, _boundary_byte, _insert, _delete, _repeat, _truncate, _text, _structure, _structure, _structure,
)


def mutate(seed: bytes, rng: random.Random, *, max_edits: int = 3) -> bytes:
    """A variant of ``seed`` after 1 to ``max_edits`` edits drawn by ``rng``."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, max_edits)):
        rng.choice(MUTATIONS)(data, rng)
    return bytes(data)
