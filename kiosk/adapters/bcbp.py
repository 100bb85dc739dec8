"""IATA Bar Coded Boarding Pass (Resolution 792, format ``M``): the text a barcode scanner types
(docs/boarding-pass.md, with its sources).

Layout (1-based positions of the first leg; every further leg repeats items 24-60 and its own
conditional block)::

    1 format code 'M' | 2 number of legs | 3-22 passenger name | 23 electronic ticket indicator
    per leg: PNR (7) | from (3) | to (3) | operating carrier (3) | flight number (5) | date of flight,
             day of year (3) | compartment (1) | seat (4) | check-in sequence (5) | passenger status (1) |
             size of the variable field (2, hex)
    variable field of leg 1: '>' | version (1) | size of the unique conditional items (2, hex) | those items |
             size of the repeated conditional items (2, hex) | those items | airline individual use (rest)
    variable field of legs 2..n: size of the repeated conditional items (2, hex) | items | individual use
    after the last leg (optional): '^' | type of security data (1) | length (2, hex) | security data

Conditional items are fixed-width and present only as far as their section's size reaches, which is how
older versions (without e.g. "fast track") and short sections are read. Malformed text raises
:class:`BcbpError` (never ``IndexError`` / ``ValueError``), whose message names the item and position but
never repeats the text: it holds a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiosk.errors import KioskError

__all__ = ["BcbpError", "BoardingPass", "Leg", "parse_bcbp"]

MANDATORY_UNIQUE = 23
MANDATORY_REPEATED = 37
# A scanner may prefix the AIM symbology identifier (e.g. "]L2" for PDF417, "]z0" for Aztec, "]Q1" QR).
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")

_UNIQUE_ITEMS = (  # (attribute, width) in order
    ("passenger_description", 1),
    ("checkin_source", 1),
    ("issuance_source", 1),
    ("issue_date", 4),
    ("document_type", 1),
    ("issuer", 3),
    ("bag_tag", 13),
    ("bag_tag_2", 13),
    ("bag_tag_3", 13),
)
_REPEATED_ITEMS = (
    ("airline_numeric_code", 3),
    ("document_serial", 10),
    ("selectee", 1),
    ("document_verification", 1),
    ("marketing_carrier", 3),
    ("frequent_flyer_airline", 3),
    ("frequent_flyer_number", 16),
    ("id_ad_indicator", 1),
    ("free_baggage", 3),
    ("fast_track", 1),
)


class BcbpError(KioskError):
    """The scanned text is not a readable IATA boarding pass; ``position`` is 1-based where it failed."""

    message_key = "bcbp.malformed"

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message if position is None else f"{message} (at position {position})")
        self.position = position


@dataclass(frozen=True)
class Leg:
    """One flight of the pass. Text items keep the barcode's spelling, trailing padding removed; items a
    section did not reach are ``None``. PNR, document serial and frequent-flyer number stay out of ``repr``."""

    pnr: str = field(repr=False)
    from_airport: str
    to_airport: str
    carrier: str
    flight_number: str  # e.g. "0834", "0123A"
    flight_day: int | None  # day of the year, 1-366; None when blank
    compartment: str
    seat: str
    sequence: str = field(repr=False)
    passenger_status: str
    airline_numeric_code: str | None = None
    document_serial: str | None = field(default=None, repr=False)
    selectee: str | None = None
    document_verification: str | None = None
    marketing_carrier: str | None = None
    frequent_flyer_airline: str | None = None
    frequent_flyer_number: str | None = field(default=None, repr=False)
    id_ad_indicator: str | None = None
    free_baggage: str | None = None
    fast_track: str | None = None
    airline_use: str | None = field(default=None, repr=False)

    @property
    def flight(self) -> str:
        """``"VN 123"``: carrier and flight number without leading zeros, suffix letter kept."""
        m = re.fullmatch(r"0*(\d+)([A-Z]?)", self.flight_number)
        number = f"{m.group(1)}{m.group(2)}" if m else self.flight_number
        return f"{self.carrier} {number}".strip()

    @property
    def seat_display(self) -> str:
        """``"001A"`` → ``"1A"``; ``"INF"``/blank stay as they are."""
        m = re.fullmatch(r"0*(\d+)([A-Z])", self.seat)
        return f"{m.group(1)}{m.group(2)}" if m else self.seat


@dataclass(frozen=True)
class BoardingPass:
    """A parsed boarding pass; ``passenger_name`` (``SURNAME/GIVEN TITLE``, padding removed) is not in ``repr``."""

    passenger_name: str = field(repr=False)
    electronic_ticket: bool
    legs: tuple[Leg, ...]
    format_code: str = "M"
    version: int | None = None
    passenger_description: str | None = None
    checkin_source: str | None = None
    issuance_source: str | None = None
    issue_date: str | None = None  # last digit of the year + day of the year, e.g. "6225"
    document_type: str | None = None  # "B" boarding pass, "A" itinerary receipt
    issuer: str | None = None
    bag_tag: str | None = field(default=None, repr=False)
    bag_tag_2: str | None = field(default=None, repr=False)
    bag_tag_3: str | None = field(default=None, repr=False)
    security_type: str | None = None
    security_data: str | None = field(default=None, repr=False)
    padded: bool = False  # the text ended early (a scanner dropped trailing spaces) and was padded

    @property
    def name_field(self) -> str:
        """The 20-character name item as printed (for :func:`kiosk.names.parse_iata_name`)."""
        return self.passenger_name.ljust(20)

    def legs_from(self, airport: str) -> tuple[Leg, ...]:
        code = airport.strip().upper()
        return tuple(leg for leg in self.legs if leg.from_airport == code)


class _Reader:
    """A cursor over the text that fails with :class:`BcbpError` instead of running off the end."""

    def __init__(self, text: str, *, pad_end: bool) -> None:
        self.text = text
        self.pos = 0
        self.pad_end = pad_end
        self.padded = False

    def remaining(self) -> int:
        return len(self.text) - self.pos

    def take(self, width: int, item: str) -> str:
        start = self.pos
        chunk = self.text[start:start + width]
        if len(chunk) < width:
            if not self.pad_end:
                raise BcbpError(f"the text ends inside the {item}", position=len(self.text) + 1)
            chunk = chunk.ljust(width)
            self.padded = True
        self.pos = start + width
        return chunk

    def hex_size(self, item: str) -> int:
        start = self.pos + 1
        chunk = self.take(2, item)
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", chunk):
            raise BcbpError(f"the {item} is not two hexadecimal digits", position=start)
        return int(chunk, 16)


def _items(section: str, layout: tuple[tuple[str, int], ...]) -> dict[str, str | None]:
    """Fixed-width items present as far as ``section`` reaches; a cut last item keeps what is there."""
    out: dict[str, str | None] = {}
    pos = 0
    for name, width in layout:
        if pos >= len(section):
            out[name] = None
            continue
        out[name] = section[pos:pos + width]
        pos += width
    out["_rest"] = section[pos:] if pos < len(section) else None
    return out


def _clean(value: str | None) -> str | None:
    return None if value is None else value.rstrip()


def _mandatory_leg(reader: _Reader, number: int) -> tuple[dict[str, object], int]:
    where = f"leg {number}"
    start = reader.pos
    if reader.remaining() < MANDATORY_REPEATED:
        raise BcbpError(f"the mandatory items of {where} are incomplete", position=len(reader.text) + 1)
    pnr = reader.take(7, f"PNR of {where}")
    from_airport = reader.take(3, f"departure airport of {where}")
    to_airport = reader.take(3, f"arrival airport of {where}")
    carrier = reader.take(3, f"operating carrier of {where}")
    flight_number = reader.take(5, f"flight number of {where}")
    day_text = reader.take(3, f"date of flight of {where}")
    compartment = reader.take(1, f"compartment of {where}")
    seat = reader.take(4, f"seat of {where}")
    sequence = reader.take(5, f"check-in sequence of {where}")
    status = reader.take(1, f"passenger status of {where}")
    size = reader.hex_size(f"size of the variable field of {where}")

    for code, item, offset in ((from_airport, "departure airport", 7), (to_airport, "arrival airport", 10)):
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise BcbpError(f"the {item} of {where} is not a three-letter code", position=start + offset + 1)
    flight_day: int | None
    if not day_text.strip():
        flight_day = None
    elif re.fullmatch(r"\d{3}|\d{1,2} *| *\d{1,2}", day_text) and 1 <= int(day_text) <= 366:
        flight_day = int(day_text)
    else:
        raise BcbpError(f"the date of flight of {where} is not a day of the year", position=start + 22)
    fields: dict[str, object] = {
        "pnr": pnr.rstrip(),
        "from_airport": from_airport,
        "to_airport": to_airport,
        "carrier": carrier.strip(),
        "flight_number": flight_number.strip(),
        "flight_day": flight_day,
        "compartment": compartment.strip(),
        "seat": seat.strip(),
        "sequence": sequence.strip(),
        "passenger_status": status.strip(),
    }
    return fields, size


def _repeated_conditional(section: str, where: str, base: int) -> dict[str, str | None]:
    """``section`` = the variable field from its "size of the repeated items" onwards (or empty)."""
    if not section:
        return {}
    if len(section) < 2 or not re.fullmatch(r"[0-9A-Fa-f]{2}", section[:2]):
        raise BcbpError(f"the size of the conditional items of {where} is not two hexadecimal digits",
                        position=base)
    size = int(section[:2], 16)
    if 2 + size > len(section):
        raise BcbpError(f"the conditional items of {where} are longer than its variable field", position=base)
    items = _items(section[2:2 + size], _REPEATED_ITEMS)
    items.pop("_rest")
    rest = section[2 + size:]
    out = {k: _clean(v) for k, v in items.items()}
    out["airline_use"] = rest or None
    return out


def _scanned_text(text: str, lenient: bool) -> str:
    """The text as the format expects it, after what scanners add; the checks the reader cannot make."""
    if not isinstance(text, str):
        raise BcbpError("the boarding pass is not text")
    text = text.rstrip("\r\n\x00")
    if lenient:
        text = _AIM_PREFIX.sub("", text.lstrip("\r\n"))
    if not text:
        raise BcbpError("the boarding pass text is empty")
    if not text.isascii() or not text.isprintable():
        bad = next(i for i, ch in enumerate(text) if not (ch.isascii() and ch.isprintable()))
        raise BcbpError("the boarding pass holds a character outside printable ASCII", position=bad + 1)
    if text[0] != "M":
        raise BcbpError("the format code is not 'M'", position=1)
    if len(text) < MANDATORY_UNIQUE + MANDATORY_REPEATED:
        raise BcbpError(f"the text has {len(text)} characters; the mandatory items need 60",
                        position=len(text) + 1)
    if not text[1].isdigit() or text[1] == "0":
        raise BcbpError("the number of legs is not a digit from 1 to 9", position=2)
    return text


def _first_leg_conditional(variable: str, base: int) -> tuple[int | None, dict[str, str | None],
                                                               dict[str, str | None]]:
    """The first leg's variable field: (version, unique conditional items, its repeated items). Without
    the '>' of a conditional section it holds only the airline's own data."""
    if not variable.startswith(">"):
        return None, {}, {"airline_use": variable or None}
    if len(variable) < 4:
        raise BcbpError("the conditional section header is incomplete", position=base)
    if not variable[1].isdigit():
        raise BcbpError("the version number is not a digit", position=base + 1)
    if not re.fullmatch(r"[0-9A-Fa-f]{2}", variable[2:4]):
        raise BcbpError("the size of the unique conditional items is not two hexadecimal digits",
                        position=base + 2)
    unique_size = int(variable[2:4], 16)
    if 4 + unique_size > len(variable):
        raise BcbpError("the unique conditional items are longer than the variable field", position=base + 2)
    unique_items = _items(variable[4:4 + unique_size], _UNIQUE_ITEMS)
    unique_items.pop("_rest")
    unique = {k: _clean(v) for k, v in unique_items.items()}
    repeated = _repeated_conditional(variable[4 + unique_size:], "leg 1", base + 4 + unique_size)
    return int(variable[1]), unique, repeated


