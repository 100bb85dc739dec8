"""DG13 of the Vietnamese CCCD: the citizen's details as the card prints them (full name with diacritics,
hometown, residence, parents, old ID number), which DG1's transliterated MRZ cannot carry.

``6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8 (UTF-8), SET { SEQUENCE { INTEGER n, value } ... } } }``,
fields keyed by ``n``, any of them may be missing; the table of fields and its sources are in
``docs/chip.md``. Field 13 (parents) has been seen both as ``SEQUENCE { father, mother }`` and as
``SEQUENCE { SEQUENCE { father }, SEQUENCE { mother } }`` (or the two inner SEQUENCEs directly after the
INTEGER); all are accepted. Field 14 (spouse) is a string, a ``SEQUENCE { string }``, empty or absent.
Field 16 and unknown numbers are kept raw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from nfc.errors import ParseError
from nfc.lds.tlv import encode_tlv, parse_all, unwrap
from nfc.oids import ID_UTF8, oid_bytes

TAG = 0x6D
_UTF8_OID_DER = encode_tlv(0x06, oid_bytes(ID_UTF8))  # ISO/IEC 10646 in UTF-8

_INTEGER, _OID, _SEQUENCE, _SET = 0x02, 0x06, 0x30, 0x31
_UTF8, _PRINTABLE = 0x0C, 0x13
_STRING_TAGS = frozenset({_UTF8, _PRINTABLE, 0x14, 0x16, 0x1A, 0x04})  # UTF8, Printable, T61, IA5, Visible, OCTET
_PRINTABLE_CHARS = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]*")
_DMY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")

FIELD_NAMES = {
    1: "ID number", 2: "full name", 3: "date of birth", 4: "sex", 5: "nationality", 6: "ethnicity",
    7: "religion", 8: "hometown", 9: "residence", 10: "identifying marks", 11: "issue date",
    12: "expiry date", 13: "parents", 14: "spouse", 15: "old ID number",
}
_TEXT_FIELDS = {1: "id_number", 2: "full_name", 4: "sex", 5: "nationality", 6: "ethnicity", 7: "religion",
                8: "hometown", 9: "residence", 10: "identifying_marks", 15: "old_id_number"}


def _what(n: int) -> str:
    return f"DG13 field {n} ({FIELD_NAMES.get(n, 'unknown')})"


def _text(tag: int, value: bytes, n: int) -> str | None:
    if tag not in _STRING_TAGS:
        raise ParseError(f"{_what(n)} is not a string")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(f"{_what(n)} is not UTF-8") from None
    return text or None


def _single_text(values: list[tuple[int, bytes]], n: int) -> str | None:
    if not values:
        return None
    if len(values) != 1:
        raise ParseError(f"{_what(n)} holds more than one value")
    return _text(*values[0], n)


def _name(item: tuple[int, bytes], n: int) -> str | None:
    """A string, or a SEQUENCE holding at most one string."""
    tag, value = item
    if tag != _SEQUENCE:
        return _text(tag, value, n)
    inner = parse_all(value)
    if len(inner) > 1:
        raise ParseError(f"{_what(n)} holds a SEQUENCE of more than one name")
    return _text(*inner[0], n) if inner else None


def _parents(values: list[tuple[int, bytes]]) -> tuple[str | None, str | None]:
    items = parse_all(values[0][1]) if len(values) == 1 and values[0][0] == _SEQUENCE else values
    if len(items) > 2:
        raise ParseError(f"{_what(13)} holds more than two names")
    names = [_name(item, 13) for item in items] + [None, None]
    return names[0], names[1]


def _spouse(values: list[tuple[int, bytes]]) -> str | None:
    if not values:
        return None
    if len(values) != 1:
        raise ParseError(f"{_what(14)} holds more than one value")
    return _name(values[0], 14)


def _dmy(text: str | None, n: int, strict: bool) -> tuple[date | None, str | None]:
    """(date, None) for a dd/mm/yyyy date, else (None, text) or ParseError when ``strict``."""
    if text is None:
        return None, None
    m = _DMY.fullmatch(text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])), None
        except ValueError:
            pass
    if strict:
        raise ParseError(f"{_what(n)} is not a dd/mm/yyyy date")
    return None, text


def _field_number(tag: int, value: bytes) -> int:
    if tag != _INTEGER or not 1 <= len(value) <= 4:
        raise ParseError("DG13 field does not start with its INTEGER number")
    n = int.from_bytes(value, "big", signed=True)
    if n < 1:
        raise ParseError("DG13 field number is not positive")
    return n


@dataclass(frozen=True)
class CitizenInfo:
    """The CCCD holder's details from DG13; text exactly as the card stores it (NFC-normalised or not)."""

    id_number: str | None = None
    full_name: str | None = None
    date_of_birth: date | None = None
    date_of_birth_text: str | None = None  # the raw text when field 3 is not a dd/mm/yyyy date (e.g. a year)
    sex: str | None = None  # "Nam" / "Nữ"
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    hometown: str | None = None
    residence: str | None = None
    identifying_marks: str | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    expiry_text: str | None = None  # the raw text when field 12 is not a date, e.g. "Không thời hạn"
    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    old_id_number: str | None = None
    unknown: dict[int, bytes] = field(default_factory=dict)  # field number -> DER of its value(s)

    def __repr__(self) -> str:  # personal data stays out of logs
        return f"CitizenInfo(fields={sorted(self._present())})"

    def _present(self) -> set[int]:
        present = {n for n, name in _TEXT_FIELDS.items() if getattr(self, name) is not None}
        present |= {n for n, ok in ((3, self.date_of_birth or self.date_of_birth_text),
                                    (11, self.issue_date), (12, self.expiry_date or self.expiry_text),
                                    (13, self.father_name or self.mother_name), (14, self.spouse_name)) if ok}
        return present | set(self.unknown)

    @property
    def sex_code(self) -> str | None:
        """"M" for Nam, "F" for Nữ, None otherwise."""
        if self.sex is None:
            return None
        return {"nam": "M", "nữ": "F", "nu": "F"}.get(self.sex.strip().lower())

    @classmethod
    def parse(cls, data: bytes) -> CitizenInfo:
        outer = parse_all(unwrap(data, TAG, "DG13"))
        if len(outer) != 1 or outer[0][0] != _SEQUENCE:
            raise ParseError("DG13 does not hold exactly one SEQUENCE")
        content = parse_all(outer[0][1])
        if content and content[0][0] == _INTEGER:
            content = content[1:]
        if content and content[0][0] == _OID:
            if encode_tlv(_OID, content[0][1]) != _UTF8_OID_DER:
                raise ParseError("DG13 announces a character set other than UTF-8")
            content = content[1:]
        if len(content) != 1 or content[0][0] != _SET:
            raise ParseError("DG13 does not hold its SET of fields")

        raw: dict[int, list[tuple[int, bytes]]] = {}
        for tag, entry in parse_all(content[0][1]):
            if tag != _SEQUENCE:
                raise ParseError("DG13 holds a field that is not a SEQUENCE")
            parts = parse_all(entry)
            if not parts:
                raise ParseError("DG13 holds an empty field")
            n = _field_number(*parts[0])
            if n in raw:
                raise ParseError(f"DG13 field {n} appears twice")
            raw[n] = parts[1:]

        values: dict[str, object] = {}
        unknown: dict[int, bytes] = {}
        for n, parts in raw.items():
            if n in _TEXT_FIELDS:
                values[_TEXT_FIELDS[n]] = _single_text(parts, n)
            elif n == 3:
                values["date_of_birth"], values["date_of_birth_text"] = _dmy(_single_text(parts, n), n, False)
            elif n == 11:
                values["issue_date"] = _dmy(_single_text(parts, n), n, True)[0]
            elif n == 12:
                values["expiry_date"], values["expiry_text"] = _dmy(_single_text(parts, n), n, False)
            elif n == 13:
                if parts:
                    values["father_name"], values["mother_name"] = _parents(parts)
            elif n == 14:
                values["spouse_name"] = _spouse(parts)
            else:
                unknown[n] = b"".join(encode_tlv(t, v) for t, v in parts)
        return cls(unknown=unknown, **values)  # type: ignore[arg-type]

    def encode(self, *, parents_shape: str = "flat") -> bytes:
        """DG13 as the virtual card stores it: UTF8String text, PrintableString ID numbers.

        ``parents_shape`` "flat" writes ``SEQUENCE { father, mother }``; "nested" writes
        ``SEQUENCE { SEQUENCE { father }, SEQUENCE { mother } }``.
        """
        if parents_shape not in ("flat", "nested"):
            raise ValueError("parents_shape is 'flat' or 'nested'")
        fields: dict[int, bytes] = {}
        for n, name in _TEXT_FIELDS.items():
            value = getattr(self, name)
            if value is not None:
                fields[n] = _string(value, printable=n in (1, 15))
        if self.date_of_birth is not None or self.date_of_birth_text is not None:
            fields[3] = _string(_format_dmy(self.date_of_birth) or self.date_of_birth_text or "")
        if self.issue_date is not None:
            fields[11] = _string(_format_dmy(self.issue_date) or "")
        if self.expiry_date is not None or self.expiry_text is not None:
            fields[12] = _string(_format_dmy(self.expiry_date) or self.expiry_text or "")
        if self.father_name is not None or self.mother_name is not None:
            father, mother = _string(self.father_name or ""), _string(self.mother_name or "")
            if parents_shape == "nested":
                father = encode_tlv(_SEQUENCE, father if self.father_name else b"")
                mother = encode_tlv(_SEQUENCE, mother if self.mother_name else b"")
            fields[13] = encode_tlv(_SEQUENCE, father + mother)
        if self.spouse_name is not None:
            fields[14] = encode_tlv(_SEQUENCE, _string(self.spouse_name))
        fields.update(self.unknown)
        entries = b"".join(encode_tlv(_SEQUENCE, encode_tlv(_INTEGER, _int_bytes(n)) + fields[n])
                           for n in sorted(fields))
        content = encode_tlv(_INTEGER, b"\x01") + _UTF8_OID_DER + encode_tlv(_SET, entries)
        return encode_tlv(TAG, encode_tlv(_SEQUENCE, content))


Dg13 = CitizenInfo


def _string(text: str, printable: bool = False) -> bytes:
    if printable and _PRINTABLE_CHARS.fullmatch(text):
        return encode_tlv(_PRINTABLE, text.encode("ascii"))
    return encode_tlv(_UTF8, text.encode("utf-8"))


def _format_dmy(value: date | None) -> str | None:
    return None if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _int_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 8) // 8, "big", signed=True)
