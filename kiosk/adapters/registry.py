"""Build a profile's destination adapter from its ``[adapter]`` table (``kind`` picks the class)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kiosk.adapters.base import Adapter
from kiosk.settings import Profile, SettingsError


def _local(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.local import LocalQueueAdapter

    return LocalQueueAdapter(profile.data_dir / "queue.sqlite3", prefix=str(table.get("prefix", "A")),
                             department=str(table.get("department", "")))


def _webhook(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.webhook import WebhookAdapter

    return WebhookAdapter(str(table["url"]), timeout_s=float(table.get("timeout_s", 5.0)))


FACTORIES: dict[str, Callable[[Profile, Mapping[str, Any]], Adapter]] = {"local": _local, "webhook": _webhook}


def build_adapter(profile: Profile) -> Adapter:
    table = dict(profile.adapter)
    kind = table.get("kind", "local")
    try:
        factory = FACTORIES[kind]
    except KeyError as exc:
        raise SettingsError(f"profile {profile.name}: unknown adapter kind {kind!r}") from exc
    try:
        return factory(profile, table)
    except KeyError as exc:
        raise SettingsError(f"profile {profile.name}: [adapter] needs {exc}") from exc


def data_path(profile: Profile, value: str) -> Path:
    """A path from a profile table, relative to the profile's data folder."""
    return (profile.data_dir / value).resolve()
