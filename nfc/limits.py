"""How many bytes each chip file may announce before the reader refuses it (a hostile card's defence).

A chip says how long a file is in the file's first bytes (its TLV header), and the reader trusts that
length to fetch the rest. A phone emulating a card can announce megabytes for EF.CardAccess, which is read
before any access control: read in full that is ~40 s of link time per tap (hours on a short-APDU reader).
So every file has a ceiling, checked against the announced length after the first READ BINARY; a file over
it is refused with :class:`~nfc.errors.FileTooLarge` before anything more is read. The defaults leave
room over what real documents hold (docs/chip.md: CCCD files are a few hundred bytes, EF.SOD about 1-4 KB,
DG2 15-25 KB); 128 KB covers DG2 and DG11/DG12, which may hold scanned images.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from nfc.lds import LdsFile

KB = 1024

#: Default ceilings by file name (``LdsFile.name``).
DEFAULT_LIMITS: Mapping[str, int] = MappingProxyType({
    "EF.CardAccess": 4 * KB, "EF.COM": 4 * KB, "EF.SOD": 8 * KB,
    "DG1": 4 * KB, "DG2": 128 * KB, "DG11": 128 * KB, "DG12": 128 * KB,
    "DG13": 8 * KB, "DG14": 4 * KB, "DG15": 4 * KB,
})
#: Ceiling of any other file (DG3 to DG10, DG16), which a CCCD check-in never reads.
DEFAULT_OTHER = 32 * KB


@dataclass(frozen=True)
class ReadLimits:
    """Per-file ceilings in bytes (the whole file: tag, length and value).

    ``by_name`` overrides the defaults for some files, e.g. ``ReadLimits({"DG2": 256 * KB})``; ``other`` is
    the ceiling of files with no default.
    """

    by_name: Mapping[str, int] = field(default_factory=dict)
    other: int = DEFAULT_OTHER

    def for_file(self, lds_file: LdsFile) -> int:
        return self.by_name.get(lds_file.name, DEFAULT_LIMITS.get(lds_file.name, self.other))
