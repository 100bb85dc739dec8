"""Profiles: what one kiosk installation checks and where it sends check-ins (``config/<name>.toml``).

A profile names its site, its chip policy, the face and liveness steps, the trust anchors, the outbox,
and its destination adapter's table (handed as-is to the adapter's factory). Secrets never live in
these files: a table names the environment variable that holds them.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kiosk.errors import KioskError
from kiosk.policy import ChipPolicy

PROFILES = ("demo", "hospital", "airport", "exam")
DATA_DIR_ENV = "KIOSK_DATA_DIR"


class SettingsError(KioskError):
    """A profile is missing, malformed, or names something that does not exist."""


@dataclass(frozen=True)
class FaceSettings:
    enabled: bool = True
    liveness: bool = False
    timeout_s: float = 10.0
    max_frames: int = 8


@dataclass(frozen=True)
class ScreenSettings:
    """How long the kiosk screen waits, in seconds (``[screen]``): the result stays long enough to read a
    queue number twice; the staff screens close themselves when left alone."""

    result_seconds: int = 20
    staff_idle_seconds: int = 60
    language: str = "vi"


@dataclass(frozen=True)
class Profile:
    name: str
    site: str
    policy: ChipPolicy
    face: FaceSettings
    csca: tuple[Path, ...]
    data_dir: Path
    outbox_retention_s: float
    adapter: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    retries: int = 2  # new access-key attempts after the card refuses one
    site_store: str | None = None  # [site] store: the site's PostgreSQL (KIOSK_SITE_STORE wins; kiosk.store)
    kiosk: str | None = None  # [site] kiosk: this kiosk's name on the site (KIOSK_ID wins)
    screen: ScreenSettings = field(default_factory=ScreenSettings)
    reader_pattern: str | None = None  # [reader] pattern: which PC/SC reader, as nfc.pcsc.choose_reader takes it

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / "outbox.sqlite3"

    @property
    def outbox_key_file(self) -> Path:
        return self.data_dir / "outbox.key"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.log"


def data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV, "var")).resolve()


def config_dir() -> Path:
    return Path(str(resources.files("config")))


def _reader_pattern(value: object) -> str | None:
    """``[reader] pattern``: a regular expression searched in the PC/SC reader names, e.g. "ACR1252.*PICC"."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("[reader] pattern must be text")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"[reader] pattern {value!r} is not a regular expression: {exc}") from None
    return value


def load_profile(name_or_path: str) -> Profile:
    """``demo``/``hospital``/``airport``/``exam`` from ``config/``, or a path to a TOML file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = config_dir() / f"{name_or_path}.toml"
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"no profile {name_or_path!r} (looked for {path})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from exc
    try:
        profile, policy, face = raw["profile"], raw.get("policy", {}), raw.get("face", {})
        site = raw.get("site", {})
        anchors = tuple((path.parent / p).resolve() for p in raw.get("trust", {}).get("csca", []))
        return Profile(
            name=profile["name"],
            site=profile["site"],
            policy=ChipPolicy(**policy),
            face=FaceSettings(**face),
            csca=anchors,
            data_dir=data_dir() / profile["name"],
            outbox_retention_s=float(raw.get("outbox", {}).get("retention_hours", 24)) * 3600,
            adapter=MappingProxyType(dict(raw.get("adapter", {"kind": "local"}))),
            retries=int(profile.get("retries", 2)),
            site_store=str(site["store"]) if site.get("store") else None,
            kiosk=str(site["kiosk"]) if site.get("kiosk") else None,
            screen=ScreenSettings(**raw.get("screen", {})),
            reader_pattern=_reader_pattern(raw.get("reader", {}).get("pattern")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc
