"""DG12 (ICAO 9303-10 §4.7.12): additional document details. Absent on CCCD; read when a passport has it."""

from __future__ import annotations

from dataclasses import dataclass, field

from nfc.lds._text_dg import decode_text, encode_fields, parse_fields

TAG = 0x6C
_OTHER_PERSON = 0x5F1A
_TEXT_FIELDS = {
    0x5F19: "issuing_authority", 0x5F26: "date_of_issue", 0x5F1B: "endorsements",
    0x5F1C: "tax_or_exit_requirements", 0x5F55: "personalization_time", 0x5F56: "personalization_device",
}
_IMAGE_FIELDS = {0x5F1D: "image_of_front", 0x5F1E: "image_of_rear"}
# ICAO 9303-10 table 37 order
_ORDER = (0x5F19, 0x5F26, 0x5F1A, 0x5F1B, 0x5F1C, 0x5F1D, 0x5F1E, 0x5F55, 0x5F56)


@dataclass(frozen=True)
class Dg12:
    """DG12 fields as text (dates as stored, e.g. "20120415"); images as bytes; unknown tags raw in ``unknown``."""

    issuing_authority: str | None = None
    date_of_issue: str | None = None
    other_persons: tuple[str, ...] = ()
    endorsements: str | None = None
    tax_or_exit_requirements: str | None = None
    image_of_front: bytes | None = None
    image_of_rear: bytes | None = None
    personalization_time: str | None = None
    personalization_device: str | None = None
    unknown: dict[int, bytes] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes) -> Dg12:
        single, lists = parse_fields(data, TAG, "DG12", frozenset({_OTHER_PERSON}))
        values: dict[str, object] = {}
        unknown: dict[int, bytes] = {}
        for tag, value in single.items():
            if tag in _TEXT_FIELDS:
                values[_TEXT_FIELDS[tag]] = decode_text(value, f"DG12 field {tag:X} ({_TEXT_FIELDS[tag]})")
            elif tag in _IMAGE_FIELDS:
                values[_IMAGE_FIELDS[tag]] = value
            else:
                unknown[tag] = value
        persons = tuple(decode_text(v, "DG12 other person") for v in lists.get(_OTHER_PERSON, []))
        return cls(other_persons=persons, unknown=unknown, **values)  # type: ignore[arg-type]

    def encode(self) -> bytes:
        entries: dict[int, bytes | list[bytes]] = {
            tag: getattr(self, name).encode("utf-8") for tag, name in _TEXT_FIELDS.items()
            if getattr(self, name) is not None
        }
        entries.update({tag: getattr(self, name) for tag, name in _IMAGE_FIELDS.items()
                        if getattr(self, name) is not None})
        entries[_OTHER_PERSON] = [n.encode("utf-8") for n in self.other_persons]
        ordered = [(t, entries[t]) for t in _ORDER if t in entries] + list(self.unknown.items())
        return encode_fields(TAG, ordered)
