"""Access keys from what a person types or the camera scans: the 12-digit CCCD number, a CAN, MRZ data,
or the text of the QR code printed on the card.

Every function raises :class:`nfc.errors.AccessKeyError` with a sentence saying exactly what is wrong
(never echoing the number itself, which is personal data). The QR code's layout and the variants seen in
the field: docs/cccd-qr.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from nfc.access import CanKey, MrzKey
from nfc.errors import AccessKeyError

ID_LENGTH = 12
_SEPARATORS = re.compile(r"[\s.\-]")  # what people type between digit groups
# digit 4 of the ID: century and sex (Decree 137/2015, circular 07/2016)
_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


def _invalid(reason: str, message_key: str) -> AccessKeyError:
    """An AccessKeyError whose message key says this exact reason to the person."""
    error = AccessKeyError(reason, step="key")
    error.message_key = message_key
    return error


def _describe(ch: str) -> str:
    """What a character that is not 0-9 is, without repeating it (it may be part of a number)."""
    if unicodedata.decimal(ch, None) is not None:
        return "a digit of another script"  # "١", "۳": str.isdigit and \d accept them
    if ch.isdigit() or ch.isnumeric():
        return "a superscript or other numeric sign"  # "²", "①"
    if ch.isalpha():
        return "a letter"
    if unicodedata.category(ch)[0] in "PS":
        return "a punctuation mark or symbol"
    return "an invisible or control character"


def ascii_digits(text: str, what: str) -> str:
    """``text`` without the spaces, dots and dashes a person types, which must leave the digits 0-9 only.

    Only ASCII digits: ``str.isdigit`` and ``\\d`` also accept ``²`` or Arabic-Indic digits, which a chip
    key cannot hold. The error names the first bad character's position and kind, never the number."""
    if not isinstance(text, str):
        raise _invalid(f"{what} is not text", "key.digits_only")
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise _invalid(f"{what} is empty", "key.empty")
    for position, ch in enumerate(digits, 1):
        if not "0" <= ch <= "9":
            raise _invalid(f"{what} must contain only the digits 0 to 9; character {position} is "
                           f"{_describe(ch)}", "key.digits_only")
    return digits


def parse_id_number(text: str) -> str:
    """Validate a 12-digit CCCD number (spaces and dots a person may type are ignored)."""
    digits = ascii_digits(text, "the ID number")
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
    digits = ascii_digits(text, "the CAN")
    if len(digits) != 6:
        raise _invalid(f"the CAN must have 6 digits, not {len(digits)}", "key.wrong_length")
    return CanKey(digits)


def bac_document_number(id_number: str) -> str:
    """BAC document number of a CCCD: the last 9 digits of the ID number."""
    return parse_id_number(id_number)[-9:]


def key_from_mrz(text: str) -> MrzKey:
    """``DOCNO:YYMMDD:YYMMDD`` (document number, birth date, expiry date); a 12-digit ID is accepted as
    the document number and cut to its last 9 digits, as the chip expects."""
    parts = text.strip().upper().split(":") if isinstance(text, str) else []
    if len(parts) != 3:
        raise AccessKeyError("MRZ data must be DOCUMENT:YYMMDD:YYMMDD (document number, birth, expiry)")
    doc, born, expires = (p.strip() for p in parts)
    if len(doc) == ID_LENGTH and _ASCII_DIGITS.fullmatch(doc):
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


QR_SEPARATOR = "|"
QR_FIELDS = 7  # ID | old CMND | name | birth date | sex | address | issue date
_ASCII_DIGITS = re.compile(r"[0-9]+")
_QR_DATE = re.compile(r"([0-9]{2})/?([0-9]{2})/?([0-9]{4})")  # ddmmyyyy, or dd/mm/yyyy as some apps write it


def _qr_date(value: str, what: str) -> date | None:
    if not value:
        return None
    m = _QR_DATE.fullmatch(value)
    if m is None or value.count("/") not in (0, 2):
        raise AccessKeyError(f"the QR code's {what} must be 8 digits ddmmyyyy or dd/mm/yyyy")
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise AccessKeyError(f"the QR code's {what} is not a real date") from exc


def qr_fields(text: str) -> list[str]:
    """The QR text's seven fields, in the 7-field order, whatever the variant seen in the field:

    - a byte-order mark, spaces or a line end around the text, and trailing separators are dropped;
    - the 6-field form some apps produce (no old ID field: ``ID|name|birth|sex|address|issue``) is
      recognised by its second field, which is then a name rather than empty or digits;
    - missing trailing fields are empty, extra ones ignored.
    """
    if not isinstance(text, str):
        raise AccessKeyError("the QR code is not text")
    fields = [f.strip() for f in text.strip().lstrip("\ufeff").split(QR_SEPARATOR)]
    while fields and not fields[-1]:
        fields.pop()
    if len(fields) < 3:
        raise AccessKeyError("this QR code is not a CCCD code: it has fewer than 3 fields separated by '|'")
    if fields[1] and not _ASCII_DIGITS.fullmatch(fields[1]):
        fields.insert(1, "")  # the 6-field form: field 2 is already the name
    return (fields + [""] * QR_FIELDS)[:QR_FIELDS]


def parse_qr(text: str) -> QrData:
    """The CCCD QR code: ``ID|CMND|name|ddmmyyyy|sex|address|ddmmyyyy`` and its variants (:func:`qr_fields`).

    Raises :class:`AccessKeyError` for any other text; the session cross-checks the ID number, name and
    birth date against the chip whichever variant it was."""
    id_text, old, name, born, sex, address, issued = qr_fields(text)
    id_number = parse_id_number(id_text)
    if old and not re.fullmatch(r"[0-9]{9}", old):
        raise AccessKeyError("the QR code's old ID (CMND) number must have 9 digits")
    return QrData(
        id_number=id_number,
        old_id_number=old or None,
        full_name=name,
        date_of_birth=_qr_date(born, "date of birth"),
        sex=sex or None,
        address=address or None,
        issue_date=_qr_date(issued, "issue date"),
    )
