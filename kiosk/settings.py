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
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kiosk.errors import KioskError
from kiosk.files import FileMissing, FileRefused, read_at_most
from kiosk.policy import ChipPolicy

PROFILES = ("demo", "hospital", "airport", "exam")
DATA_DIR_ENV = "KIOSK_DATA_DIR"
KEY_FILE_ENV = "KIOSK_OUTBOX_KEY_FILE"
CREDENTIALS_ENV, CREDENTIAL_NAME = "CREDENTIALS_DIRECTORY", "outbox.key"  # systemd's LoadCredential=
MAX_PROFILE_BYTES = 256 * 1024  # the largest shipped profile is under 2 KB
SCREEN_LANGUAGES = ("vi", "en")  # the screen's translations (ui/i18n)
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class SettingsError(KioskError):
    """A profile is missing, malformed, or names something that does not exist."""

    message_key = "settings.invalid"


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
    key_file: Path | None = None  # [outbox] key_file: the outbox key kept outside the data folder

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / "outbox.sqlite3"

    @property
    def outbox_key_file(self) -> Path:
        """Where the outbox key is read: :attr:`configured_key_file`, else ``outbox.key`` in the data folder
        (created there on first use)."""
        configured = self.configured_key_file
        return configured if configured is not None else self.data_dir / "outbox.key"

    @property
    def configured_key_file(self) -> Path | None:
        """The key file kept outside the data folder, which the kiosk never creates: ``KIOSK_OUTBOX_KEY_FILE``,
        else the systemd credential ``outbox.key`` (``$CREDENTIALS_DIRECTORY/outbox.key``, when the unit
        passes one), else the profile's ``[outbox] key_file``; None when none is (docs/secrets.md)."""
        env = os.environ.get(KEY_FILE_ENV)
        if env:
            return Path(env)
        credentials = os.environ.get(CREDENTIALS_ENV)
        if credentials and (Path(credentials) / CREDENTIAL_NAME).is_file():
            return Path(credentials) / CREDENTIAL_NAME
        return self.key_file

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


def profile_path(name_or_path: str) -> Path:
    """``demo``/``hospital``/``airport``/``exam`` name a file in ``config/``; anything with a suffix is a path."""
    path = Path(name_or_path)
    return config_dir() / f"{name_or_path}.toml" if not path.suffix else path


def read_profile_bytes(path: Path) -> bytes:
    """The profile file's bytes; a SettingsError when it is missing, a folder, unreadable or too large."""
    try:
        return read_at_most(path, MAX_PROFILE_BYTES)
    except FileMissing:
        raise SettingsError(f"no profile {path.stem!r} (looked for {path})") from None
    except FileRefused as exc:
        raise SettingsError(f"the profile {path}: {exc}") from exc


def load_profile(name_or_path: str) -> Profile:
    """``demo``/``hospital``/``airport``/``exam`` from ``config/``, or a path to a TOML file."""
    path = profile_path(name_or_path)
    return parse_profile(read_profile_bytes(path), path)


def parse_profile(data: bytes | str, path: Path = Path("profile.toml")) -> Profile:
    """A profile from its TOML text (``path`` names it in errors and anchors relative paths).

    Raises only :class:`SettingsError`, whatever the bytes: not UTF-8, not TOML, or TOML whose tables and
    values are not what a profile holds."""
    if isinstance(data, bytes | bytearray):
        if b"\x00" in data:
            raise SettingsError(f"{path} is a binary file, not a TOML profile")
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SettingsError(f"{path} is not UTF-8 text (byte {exc.start}), not a TOML profile") from exc
    try:
        raw = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from exc
    except RecursionError as exc:  # arrays nested thousands deep
        raise SettingsError(f"{path} is nested too deeply to be a profile") from exc
    return profile_from_mapping(raw, path)


