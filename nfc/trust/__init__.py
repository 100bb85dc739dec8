"""Trust: proving a chip genuine against configured anchors. Passive Authentication (:mod:`nfc.trust.passive`),
Active Authentication (:mod:`nfc.trust.active`) and Chip Authentication (:mod:`nfc.trust.chip`) each report a
:class:`CheckResult`; the CSCA store is :mod:`nfc.trust.store`, loaded from files by :mod:`nfc.trust.loader`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckStatus(StrEnum):
    """The outcome of one authenticity check (the strings are the ``read --json`` contract)."""

    VALID = "valid"
    INVALID = "invalid"
    UNVERIFIED = "unverified"  # Passive Authentication only: intact, but no CSCA to trace the signer to
    NOT_SUPPORTED = "not_supported"  # the chip does not offer the protocol


VALID, INVALID, UNVERIFIED, NOT_SUPPORTED = (CheckStatus.VALID, CheckStatus.INVALID, CheckStatus.UNVERIFIED,
                                             CheckStatus.NOT_SUPPORTED)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one authenticity check: its status, and ``detail``, exactly what held or failed (no personal
    data)."""

    status: CheckStatus
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status == CheckStatus.INVALID
