"""The site store: what the kiosks of one site share (exam rosters and attendance, queue numbers, airport
clearances, each kiosk's heartbeat).

Without configuration every kiosk keeps its own embedded SQLite (:mod:`kiosk.store.sqlite`), as it always
did. With ``KIOSK_SITE_STORE`` (a libpq URL, e.g. ``postgresql://kiosk@/site?host=/run/postgresql``) or
``[site] store = "…"`` in the profile (the environment wins), the site's PostgreSQL
(:mod:`kiosk.store.postgres`) is shared, with this kiosk's SQLite as its offline buffer
(:mod:`kiosk.store.offline`). A kiosk's name on the site is ``KIOSK_ID``, else ``[site] kiosk``, else the
host name and a short digest of its data folder.

:func:`ping` answers whether a site store is reachable (for ``doctor`` and the operator panel).
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.store.base import SiteStore, StoreError, StoreUnavailable
from kiosk.store.records import Attendance, AttendanceStatus, Claim, Clearance, KioskStatus

__all__ = ["Attendance", "AttendanceStatus", "Claim", "Clearance", "KioskStatus", "PingResult", "SiteStore",
           "StoreError", "StoreUnavailable", "kiosk_name", "local_store_path", "ping", "site_store",
           "site_store_url", "status_store"]

STORE_ENV = "KIOSK_SITE_STORE"
KIOSK_ENV = "KIOSK_ID"

_shared: dict[tuple[str, str, str], SiteStore] = {}
_shared_lock = threading.Lock()


def site_store_url(profile) -> str | None:
    """The site store's URL for ``profile``: ``KIOSK_SITE_STORE``, else the profile's ``[site] store``."""
    return os.environ.get(STORE_ENV) or getattr(profile, "site_store", None) or None


def kiosk_name(profile) -> str:
    configured = os.environ.get(KIOSK_ENV) or getattr(profile, "kiosk", None)
    if configured:
        return str(configured)
    digest = hashlib.sha256(str(Path(profile.data_dir).resolve()).encode()).hexdigest()[:6]
    return f"{socket.gethostname()}-{digest}"


def local_store_path(profile) -> Path:
    """Where this kiosk keeps its own heartbeat (and, without a site store, its site page's data)."""
    return Path(profile.data_dir) / "site.sqlite3"


def site_store(profile):
    """The shared PostgreSQL store of ``profile``'s site (one per process), or None without one."""
    url = site_store_url(profile)
    if url is None:
        return None
    from kiosk.store.postgres import PostgresStore

    key = (url, profile.site, kiosk_name(profile))
    with _shared_lock:
        store = _shared.get(key)
        if store is None:
            store = _shared[key] = PostgresStore(url, site=profile.site, kiosk=key[2])
        return store


def status_store(profile) -> SiteStore:
    """Where this kiosk publishes its heartbeat and the site page reads the kiosks: the site store, else the
    kiosk's own SQLite."""
    shared = site_store(profile)
    if shared is not None:
        return shared
    from kiosk.store.sqlite import SqliteStore

    return SqliteStore(local_store_path(profile), site=profile.site, kiosk=kiosk_name(profile))


@dataclass(frozen=True)
class PingResult:
    ok: bool
    detail: str  # what failed, or the schema version; never a password
    latency_s: float | None = None


def ping(url: str, *, timeout_s: float = 3.0) -> PingResult:
    """Can a site store be reached at ``url``, and is its schema one this kiosk knows? Migrates it if new."""
    from kiosk.store.postgres import PostgresStore

    start = time.perf_counter()
    store = None
    try:
        store = PostgresStore(url, site="", kiosk="ping", connect_timeout_s=timeout_s)
        version = store.ping()
    except (StoreUnavailable, StoreError) as exc:
        return PingResult(False, str(exc))
    finally:
        if store is not None:
            store.close()
    return PingResult(True, f"schema version {version}", time.perf_counter() - start)
