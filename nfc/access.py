"""Access keys for opening a chip: the CAN (for PACE) and the MRZ data (for BAC or PACE).

These are the chip-level keys only. Turning what a person types or scans (a 12-digit CCCD number, the
QR code) into one of them is the application's business (:mod:`kiosk.keys`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from nfc.errors import AccessKeyError

PASSWORD_MRZ = 1
PASSWORD_CAN = 2

_DOC_NUMBER = re.compile(r"[0-9A-Z<]{1,}")
_CHECK_WEIGHTS = (7, 3, 1)


def check_digit(text: str) -> str:
    """ICAO 9303-3 check digit over digits, capital letters and ``<``."""
    total = 0
    for i, ch in enumerate(text):
        if "0" <= ch <= "9":  # ASCII digits only: str.isdigit() also takes "²" and "١"
            value = ord(ch) - 48
        elif "A" <= ch <= "Z":
            value = ord(ch) - 55
        elif ch == "<":
            value = 0
        else:
            raise AccessKeyError(f"character {ch!r} is not allowed in MRZ data")
        total += value * _CHECK_WEIGHTS[i % 3]
    return str(total % 10)


def _yymmdd(value: str, what: str) -> str:
    if not re.fullmatch(r"[0-9]{6}", value):
        raise AccessKeyError(f"{what} must be 6 digits YYMMDD (0-9 only), got {len(value)} characters")
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise AccessKeyError(f"{what} has month {month:02d}; it must be 01 to 12")
    if not 1 <= day <= 31:
        raise AccessKeyError(f"{what} has day {day:02d}; it must be 01 to 31")
    return value


@dataclass(frozen=True)
class CanKey:
    """Card Access Number: 6 digits (on CCCD, the last 6 digits of the ID number)."""

    can: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9]{6}", self.can):
            raise AccessKeyError("the CAN must be exactly 6 digits (0-9 only)")

    password_reference = PASSWORD_CAN

    def pace_password(self) -> bytes:
        return self.can.encode("ascii")

    def __repr__(self) -> str:  # keep the key itself out of logs
        return "CanKey(can=******)"


@dataclass(frozen=True)
class MrzKey:
    """The MRZ fields BAC (and PACE-MRZ) is keyed with."""

    document_number: str
    date_of_birth: str
    date_of_expiry: str

    def __post_init__(self) -> None:
        if not _DOC_NUMBER.fullmatch(self.document_number) or len(self.document_number) > 22:
            raise AccessKeyError("the document number must be 1 to 22 digits or capital letters")
        _yymmdd(self.date_of_birth, "date of birth")
        _yymmdd(self.date_of_expiry, "date of expiry")

    password_reference = PASSWORD_MRZ

    def mrz_information(self) -> str:
        """Document number (padded to 9) + check digit, birth date + check digit, expiry + check digit."""
        doc = self.document_number.ljust(9, "<")
        return (doc + check_digit(doc) + self.date_of_birth + check_digit(self.date_of_birth)
                + self.date_of_expiry + check_digit(self.date_of_expiry))

    def key_seed(self) -> bytes:
        """Kseed = first 16 bytes of SHA-1 over the MRZ information (ICAO 9303-11 §9.7.1.1)."""
        return hashlib.sha1(self.mrz_information().encode("ascii")).digest()[:16]

    def pace_password(self) -> bytes:
        """For PACE with MRZ the password is SHA-1 of the MRZ information (all 20 bytes)."""
        return hashlib.sha1(self.mrz_information().encode("ascii")).digest()

    def __repr__(self) -> str:
        return "MrzKey(******)"


AccessKey = CanKey | MrzKey
