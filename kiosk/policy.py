"""What a profile requires of a chip before a check-in is accepted, and the verdict on one card.

The kiosk fails closed: Passive Authentication must be ``valid`` unless the profile explicitly allows
``unverified`` (no CSCA configured), in which case the screen says so. Active and Chip Authentication
must be valid whenever the chip supports them (``if_supported``), always (``required``), or are
ignored (``off``). An ``invalid`` result always refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nfc.trust import INVALID, NOT_SUPPORTED, UNVERIFIED, VALID, CheckResult


class Rule(StrEnum):
    """How strictly a profile asks for one check (the values are the profile's TOML words)."""

    REQUIRED = "required"
    IF_SUPPORTED = "if_supported"
    OFF = "off"
    ALLOW_UNVERIFIED = "allow_unverified"  # Passive Authentication only: no CSCA configured


REQUIRED, IF_SUPPORTED, OFF, ALLOW_UNVERIFIED = Rule.REQUIRED, Rule.IF_SUPPORTED, Rule.OFF, Rule.ALLOW_UNVERIFIED


_ACCEPTED = {REQUIRED: (VALID,), IF_SUPPORTED: (VALID, NOT_SUPPORTED), OFF: (VALID, NOT_SUPPORTED, UNVERIFIED)}


@dataclass(frozen=True)
class ChipPolicy:
    passive_authentication: Rule = REQUIRED  # required | allow_unverified
    active_authentication: Rule = IF_SUPPORTED  # required | if_supported | off
    chip_authentication: Rule = IF_SUPPORTED

    def __post_init__(self) -> None:
        if self.passive_authentication not in (REQUIRED, ALLOW_UNVERIFIED):
            raise ValueError("passive_authentication must be 'required' or 'allow_unverified'")
        for name in ("active_authentication", "chip_authentication"):
            if getattr(self, name) not in (REQUIRED, IF_SUPPORTED, OFF):
                raise ValueError(f"{name} must be 'required', 'if_supported' or 'off'")
        for name in ("passive_authentication", "active_authentication", "chip_authentication"):
            object.__setattr__(self, name, Rule(getattr(self, name)))  # the profile's words as the enum


@dataclass(frozen=True)
class PolicyVerdict:
    allowed: bool
    failed: tuple[str, ...] = ()  # names of the checks that refused, for the audit log and staff
    warnings: tuple[str, ...] = ()  # what the screen must say when a weaker check was allowed


def evaluate(policy: ChipPolicy, checks: dict[str, CheckResult]) -> PolicyVerdict:
    """``checks`` maps passive_authentication / active_authentication / chip_authentication to results."""
    failed, warnings = [], []
    for name, result in checks.items():
        rule = getattr(policy, name)
        if result.status == INVALID:
            failed.append(name)
        elif name == "passive_authentication":
            if result.status == UNVERIFIED:
                (warnings if rule == ALLOW_UNVERIFIED else failed).append(name)
        elif result.status not in _ACCEPTED[rule]:
            failed.append(name)
    return PolicyVerdict(not failed, tuple(failed), tuple(warnings))
