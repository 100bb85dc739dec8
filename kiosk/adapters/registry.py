"""Build a profile's destination adapter from its ``[adapter]`` table (``kind`` picks the class)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def _hospital(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.hospital import HospitalAdapter

    return HospitalAdapter.from_table(table)


def _airport(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.airport import AirportAdapter

    return AirportAdapter.from_config(table, base_dir=profile.data_dir)


def _exam(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.exam import ExamAdapter

    return ExamAdapter.from_config(table, base_dir=profile.data_dir)


FACTORIES: dict[str, Callable[[Profile, Mapping[str, Any]], Adapter]] = {
    "local": _local, "webhook": _webhook, "hospital": _hospital, "airport": _airport, "exam": _exam}


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
    except (ValueError, OSError) as exc:  # a missing secret in the environment, an unreadable roster
        raise SettingsError(f"profile {profile.name}: {exc}") from exc
