"""DG11 (ICAO 9303-10 §4.7.11): additional personal details. Absent on CCCD; read when a passport has it."""

from __future__ import annotations

from dataclasses import dataclass, field

from nfc.lds._text_dg import decode_text, encode_fields, parse_fields

TAG = 0x6B
_OTHER_NAME = 0x5F0F
_TEXT_FIELDS = {
    0x5F0E: "full_name", 0x5F10: "personal_number", 0x5F2B: "full_date_of_birth", 0x5F11: "place_of_birth",
    0x5F42: "permanent_address", 0x5F12: "telephone", 0x5F13: "profession", 0x5F14: "title",
    0x5F15: "personal_summary", 0x5F17: "other_valid_td_numbers", 0x5F18: "custody_information",
}
_PROOF_OF_CITIZENSHIP = 0x5F16
# ICAO 9303-10 table 36 order
_ORDER = (0x5F0E, 0x5F0F, 0x5F10, 0x5F2B, 0x5F11, 0x5F42, 0x5F12, 0x5F13, 0x5F14, 0x5F15, 0x5F16, 0x5F17, 0x5F18)


@dataclass(frozen=True)
class Dg11:
    """DG11 fields as text (dates stay as stored, e.g. "19740812"); unknown tags kept raw in ``unknown``."""

    full_name: str | None = None
    other_names: tuple[str, ...] = ()
    personal_number: str | None = None
    full_date_of_birth: str | None = None
    place_of_birth: str | None = None
    permanent_address: str | None = None
    telephone: str | None = None
    profession: str | None = None
    title: str | None = None
    personal_summary: str | None = None
    proof_of_citizenship: bytes | None = None
    other_valid_td_numbers: str | None = None
    custody_information: str | None = None
    unknown: dict[int, bytes] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "Dg11(...)"

    @classmethod
    def parse(cls, data: bytes) -> Dg11:
        single, lists = parse_fields(data, TAG, "DG11", frozenset({_OTHER_NAME}))
        values: dict[str, object] = {}
        unknown: dict[int, bytes] = {}
        for tag, value in single.items():
            if tag in _TEXT_FIELDS:
                values[_TEXT_FIELDS[tag]] = decode_text(value, f"DG11 field {tag:X} ({_TEXT_FIELDS[tag]})")
            elif tag == _PROOF_OF_CITIZENSHIP:
                values["proof_of_citizenship"] = value
            else:
                unknown[tag] = value
        names = tuple(decode_text(v, "DG11 other name") for v in lists.get(_OTHER_NAME, []))
        return cls(other_names=names, unknown=unknown, **values)  # type: ignore[arg-type]

    def encode(self) -> bytes:
        entries: dict[int, bytes | list[bytes]] = {
            tag: getattr(self, name).encode("utf-8") for tag, name in _TEXT_FIELDS.items()
            if getattr(self, name) is not None
        }
        entries[_OTHER_NAME] = [n.encode("utf-8") for n in self.other_names]
        if self.proof_of_citizenship is not None:
            entries[_PROOF_OF_CITIZENSHIP] = self.proof_of_citizenship
        ordered = [(t, entries[t]) for t in _ORDER if t in entries] + list(self.unknown.items())
        return encode_fields(TAG, ordered)