def _security(reader: _Reader) -> tuple[str | None, str | None]:
    """The airline's security data after the last leg, if any: (type, data)."""
    if reader.remaining() <= 0:  # nothing left (less than nothing once the end was padded)
        return None, None
    if reader.text[reader.pos] != "^":
        raise BcbpError("unexpected characters after the last leg", position=reader.pos + 1)
    reader.take(1, "security data indicator")
    security_type = reader.take(1, "type of security data")
    length = reader.hex_size("length of the security data")
    security_data = reader.take(length, "security data")
    if reader.remaining() > 0:
        raise BcbpError("unexpected characters after the security data", position=reader.pos + 1)
    return security_type, security_data


def parse_bcbp(text: str, *, lenient: bool = True) -> BoardingPass:
    """Parse the scanned text of a boarding pass.

    ``lenient`` (the default) accepts what keyboard-wedge scanners do to the text: a leading AIM
    symbology identifier, a trailing CR/LF, and trailing spaces dropped from the end (the missing
    characters are taken as spaces and ``padded`` is set).
    """
    text = _scanned_text(text, lenient)
    reader = _Reader(text, pad_end=lenient)
    reader.take(2, "format code")
    leg_count = int(text[1])
    name = reader.take(20, "passenger name").rstrip()
    if not name:
        raise BcbpError("the passenger name is blank", position=3)
    ticket = reader.take(1, "electronic ticket indicator")

    legs: list[Leg] = []
    unique: dict[str, str | None] = {}
    version: int | None = None
    for number in range(1, leg_count + 1):
        fields, size = _mandatory_leg(reader, number)
        base = reader.pos + 1
        variable = reader.take(size, f"variable field of leg {number}")
        if number == 1:
            version, unique, conditional = _first_leg_conditional(variable, base)
        else:
            conditional = _repeated_conditional(variable, f"leg {number}", base)
        legs.append(Leg(**fields, **conditional))  # type: ignore[arg-type]
    security_type, security_data = _security(reader)

    return BoardingPass(
        passenger_name=name,
        electronic_ticket=ticket == "E",
        legs=tuple(legs),
        format_code="M",
        version=version,
        passenger_description=unique.get("passenger_description"),
        checkin_source=unique.get("checkin_source"),
        issuance_source=unique.get("issuance_source"),
        issue_date=unique.get("issue_date"),
        document_type=unique.get("document_type"),
        issuer=unique.get("issuer"),
        bag_tag=unique.get("bag_tag"),
        bag_tag_2=unique.get("bag_tag_2"),
        bag_tag_3=unique.get("bag_tag_3"),
        security_type=security_type,
        security_data=security_data,
        padded=reader.padded,
    )
