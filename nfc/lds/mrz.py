"""The machine readable zone as stored in DG1 (ICAO 9303-3/4/5): TD1 (ID cards such as CCCD) and TD3 (passports).

Every check digit is verified, because a DG1 that fails one is either damaged or forged and the MRZ
fields key BAC. Messages name the failed check, never the value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from nfc.access import MrzKey, check_digit
from nfc.errors import ParseError

TD1_LENGTH = 90
TD3_LENGTH = 88
_ALLOWED = re.compile(r"[0-9A-Z<]*")


def _check(field: str, digit: str, what: str) -> None:
    if check_digit(field) != digit:
        raise ParseError(f"MRZ check digit for the {what} does not match")


def _split_name(text: str) -> tuple[str, str]:
    primary, sep, rest = text.partition("<<")
    secondary = rest if sep else ""
    return (" ".join(p for p in primary.split("<") if p),
            " ".join(p for p in secondary.split("<") if p))


def _date(text: str, what: str) -> tuple[int, int, int] | None:
    """(yy, mm, dd), or None when the date is (partly) unknown and filled with '<'."""
    if "<" in text:
        if not re.fullmatch(r"[0-9<]{6}", text):
            raise ParseError(f"MRZ {what} is neither digits nor filler")
        return None
    if not text.isdigit():
        raise ParseError(f"MRZ {what} is not 6 digits")
    return int(text[0:2]), int(text[2:4]), int(text[4:6])


def _to_date(parts: tuple[int, int, int], year: int, what: str) -> date:
    try:
        return date(year, parts[1], parts[2])
    except ValueError:
        raise ParseError(f"MRZ {what} is not a calendar date") from None


def _birth_date(text: str, today: date) -> date | None:
    parts = _date(text, "date of birth")
    if parts is None:
        return None
    year = 2000 + parts[0]
    if (year, parts[1], parts[2]) > (today.year, today.month, today.day):
        year -= 100
    return _to_date(parts, year, "date of birth")


def _expiry_date(text: str) -> date | None:
    parts = _date(text, "date of expiry")
    return None if parts is None else _to_date(parts, 2000 + parts[0], "date of expiry")


def _sex(ch: str) -> str | None:
    if ch in ("M", "F", "X"):
        return ch
    if ch == "<":
        return None
    raise ParseError("MRZ sex is not M, F, X or <")


@dataclass(frozen=True)
class Mrz:
    """A parsed MRZ. Build one with :meth:`parse`, :meth:`build_td1`, :meth:`build_td3` or :meth:`build_cccd`.

    ``text`` is the MRZ exactly as stored (no newlines) and is what :meth:`encode` returns.
    """

    format: str  # "TD1" or "TD3"
    document_code: str
    issuing_state: str
    document_number: str
    date_of_birth: date | None
    date_of_expiry: date | None
    sex: str | None
    nationality: str
    primary_identifier: str
    secondary_identifier: str
    optional_data_1: str  # TD1 line 1 optional data (after a long document number); TD3 personal number
    optional_data_2: str  # TD1 line 2 optional data; "" for TD3
    text: str

    def __repr__(self) -> str:  # keep personal data out of logs
        return f"Mrz(format={self.format!r}, document_code={self.document_code!r}, ...)"

    # -- derived views -------------------------------------------------------------------------------

    @property
    def lines(self) -> tuple[str, ...]:
        """The printed lines (3 x 30 or 2 x 44)."""
        width = 30 if self.format == "TD1" else 44
        return tuple(self.text[i:i + width] for i in range(0, len(self.text), width))

    @property
    def optional_data(self) -> str:
        """TD1: line 1 and line 2 optional data; TD3: personal number; outer fillers removed."""
        return (self.optional_data_1 + self.optional_data_2).strip("<")

    @property
    def date_of_birth_yymmdd(self) -> str:
        return self.text[30:36] if self.format == "TD1" else self.text[57:63]

    @property
    def date_of_expiry_yymmdd(self) -> str:
        return self.text[38:44] if self.format == "TD1" else self.text[65:71]

    @property
    def national_id_number(self) -> str | None:
        """For a CCCD (issuing state VNM): the 12-digit ID number held at the start of the optional data."""
        head = self.optional_data_1[:12]
        if self.issuing_state == "VNM" and len(head) == 12 and head.isdigit():
            return head
        return None

    def access_key(self) -> MrzKey:
        """The BAC / PACE-MRZ key this MRZ opens the chip with."""
        return MrzKey(self.document_number, self.date_of_birth_yymmdd, self.date_of_expiry_yymmdd)

    def encode(self) -> bytes:
        """The MRZ as DG1 stores it (ASCII, no newlines)."""
        return self.text.encode("ascii")

    # -- parsing -------------------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: str | bytes, today: date | None = None) -> Mrz:
        """Parse a TD1 (90 characters) or TD3 (88 characters) MRZ and verify every check digit.

        ``today`` decides the century of the birth date (the latest year not in the future).
        """
        if isinstance(data, bytes | bytearray):
            try:
                text = bytes(data).decode("ascii")
            except UnicodeDecodeError:
                raise ParseError("MRZ is not ASCII") from None
        else:
            text = data
        if not _ALLOWED.fullmatch(text):
            raise ParseError("MRZ holds characters other than 0-9, A-Z and <")
        today = today or date.today()
        if len(text) == TD1_LENGTH:
            return cls._parse_td1(text, today)
        if len(text) == TD3_LENGTH:
            return cls._parse_td3(text, today)
        raise ParseError(f"MRZ has {len(text)} characters; expected 90 (TD1) or 88 (TD3)")

    @classmethod
    def _parse_td1(cls, text: str, today: date) -> Mrz:
        l1, l2, l3 = text[0:30], text[30:60], text[60:90]
        number, number_check, optional_1 = l1[5:14], l1[14], l1[15:30]
        if number_check == "<":
            # Long document number: it continues in the optional data up to its check digit and a filler.
            end = optional_1.find("<")
            if end == -1:
                end = len(optional_1)
            if end < 1:
                raise ParseError("MRZ long document number has no check digit")
            number = number + optional_1[:end - 1]
            number_check = optional_1[end - 1]
            optional_1 = optional_1[end + 1:]
        _check(number, number_check, "document number")
        _check(l2[0:6], l2[6], "date of birth")
        _check(l2[8:14], l2[14], "date of expiry")
        _check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "composite")
        primary, secondary = _split_name(l3)
        return cls(
            format="TD1", document_code=l1[0:2].rstrip("<"), issuing_state=l1[2:5].rstrip("<"),
            document_number=number.rstrip("<"), date_of_birth=_birth_date(l2[0:6], today),
            date_of_expiry=_expiry_date(l2[8:14]), sex=_sex(l2[7]), nationality=l2[15:18].rstrip("<"),
            primary_identifier=primary, secondary_identifier=secondary,
            optional_data_1=optional_1.rstrip("<"), optional_data_2=l2[18:29].rstrip("<"), text=text,
        )

    @classmethod
    def _parse_td3(cls, text: str, today: date) -> Mrz:
        l1, l2 = text[0:44], text[44:88]
        _check(l2[0:9], l2[9], "document number")
        _check(l2[13:19], l2[19], "date of birth")
        _check(l2[21:27], l2[27], "date of expiry")
        personal, personal_check = l2[28:42], l2[42]
        if not (personal_check in "<0" and personal.strip("<") == ""):
            _check(personal, personal_check, "personal number")
        _check(l2[0:10] + l2[13:20] + l2[21:43], l2[43], "composite")
        primary, secondary = _split_name(l1[5:44])
        return cls(
            format="TD3", document_code=l1[0:2].rstrip("<"), issuing_state=l1[2:5].rstrip("<"),
            document_number=l2[0:9].rstrip("<"), date_of_birth=_birth_date(l2[13:19], today),
            date_of_expiry=_expiry_date(l2[21:27]), sex=_sex(l2[20]), nationality=l2[10:13].rstrip("<"),
            primary_identifier=primary, secondary_identifier=secondary,
            optional_data_1=personal.rstrip("<"), optional_data_2="", text=text,
        )

    # -- building ------------------------------------------------------------------------------------

    @classmethod
    def build_td1(cls, *, document_code: str, issuing_state: str, document_number: str,
                  date_of_birth: date, sex: str | None, date_of_expiry: date, nationality: str,
                  primary_identifier: str, secondary_identifier: str = "",
                  optional_data_1: str = "", optional_data_2: str = "") -> Mrz:
        """A TD1 MRZ with all check digits computed (long document numbers continue in the optional data)."""
        number = _field(document_number, "document number")
        opt1 = _field(optional_data_1, "optional data 1")
        if len(number) > 9:
            opt1 = number[9:] + check_digit(number) + "<" + opt1
            l1_number = number[:9] + "<"
        else:
            l1_number = number.ljust(9, "<") + check_digit(number.ljust(9, "<"))
        l1 = (_pad(_field(document_code, "document code"), 2) + _pad(_field(issuing_state, "issuing state"), 3)
              + l1_number + _pad(opt1, 15, "optional data 1"))
        dob, doe = _yymmdd(date_of_birth), _yymmdd(date_of_expiry)
        head = dob + check_digit(dob) + _sex_char(sex) + doe + check_digit(doe)
        head += _pad(_field(nationality, "nationality"), 3) + _pad(_field(optional_data_2, "optional data 2"), 11)
        l2 = head + check_digit(l1[5:30] + head[0:7] + head[8:15] + head[18:29])
        l3 = _name_field(primary_identifier, secondary_identifier, 30)
        return cls.parse(l1 + l2 + l3, today=date_of_birth)

    @classmethod
    def build_td3(cls, *, document_code: str, issuing_state: str, document_number: str,
                  date_of_birth: date, sex: str | None, date_of_expiry: date, nationality: str,
                  primary_identifier: str, secondary_identifier: str = "", personal_number: str = "") -> Mrz:
        """A TD3 (passport) MRZ with all check digits computed."""
        l1 = (_pad(_field(document_code, "document code"), 2) + _pad(_field(issuing_state, "issuing state"), 3)
              + _name_field(primary_identifier, secondary_identifier, 39))
        number = _pad(_field(document_number, "document number"), 9)
        dob, doe = _yymmdd(date_of_birth), _yymmdd(date_of_expiry)
        personal = _pad(_field(personal_number, "personal number"), 14)
        personal_check = "<" if personal == "<" * 14 else check_digit(personal)
        body = (number + check_digit(number) + _pad(_field(nationality, "nationality"), 3) + dob
                + check_digit(dob) + _sex_char(sex) + doe + check_digit(doe) + personal + personal_check)
        l2 = body + check_digit(body[0:10] + body[13:20] + body[21:43])
        return cls.parse(l1 + l2, today=date_of_birth)

    @classmethod
    def build_cccd(cls, *, id_number: str, full_name: str, date_of_birth: date, sex: str | None,
                   date_of_expiry: date | None) -> Mrz:
        """The TD1 MRZ of a CCCD: document number = last 9 digits of the 12-digit ID, the ID itself (plus
        its own check digit) in the optional data, name transliterated (surname = first word).
        ``date_of_expiry`` None (a card without expiry) is written 991231.
        """
        if not re.fullmatch(r"[0-9]{12}", id_number):
            raise ValueError("a CCCD ID number is 12 digits")
        words = transliterate(full_name).split()
        primary = words[0] if words else ""
        secondary = " ".join(words[1:])
        return cls.build_td1(
            document_code="ID", issuing_state="VNM", document_number=id_number[3:], date_of_birth=date_of_birth,
            sex=sex, date_of_expiry=date_of_expiry or date(2099, 12, 31), nationality="VNM",
            primary_identifier=primary, secondary_identifier=secondary,
            optional_data_1=id_number + "<<" + check_digit(id_number),
        )


def transliterate(name: str) -> str:
    """Upper-case A-Z rendering of a name for the MRZ (ICAO 9303-3 §6): diacritics dropped, Đ -> D."""
    name = name.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return "".join(c if "A" <= c <= "Z" else " " for c in plain)


def _field(value: str, what: str) -> str:
    value = value.upper().replace(" ", "<")
    if not _ALLOWED.fullmatch(value):
        raise ValueError(f"MRZ {what} holds characters other than 0-9, A-Z, space and <")
    return value


def _pad(value: str, width: int, what: str = "field") -> str:
    if len(value) > width:
        raise ValueError(f"MRZ {what} is longer than {width} characters")
    return value.ljust(width, "<")


def _yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")


def _sex_char(sex: str | None) -> str:
    if sex is None:
        return "<"
    if sex not in ("M", "F", "X", "<"):
        raise ValueError("MRZ sex must be M, F, X or None")
    return sex


def _name_field(primary: str, secondary: str, width: int) -> str:
    p = "<".join(transliterate(primary).split())
    s = "<".join(transliterate(secondary).split())
    text = p + "<<" + s if s else p
    return text[:width].ljust(width, "<")
