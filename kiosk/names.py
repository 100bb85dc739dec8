"""Vietnamese names as the chip spells them, compared with how other systems spell them.

The chip (DG13) carries the full name in Vietnamese with diacritics, family name first
(``NGUYỄN VĂN AN``). A boarding pass carries ``SURNAME/GIVEN NAMES TITLE`` in upper-case ASCII, at most
20 characters; an exam roster carries the name with or without diacritics, whole or split into
"Họ đệm" + "Tên". :func:`fold` brings all of them to one comparable form: NFD-decomposed, combining
marks dropped, ``Đ``/``đ`` mapped to ``D`` (it does not decompose), upper case, punctuation removed,
single spaces.

Nothing here logs or raises with a name in it: results carry reason codes only.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "IATA_NAME_WIDTH",
    "TITLES",
    "IataName",
    "NameMatch",
    "NameMatchKind",
    "SplitName",
    "fold",
    "fold_compact",
    "fold_words",
    "iata_name_for",
    "match_boarding_pass_name",
    "parse_iata_name",
    "same_name",
    "split_cccd_name",
]

IATA_NAME_WIDTH = 20
TITLES = frozenset({"MR", "MS", "MRS", "MSTR", "MISS", "CHD", "INF"})
_TITLE_PREFIXES = frozenset(title[:n] for title in TITLES for n in range(1, len(title)))

# Letters that look like Đ/đ but do not decompose: Vietnamese Đ (U+0110/0111), the Icelandic eth that
# legacy encodings and some keyboards put in its place (U+00D0/00F0), and the African D (U+0189/0256).
_NON_DECOMPOSING = str.maketrans({"Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ɖ": "D", "ɖ": "d"})
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[^A-Z0-9]+")


def fold(name: str) -> str:
    """``"  Nguyễn  văn Ðức "`` → ``"NGUYEN VAN DUC"``: ASCII upper case, marks dropped, single spaces.

    Apostrophes vanish (``O'BRIEN`` → ``OBRIEN``, as airline systems write it); any other character
    that is not a letter or digit (hyphen, dot, slash, NBSP, zero-width space) separates words.
    """
    decomposed = unicodedata.normalize("NFD", name.translate(_NON_DECOMPOSING))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_upper = _APOSTROPHES.sub("", stripped).upper()
    return " ".join(word for word in _NOT_WORD.split(ascii_upper) if word)


def fold_words(name: str) -> tuple[str, ...]:
    return tuple(fold(name).split())


def fold_compact(name: str) -> str:
    """The folded name without spaces (``"VAN AN"`` and ``"VANAN"`` compare equal)."""
    return fold(name).replace(" ", "")


def same_name(a: str, b: str) -> bool:
    """Do two spellings of a name fold to the same letters in the same order (spacing ignored)?"""
    folded = fold_compact(a)
    return bool(folded) and folded == fold_compact(b)


@dataclass(frozen=True)
class SplitName:
    """A folded name split into surname (family name) and given names. ``repr`` hides both."""

    surname: str = field(repr=False)
    given: tuple[str, ...] = field(repr=False)

    @property
    def given_text(self) -> str:
        return " ".join(self.given)

    @property
    def words(self) -> tuple[str, ...]:
        return ((self.surname,) if self.surname else ()) + self.given


def split_cccd_name(full_name: str) -> SplitName:
    """``"NGUYỄN VĂN AN"`` → surname ``NGUYEN``, given ``("VAN", "AN")``: the surname is the first word."""
    words = fold_words(full_name)
    if not words:
        return SplitName("", ())
    return SplitName(words[0], words[1:])


def iata_name_for(full_name: str, *, width: int = IATA_NAME_WIDTH) -> str:
    """How an airline would write a CCCD name in a boarding pass: ``NGUYEN/VAN AN``, cut to ``width``."""
    name = split_cccd_name(full_name)
    return f"{name.surname}/{name.given_text}"[:width]


@dataclass(frozen=True)
class IataName:
    """The name field of a boarding pass, parsed. ``full`` tells whether it filled the 20 characters
    (or 19: the 20th was a space) so that it may have been cut; ``titles`` are the titles removed from the end."""

    surname: tuple[str, ...] = field(repr=False)
    given: tuple[str, ...] = field(repr=False)
    titles: tuple[str, ...] = ()
    full: bool = False
    has_separator: bool = True
    dropped_partial_title: bool = False


def parse_iata_name(text: str, *, width: int = IATA_NAME_WIDTH) -> IataName:
    """Parse ``SURNAME/GIVEN NAMES TITLE`` (titles anywhere after the slash are removed, also one glued
    to the last given name when the rest of the name is long enough to stand on its own)."""
    raw = text.rstrip()
    # 19 characters count as full too: a cut that fell just before a space leaves only padding after it
    full = len(raw) >= width - 1
    surname_part, sep, given_part = raw.partition("/")
    surname = fold_words(surname_part)
    given = list(fold_words(given_part))
    titles: list[str] = []
    while given and given[-1] in TITLES:
        titles.insert(0, given.pop())
    dropped_partial = False
    if full and given and given[-1] in _TITLE_PREFIXES and len(given) > 1:
        # "TRAN/THI THU HUONG M": the 20-character cut fell inside the title
        given.pop()
        dropped_partial = True
    return IataName(tuple(surname), tuple(given), tuple(titles), full, bool(sep), dropped_partial)


class NameMatchKind(enum.StrEnum):
    EXACT = "exact"
    TRUNCATED = "truncated"  # the barcode cut the given names to fit 20 characters
    SWAPPED = "swapped"  # given names where the surname belongs: staff should look
    MISMATCH = "mismatch"


@dataclass(frozen=True)
class NameMatch:
    """Result of comparing a chip name with a boarding-pass name; ``reasons`` are codes, never names."""

    kind: NameMatchKind
    reasons: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """May the person pass on the name alone (exact or cut to fit)?"""
        return self.kind in (NameMatchKind.EXACT, NameMatchKind.TRUNCATED)


def _glued_title_variants(given: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """``("VANANMR",)`` → ``[(("VANAN",), "MR")]``: a title written without its space."""
    if not given:
        return []
    last = given[-1]
    return [(given[:-1] + (last[: -len(t)],), t) for t in sorted(TITLES, key=len, reverse=True)
            if last.endswith(t) and len(last) > len(t) + 1]


def match_boarding_pass_name(cccd_name: str, bcbp_name: str | IataName) -> NameMatch:
    """Compare the chip's full name with the boarding pass name field (see module doc for the rules).

    - ``exact``: same surname, same given names (spacing ignored: ``VANAN`` = ``VAN AN``), titles removed;
    - ``truncated``: the field is full (20 characters) and the given names are a prefix of the chip's;
    - ``swapped``: the given names were booked as surname (``AN/NGUYEN VAN`` or ``VAN AN/NGUYEN``);
    - ``mismatch``: anything else.
    """
    chip = split_cccd_name(cccd_name)
    bp = bcbp_name if isinstance(bcbp_name, IataName) else parse_iata_name(bcbp_name)
    if not chip.surname or not (bp.surname or bp.given):
        return NameMatch(NameMatchKind.MISMATCH, ("name_empty",))

    notes: list[str] = []
    if bp.titles:
        notes.append("title_removed")
    if bp.dropped_partial_title:
        notes.append("partial_title_removed")
    exp_surname = chip.surname
    exp_given = "".join(chip.given)
    exp_all = exp_surname + exp_given

    candidates: list[tuple[tuple[str, ...], list[str]]] = [(bp.given, [])]
    candidates += [(g, ["title_glued"]) for g, _ in _glued_title_variants(bp.given)]

    for given, extra in candidates:
        surname = "".join(bp.surname)
        joined_given = "".join(given)
        spacing = [] if given == chip.given else ["given_names_spacing_differs"]
        if surname == exp_surname and joined_given == exp_given:
            return NameMatch(NameMatchKind.EXACT, tuple(notes + extra + (spacing if joined_given else [])))
        if not bp.has_separator and surname + joined_given == exp_all:
            return NameMatch(NameMatchKind.EXACT, tuple(notes + extra + ["no_separator"]))
        if (bp.has_separator and surname + joined_given == exp_all and surname.startswith(exp_surname)
                and surname != exp_surname):
            # "NGUYEN TRAN/MINH ANH": a compound family name, same words in the same order
            return NameMatch(NameMatchKind.EXACT, tuple(notes + extra + ["surname_boundary_differs"]))
        if bp.full and surname == exp_surname and exp_given.startswith(joined_given):
            return NameMatch(NameMatchKind.TRUNCATED, tuple(notes + extra + ["given_name_truncated"]))
        if bp.full and not given and exp_surname.startswith(surname) and len(surname) >= IATA_NAME_WIDTH - 1:
            return NameMatch(NameMatchKind.TRUNCATED, tuple(notes + extra + ["surname_truncated"]))

    # Swapped: booked in western order, the Vietnamese given names in the surname field.
    surname = "".join(bp.surname)
    for given, extra in candidates:
        joined_given = "".join(given)
        if not surname or not joined_given or surname == exp_surname:
            continue
        if joined_given + surname == exp_all:
            return NameMatch(NameMatchKind.SWAPPED, tuple(notes + extra + ["surname_given_swapped"]))
        if (bp.full and exp_all.endswith(surname) and exp_all.startswith(joined_given)
                and len(joined_given) + len(surname) <= len(exp_all)):
            return NameMatch(NameMatchKind.SWAPPED,
                             tuple(notes + extra + ["surname_given_swapped", "given_name_truncated"]))

    reason = "surname_differs" if "".join(bp.surname) != exp_surname else "given_name_differs"
    return NameMatch(NameMatchKind.MISMATCH, tuple(notes + [reason]))
