"""DG1 (ICAO 9303-10 §4.7.1): the MRZ, tag 61 { 5F1F MRZ }."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from nfc.lds.mrz import Mrz
from nfc.lds.tlv import encode_tlv, parse_all, require_tag, unwrap

TAG = 0x61
_MRZ = 0x5F1F


@dataclass(frozen=True)
class Dg1:
    """DG1: the holder's MRZ."""

    mrz: Mrz

    @classmethod
    def parse(cls, data: bytes, today: date | None = None) -> Dg1:
        """Parse DG1; ``today`` fixes the century of the birth date (see :meth:`Mrz.parse`)."""
        items = parse_all(unwrap(data, TAG, "DG1"))
        return cls(Mrz.parse(require_tag(items, _MRZ, "DG1"), today=today))

    def encode(self) -> bytes:
        return encode_tlv(TAG, encode_tlv(_MRZ, self.mrz.encode()))
