"""EF.COM (ICAO 9303-10 §4.6.1): LDS and Unicode versions and the tags of the data groups present.

The reader uses it to know which data groups to read; the chip is not obliged to keep it right, so
Passive Authentication (EF.SOD) stays the authority on what was signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from nfc.errors import ParseError
from nfc.lds import data_group_for_tag, tag_for_data_group
from nfc.lds.tlv import encode_tag_list, encode_tlv, parse_all, parse_tag_list, require_tag, unwrap

TAG = 0x60
_LDS_VERSION = 0x5F01
_UNICODE_VERSION = 0x5F36
_TAG_LIST = 0x5C


def _ascii_digits(value: bytes, size: int, what: str) -> str:
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        raise ParseError(f"EF.COM {what} is not ASCII") from None
    if len(text) != size or not text.isdigit():
        raise ParseError(f"EF.COM {what} is not {size} digits")
    return text


@dataclass(frozen=True)
class Com:
    """EF.COM: ``lds_version`` "aabb" (e.g. "0107"), ``unicode_version`` "aabbcc" (e.g. "040000"), ``tags``."""

    lds_version: str
    unicode_version: str
    tags: tuple[int, ...]

    @property
    def data_groups(self) -> tuple[int, ...]:
        """Numbers of the data groups listed (unknown tags left out), in listed order."""
        return tuple(n for n in (data_group_for_tag(t) for t in self.tags) if n is not None)

    @classmethod
    def parse(cls, data: bytes) -> Com:
        items = parse_all(unwrap(data, TAG, "EF.COM"))
        return cls(
            lds_version=_ascii_digits(require_tag(items, _LDS_VERSION, "EF.COM"), 4, "LDS version"),
            unicode_version=_ascii_digits(require_tag(items, _UNICODE_VERSION, "EF.COM"), 6, "Unicode version"),
            tags=parse_tag_list(require_tag(items, _TAG_LIST, "EF.COM")),
        )

    @classmethod
    def for_data_groups(cls, numbers: list[int] | tuple[int, ...], lds_version: str = "0107",
                        unicode_version: str = "040000") -> Com:
        """An EF.COM listing data groups ``numbers``."""
        return cls(lds_version, unicode_version, tuple(tag_for_data_group(n) for n in numbers))

    def encode(self) -> bytes:
        return encode_tlv(TAG, encode_tlv(_LDS_VERSION, self.lds_version.encode("ascii"))
                          + encode_tlv(_UNICODE_VERSION, self.unicode_version.encode("ascii"))
                          + encode_tlv(_TAG_LIST, encode_tag_list(self.tags)))