def _table(raw: Mapping[str, Any], name: str, path: Path) -> Mapping[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise SettingsError(f"{path}: [{name}] must be a table")
    return value


def _typed(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any, where: str) -> Any:
    value = table.get(key, default)
    if isinstance(value, bool) and kind in (int, float, (int, float)) or not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise SettingsError(f"{where}: {key} must be {names}, not {type(value).__name__}")
    return value


def _number(table: Mapping[str, Any], key: str, default: float, where: str, *, low: float, high: float) -> float:
    value = _typed(table, key, (int, float), default, where)
    if not low <= value <= high:  # also refuses nan, and integers too large to be a float
        raise SettingsError(f"{where}: {key} must be between {low:g} and {high:g}")
    return float(value)


def _known(table: Mapping[str, Any], settings: type, where: str) -> None:
    unknown = set(table) - {f.name for f in fields(settings)}
    if unknown:
        raise SettingsError(f"{where}: unknown setting {sorted(unknown)[0]!r}")


def _screen(table: Mapping[str, Any], where: str) -> ScreenSettings:
    _known(table, ScreenSettings, where)
    language = _typed(table, "language", str, "vi", where)
    if language not in SCREEN_LANGUAGES:
        raise SettingsError(f"{where}: language must be one of {', '.join(SCREEN_LANGUAGES)}")
    return ScreenSettings(result_seconds=int(_number(table, "result_seconds", 20, where, low=1, high=3600)),
                          staff_idle_seconds=int(_number(table, "staff_idle_seconds", 60, where, low=1, high=86400)),
                          language=language)


def _face(table: Mapping[str, Any], where: str) -> FaceSettings:
    _known(table, FaceSettings, where)
    return FaceSettings(enabled=_typed(table, "enabled", bool, True, where),
                        liveness=_typed(table, "liveness", bool, False, where),
                        timeout_s=_number(table, "timeout_s", 10.0, where, low=0.1, high=600),
                        max_frames=int(_number(table, "max_frames", 8, where, low=1, high=1000)))


def profile_from_mapping(raw: Mapping[str, Any], path: Path) -> Profile:
    """A profile from parsed TOML; every table and value is checked for its type."""
    profile, trust, outbox = (_table(raw, name, path) for name in ("profile", "trust", "outbox"))
    policy, adapter = _table(raw, "policy", path), _table(raw, "adapter", path) or {"kind": "local"}
    site_table = _table(raw, "site", path)  # [site]: the shared site store (kiosk.store)
    for required in ("name", "site"):
        if not isinstance(profile.get(required), str):
            raise SettingsError(f"{path}: [profile] needs {required} = \"…\" (text)")
    name, site = profile["name"], profile["site"]
    if not _PROFILE_NAME.fullmatch(name):
        raise SettingsError(f"{path}: [profile] name must be 1 to 64 letters, digits, '-' or '_' "
                            "(it names the profile's data folder)")
    csca = _typed(trust, "csca", list, [], f"{path} [trust]")
    if not all(isinstance(p, str) and p and "\x00" not in p for p in csca):
        raise SettingsError(f"{path}: [trust] csca must be a list of paths")
    key_file = _typed(outbox, "key_file", str, "", f"{path} [outbox]")
    if "\x00" in key_file:
        raise SettingsError(f"{path}: [outbox] key_file is not a path")
    if not isinstance(adapter.get("kind", "local"), str):
        raise SettingsError(f"{path}: [adapter] kind must be text")
    try:
        chip_policy = ChipPolicy(**{str(k): v for k, v in policy.items()})
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{path} [policy]: {exc}") from exc
    try:
        reader_pattern = _reader_pattern(_table(raw, "reader", path).get("pattern"))
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    except (OverflowError, RecursionError) as exc:  # re.compile's own limits
        raise SettingsError(f"{path}: [reader] pattern is too large a regular expression") from exc
    return Profile(
        name=name,
        site=site,
        policy=chip_policy,
        face=_face(_table(raw, "face", path), f"{path} [face]"),
        csca=tuple((path.parent / p).resolve() for p in csca),
        data_dir=data_dir() / name,
        outbox_retention_s=_number(outbox, "retention_hours", 24, f"{path} [outbox]", low=0, high=24 * 3650) * 3600,
        adapter=MappingProxyType(dict(adapter)),
        retries=int(_number(profile, "retries", 2, f"{path} [profile]", low=0, high=10)),
        key_file=(path.parent / key_file).resolve() if key_file else None,
        site_store=_typed(site_table, "store", str, "", f"{path} [site]") or None,
        kiosk=_typed(site_table, "kiosk", str, "", f"{path} [site]") or None,
        screen=_screen(_table(raw, "screen", path), f"{path} [screen]"),
        reader_pattern=reader_pattern,
    )
