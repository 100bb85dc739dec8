"""LDS file structures (ICAO 9303-10): one module per file, each a frozen dataclass that parses and encodes itself.

Kept apart from the protocols that read them (:mod:`nfc.reader`, :mod:`nfc.pace`) so the virtual card
(:mod:`nfc.sim`) can build its files from the same classes the reader parses them with.
This module maps the ways a file is named: file id, short EF id, outer tag and data group number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LdsFile:
    """How one elementary file of the eMRTD application is addressed."""

    name: str
    fid: int
    sfi: int
    tag: int | None
    data_group: int | None = None


EF_CARD_ACCESS = LdsFile("EF.CardAccess", 0x011C, 0x1C, None)
EF_COM = LdsFile("EF.COM", 0x011E, 0x1E, 0x60)
EF_SOD = LdsFile("EF.SOD", 0x011D, 0x1D, 0x77)

# ICAO 9303-10 table 2: DGn has file id 01nn, short EF id n and this outer tag.
_DG_TAGS = {1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68, 9: 0x69, 10: 0x6A,
            11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70}

DATA_GROUPS: dict[int, LdsFile] = {
    n: LdsFile(f"DG{n}", 0x0100 + n, n, tag, n) for n, tag in _DG_TAGS.items()
}

FILES: tuple[LdsFile, ...] = (EF_CARD_ACCESS, EF_COM, EF_SOD, *DATA_GROUPS.values())


def file_by_name(name: str) -> LdsFile:
    """The file called ``name``: "EF.CardAccess" (or "CardAccess"), "EF.COM", "EF.SOD", "DG1" … "DG16",
    case-insensitive; KeyError when there is none."""
    wanted = name.strip().upper().removeprefix("EF.")
    for lds_file in FILES:
        if lds_file.name.upper().removeprefix("EF.") == wanted:
            return lds_file
    raise KeyError(name)


def data_group_for_tag(tag: int) -> int | None:
    """DG number whose file starts with ``tag`` (as listed in EF.COM), None for other tags."""
    for n, t in _DG_TAGS.items():
        if t == tag:
            return n
    return None


def tag_for_data_group(number: int) -> int:
    """Outer tag of data group ``number``; KeyError when there is no such data group."""
    return _DG_TAGS[number]


def file_for_data_group(number: int) -> LdsFile:
    """File id, short EF id and tag of data group ``number``; KeyError when there is no such data group."""
    return DATA_GROUPS[number]
