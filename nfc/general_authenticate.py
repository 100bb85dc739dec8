"""GENERAL AUTHENTICATE (ISO/IEC 7816-4 §11.5.5) with dynamic authentication data, as PACE and Chip
Authentication use it: each command and answer carries one ``7C`` template of data objects; PACE chains its
steps (CLA ``10``) until the last one."""

from __future__ import annotations

from nfc.apdu import INS, CommandApdu
from nfc.errors import ParseError
from nfc.lds.tlv import encode_tlv, parse_all

TAG_DYNAMIC_AUTH = 0x7C
CLA_CHAIN = 0x10


def general_authenticate(payload: bytes, *, last: bool) -> CommandApdu:
    """GENERAL AUTHENTICATE with ``7C { payload }``, chained (CLA 10) unless ``last``."""
    return CommandApdu(0x00 if last else CLA_CHAIN, INS.GENERAL_AUTHENTICATE, 0, 0,
                       encode_tlv(TAG_DYNAMIC_AUTH, payload), le=256)


def parse_dynamic_auth(data: bytes) -> dict[int, bytes]:
    """The data objects inside one ``7C`` template, by tag; ParseError for anything else."""
    outer = parse_all(data)
    if len(outer) != 1 or outer[0][0] != TAG_DYNAMIC_AUTH:
        raise ParseError("expected one 7C dynamic authentication data object")
    return dict(parse_all(outer[0][1]))
