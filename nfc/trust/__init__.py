"""Trust: proving a chip genuine (Passive, Active and Chip Authentication) against configured anchors."""

from __future__ import annotations

from dataclasses import dataclass

VALID, INVALID, UNVERIFIED, NOT_SUPPORTED = "valid", "invalid", "unverified", "not_supported"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one authenticity check: ``status`` is valid / invalid / unverified / not_supported;
    ``detail`` says exactly what held or failed (no personal data)."""

    status: str
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status == INVALID
