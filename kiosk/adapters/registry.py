"""Build a profile's destination adapter from its ``[adapter]`` table (``kind`` picks the class)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kiosk.adapters.base import Adapter
from kiosk.adapters.urls import allows_insecure_http, upstream_url
from kiosk.errors import KioskError
from kiosk.settings import Profile, SettingsError
from kiosk.store import SiteStore, site_store


def offline_first(profile: Profile, local_path: Path | str) -> SiteStore | None:
    """The site store backed by this kiosk's SQLite at ``local_path`` (its record and offline buffer), with the
    roster cached under the outbox key; None when no site store is configured (the adapter's own SQLite)."""
    from kiosk.outbox import profile_key
    from kiosk.store.offline import OfflineFirstStore, RosterCache
    from kiosk.store.sqlite import SqliteStore

    remote = site_store(profile)
    if remote is None:
        return None
    key = profile_key(profile)
    if str(local_path) == ":memory:":  # the offline buffer must survive a restart
        local_path = profile.data_dir / f"{profile.name}-site.sqlite3"
    local = SqliteStore(local_path, site=profile.site, kiosk=remote.kiosk)
    return OfflineFirstStore(remote, local, roster_cache=RosterCache(profile.data_dir / "roster-cache.bin", key))


def _database(profile: Profile, table: Mapping[str, Any], default: str) -> Path | str:
    name = str(table.get("database", default))
    return name if name == ":memory:" else profile.data_dir / name


def _local(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.local import LocalQueueAdapter

    return LocalQueueAdapter(profile.data_dir / "queue.sqlite3", prefix=str(table.get("prefix", "A")),
                             department=str(table.get("department", "")), store=site_store(profile))


def _webhook(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.webhook import WebhookAdapter

    url = upstream_url(table["url"], "[adapter] url", allow_insecure_http=allows_insecure_http(table))
    return WebhookAdapter(url, timeout_s=float(table.get("timeout_s", 5.0)))


def _hospital(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.hospital import HospitalAdapter

    return HospitalAdapter.from_table(table)


def _airport(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.airport import AirportAdapter

    return AirportAdapter.from_config(table, base_dir=profile.data_dir,
                                      store=offline_first(profile, _database(profile, table, "airport.sqlite3")))


def _exam(profile: Profile, table: Mapping[str, Any]) -> Adapter:
    from kiosk.adapters.exam import ExamAdapter

    return ExamAdapter.from_config(table, base_dir=profile.data_dir,
                                   store=offline_first(profile, _database(profile, table, ":memory:")))


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
    except (ValueError, OSError, KioskError) as exc:  # a missing secret, a bad roster (RosterError) or URL,
        raise SettingsError(f"profile {profile.name}: {exc}") from exc  # the site store (StoreError, …)
