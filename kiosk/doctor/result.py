"""What one doctor check found: a typed status, a line for staff, and the fix as a message key.

The operator panel and ``python -m kiosk doctor`` show the same records; the fix text lives in
``kiosk/messages.toml`` (``doctor.*`` keys) in Vietnamese and English. Nothing here names a person: reader,
camera and host names, counts, dates of certificates, never card contents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from kiosk.messages import Message, message


class CheckStatus(StrEnum):
    PASS = "pass"  # works
    WARN = "warn"  # works, but look at it (a short-APDU reader, a CSCA expiring soon)
    FAIL = "fail"  # broken: the kiosk cannot check people in properly
    SKIP = "skip"  # does not apply here, or cannot be checked now (no card on the reader)


class CheckName(StrEnum):
    PCSCD = "pcscd"
    READER = "reader"
    EXTENDED_APDU = "extended_apdu"
    CARD = "card"
    CAMERA = "camera"
    DISPLAY = "display"
    FONT = "font"
    FACE_MODELS = "face_models"
    TRUST = "trust"
    SITE_STORE = "site_store"
    UPSTREAM = "upstream"
    CLOCK = "clock"
    DISK = "disk"


@dataclass(frozen=True)
class CheckResult:
    name: CheckName
    status: CheckStatus
    detail: str  # for staff, English, no personal data
    fix_key: str | None = None  # a doctor.* message key; None when nothing is to be done
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ok(self) -> bool:
        return self.status is not CheckStatus.FAIL

    def fix(self) -> Message | None:
        return message(self.fix_key) if self.fix_key else None

    def as_json(self) -> dict[str, Any]:
        fix = self.fix()
        return {"name": str(self.name), "status": str(self.status), "detail": self.detail,
                "fix_key": self.fix_key, "fix": {"vi": fix.vi, "en": fix.en} if fix else None,
                "facts": dict(self.facts)}


def passed(name: CheckName, detail: str, **facts: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.PASS, detail, None, MappingProxyType(facts))


def warned(name: CheckName, detail: str, fix_key: str, **facts: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.WARN, detail, fix_key, MappingProxyType(facts))


def failed(name: CheckName, detail: str, fix_key: str, **facts: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.FAIL, detail, fix_key, MappingProxyType(facts))


def skipped(name: CheckName, detail: str, fix_key: str | None = None, **facts: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.SKIP, detail, fix_key, MappingProxyType(facts))
