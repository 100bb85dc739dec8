"""Access keys from what a person types or the camera scans: the 12-digit CCCD number, a CAN, MRZ data,
or the text of the QR code printed on the card.

Every function raises :class:`nfc.errors.AccessKeyError` with a sentence saying exactly what is wrong
(never echoing the number itself, which is personal data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nfc.access import CanKey, MrzKey
from nfc.errors import AccessKeyError

ID_LENGTH = 12
# digit 4 of the ID: century and sex (Decree 137/2015, circular 07/2016)
_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


def _invalid(reason: str, message_key: str) -> AccessKeyError:
    """An AccessKeyError whose message key says this exact reason to the person."""
    error = AccessKeyError(reason, step="key")
    error.message_key = message_key
    return error


def parse_id_number(text: str) -> str:
    """Validate a 12-digit CCCD number (spaces and dots a person may type are ignored)."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits:
        raise _invalid("the ID number is empty", "key.empty")
    if not digits.isdigit():
        raise _invalid("the ID number must contain digits only", "key.digits_only")
    if len(digits) != ID_LENGTH:
        raise _invalid(f"the ID number must have 12 digits, not {len(digits)}", "key.wrong_length")
    province = int(digits[:3])
    if not 1 <= province <= 96:
        raise _invalid(f"the ID number starts with province code {digits[:3]}, which does not exist",
                       "key.unknown_province")
    return digits


def birth_year_from_id(id_number: str) -> int:
    """The birth year the ID number encodes (century digit + two year digits)."""
    return _CENTURY[int(id_number[3])] + int(id_number[4:6])


def key_from_id(text: str) -> CanKey:
    """On CCCD the CAN is the last 6 digits of the ID number."""
    return CanKey(parse_id_number(text)[-6:])


def key_from_can(text: str) -> CanKey:
    digits = re.sub(r"\s", "", text)
    if not digits.isdigit():
        raise _invalid("the CAN must contain digits only", "key.digits_only")
    if len(digits) != 6:
        raise _invalid(f"the CAN must have 6 digits, not {len(digits)}", "key.wrong_length")
    return CanKey(digits)


def bac_document_number(id_number: str) -> str:
    """BAC document number of a CCCD: the last 9 digits of the ID number."""
    return parse_id_number(id_number)[-9:]


def key_from_mrz(text: str) -> MrzKey:
    """``DOCNO:YYMMDD:YYMMDD`` (document number, birth date, expiry date); a 12-digit ID is accepted as
    the document number and cut to its last 9 digits, as the chip expects."""
    parts = text.strip().upper().split(":")
    if len(parts) != 3:
        raise AccessKeyError("MRZ data must be DOCUMENT:YYMMDD:YYMMDD (document number, birth, expiry)")
    doc, born, expires = (p.strip() for p in parts)
    if len(doc) == ID_LENGTH and doc.isdigit():
        doc = bac_document_number(doc)
    return MrzKey(doc, born, expires)


@dataclass(frozen=True)
class QrData:
    """The fields of the QR code on a CCCD (front) or a 2024 căn cước card (back)."""

    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date | None
    sex: str | None
    address: str | None
    issue_date: date | None

    def access_key(self) -> CanKey:
        return CanKey(self.id_number[-6:])

    def __repr__(self) -> str:
        return "QrData(******)"


def _ddmmyyyy(value: str, what: str) -> date | None:
    if not value:
        return None
    if not re.fullmatch(r"\d{8}", value):
        raise AccessKeyError(f"the QR code's {what} must be 8 digits ddmmyyyy")
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError as exc:
        raise AccessKeyError(f"the QR code's {what} is not a real date") from exc


def parse_qr(text: str) -> QrData:
    """``ID|CMND|name|ddmmyyyy|sex|address|ddmmyyyy``; missing or extra trailing fields are tolerated."""
    fields = text.strip().split("|")
    if len(fields) < 3:
        raise AccessKeyError("this QR code is not a CCCD code: it has fewer than 3 fields separated by '|'")
    fields += [""] * (7 - len(fields))
    id_number = parse_id_number(fields[0])
    old = fields[1].strip() or None
    if old is not None and not re.fullmatch(r"\d{9}", old):
        raise AccessKeyError("the QR code's old ID (CMND) number must have 9 digits")
    return QrData(
        id_number=id_number,
        old_id_number=old,
        full_name=fields[2].strip(),
        date_of_birth=_ddmmyyyy(fields[3].strip(), "date of birth"),
        sex=fields[4].strip() or None,
        address=fields[5].strip() or None,
        issue_date=_ddmmyyyy(fields[6].strip(), "issue date"),
    )
