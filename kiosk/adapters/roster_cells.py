"""Roster cells as they come from CSV text or Excel values: clean text, header keys, ID numbers that lost
their leading zeros, birth dates in the spellings Vietnamese rosters use, room codes
(:mod:`kiosk.adapters.roster` reads the table)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from kiosk.names import fold

ID_LENGTH = 12
_EXCEL_EPOCH = date(1899, 12, 30)

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def cell_text(value: object) -> str:
    """A cell as clean text: NFC, stray / non-breaking / zero-width spaces collapsed, a leading
    apostrophe (Excel's "store as text" mark) removed, integral floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    text = _SPACES.sub(" ", text).strip()
    return text[1:].strip() if text.startswith("'") else text


def header_key(value: object) -> str:
    """``"Ngày sinh\n(dd/mm/yyyy)"`` → ``"NGAYSINH"``: folded, spaces and parenthesised notes removed."""
    return fold(re.sub(r"\([^)]*\)", " ", cell_text(value))).replace(" ", "")


def restore_id_number(value: object) -> str | None:
    """The 12-digit ID number from a cell: digits only; a number that lost its leading zeros (CCCD numbers
    all start with 0: province codes are 001-096) is padded back to 12 digits. ``None`` when it cannot be
    a CCCD number (empty, 9-digit old CMND, scientific notation that lost digits, letters)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = cell_text(value)
    if re.fullmatch(r"\d[.,]?\d*[Ee]\+?\d+", text):
        return None  # "1.23457E+11": Excel already threw digits away
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits.isdigit():
        return None
    if len(digits) == ID_LENGTH:
        return digits
    if len(digits) in (ID_LENGTH - 2, ID_LENGTH - 1):
        return digits.zfill(ID_LENGTH)
    return None


def restore_sbd(value: object, digits: int | None) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = cell_text(value).replace(" ", "")
    if digits and text.isdigit() and len(text) < digits:
        return text.zfill(digits)
    return text.upper()


def parse_birth_date(value: object, *, today: date | None = None) -> tuple[date | None, bool]:
    """``(date, year_only)`` from a cell; ``(None, False)`` when it is empty or unreadable.

    Text is read day first (``dd/mm/yyyy``), as Vietnamese rosters write it; a two-digit year is taken
    as the latest year not in the future."""
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if 1900 <= number <= 2100 and number.is_integer():
            return date(int(number), 1, 1), True
        if 1 <= number < 80000:  # an Excel serial date that reached us as a number
            return _EXCEL_EPOCH + timedelta(days=int(number)), False
        return None, False
    text = cell_text(value)
    if not text:
        return None, False
    m = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})(?:\s+0{1,2}:0{2}(?::0{2})?)?", text)
    try:
        if m:
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if len(m.group(3)) == 2:
                now = today or date.today()
                year += 2000 if 2000 + year <= now.year else 1900
            return date(year, month, day), False
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), False
        if re.fullmatch(r"(19|20)\d{2}", text):
            return date(int(text), 1, 1), True
        if re.fullmatch(r"\d{4,5}(\.0+)?", text):
            return parse_birth_date(float(text), today=today)
    except ValueError:
        return None, False
    return None, False


def normalize_room(value: object) -> str:
    """``"Phòng 012"``, ``"012"``, ``12`` and ``"P.12"`` all give ``"12"``; other codes are folded."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    words = fold(cell_text(value)).split()
    while words and words[0] in {"PHONG", "THI", "PT", "P", "SO"}:
        words = words[1:]
    code = "".join(words)
    return str(int(code)) if code.isdigit() else code
