"""What runs beside the check-ins while a kiosk is up (``kiosk run`` and the screen): the background
delivery worker (:mod:`kiosk.delivery`), this kiosk's heartbeat to the site store, and, when a port is
set (``KIOSK_METRICS_PORT``), its Prometheus metrics on 127.0.0.1.

:meth:`KioskRuntime.site_status` is what the operator panel shows ("site store offline since HH:MM").
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from kiosk.adapters.base import Adapter
from kiosk.adapters.registry import build_adapter
from kiosk.delivery import DeliveryWorker, WorkerState
from kiosk.errors import KioskError
from kiosk.outbox import Outbox, profile_key
from kiosk.settings import Profile, SettingsError
from kiosk.site.metrics import KioskMetrics, metrics_for
from kiosk.store import KioskStatus, kiosk_name, site_store, status_store

log = logging.getLogger(__name__)

METRICS_PORT_ENV = "KIOSK_METRICS_PORT"


@dataclass(frozen=True)
class SiteStatus:
    """The site store as this kiosk sees it: ``store`` is "none" (a kiosk on its own), "online" or "offline"."""

    store: str
    offline_since: datetime | None = None
    unconfirmed: int = 0

    def line(self) -> str:
        """The operator panel's line, e.g. "offline since 07:42 (3 check-ins not yet confirmed)"."""
        if self.store == "none":
            return "none (this kiosk on its own)"
        if self.store == "online":
            return "online" + (f" ({self.unconfirmed} check-ins being reconciled)" if self.unconfirmed else "")
        since = self.offline_since.astimezone().strftime("%H:%M") if self.offline_since else "?"
        return f"offline since {since}" + (f" ({self.unconfirmed} check-ins not yet confirmed)"
                                           if self.unconfirmed else "")


class KioskRuntime:
    """``with KioskRuntime(profile, hardware=lambda: {...}):`` … the kiosk runs … (stops the worker on exit).

    ``hardware()`` gives the reader and camera lines for the heartbeat (no probing on the worker thread
    beyond what it returns)."""

    def __init__(self, profile: Profile, *, hardware: Callable[[], Mapping[str, str]] = dict,
                 metrics_port: int | None = None, idle_s: float = 5.0, heartbeat_every_s: float = 15.0,
                 adapter: Adapter | None = None) -> None:
        self.profile = profile
        self.kiosk = kiosk_name(profile)
        self.metrics: KioskMetrics = metrics_for(self.kiosk, profile.name)
        self._hardware = hardware
        port = metrics_port if metrics_port is not None else os.environ.get(METRICS_PORT_ENV) or None
        try:
            self.metrics_port = None if port is None else int(port)  # 0: any free port
        except ValueError as exc:
            raise SettingsError(f"{METRICS_PORT_ENV} must be a port number, not {port!r}") from exc
        self.heartbeat_every_s = heartbeat_every_s
        self._next_heartbeat = 0.0
        self._metrics_server = None
        self.adapter = adapter if adapter is not None else build_adapter(profile)
        self._status_store = status_store(profile)
        key = profile_key(profile)
        self.worker = DeliveryWorker(lambda: Outbox(profile.outbox_path, key), self.adapter,
                                     retention_s=profile.outbox_retention_s, idle_s=idle_s,
                                     on_round=self._heartbeat)

    # -- lifetime -------------------------------------------------------------------------------------
    def start(self) -> KioskRuntime:
        if self.metrics_port is not None and self._metrics_server is None:
            from prometheus_client import start_http_server

            try:
                self._metrics_server, _ = start_http_server(self.metrics_port, addr="127.0.0.1",
                                                            registry=self.metrics.registry)
            except OSError as exc:
                raise SettingsError(f"cannot serve metrics on 127.0.0.1:{self.metrics_port}: {exc.strerror}") from exc
        self.worker.start()
        return self

    @property
    def metrics_url(self) -> str | None:
        """Where this kiosk's Prometheus metrics are served, while they are."""
        if self._metrics_server is None:
            return None
        host, port = self._metrics_server.server_address[:2]
        return f"http://{host}:{port}/metrics"

    def stop(self) -> None:
        """Stop the worker, then publish a last heartbeat (a kiosk going down reports how it left)."""
        self.worker.stop()
        self._next_heartbeat = 0.0
        try:
            self._heartbeat(self.worker.state)
        except KioskError as exc:
            log.debug("last heartbeat not published: %s", exc)
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
            self._metrics_server = None
        close = getattr(self.adapter, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> KioskRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- status ---------------------------------------------------------------------------------------
    def site_status(self) -> SiteStatus:
        shared = site_store(self.profile)
        if shared is None:
            return SiteStatus("none")
        unconfirmed = getattr(getattr(self.adapter, "store", None), "unconfirmed", None)
        try:
            count = unconfirmed() if callable(unconfirmed) else 0
        except Exception:  # noqa: BLE001 (a count for display only)
            count = 0
        if shared.offline_since is not None:
            return SiteStatus("offline", shared.offline_since, count)
        return SiteStatus("online", None, count)

    def operator_lines(self) -> dict[str, object]:
        """Items for the operator panel (``ui.operator`` words them): the site store (a :class:`SiteStatus`),
        the background delivery ("running" / "stopped") and the upstream as last seen ("ok", …)."""
        state = self.worker.state
        with state.lock:
            delivery = "running" if state.running else "stopped"
            upstream = state.upstream
        return {"site_store": self.site_status(), "delivery": delivery, "upstream": upstream}

    def _heartbeat(self, state: WorkerState) -> None:
        """After a delivery round: gauges now, the heartbeat every ``heartbeat_every_s``."""
        site = self.site_status()
        outbox = state.outbox
        if outbox is not None:
            self.metrics.outbox_pending.set(outbox.pending)
            self.metrics.outbox_failed.set(outbox.failed)
            self.metrics.outbox_oldest.set(outbox.oldest_pending_s or 0)
        self.metrics.store_up.set(0 if site.store == "offline" else 1)
        self.metrics.unconfirmed.set(site.unconfirmed)
        if time.monotonic() < self._next_heartbeat:
            return
        self._next_heartbeat = time.monotonic() + self.heartbeat_every_s
        hardware = dict(self._hardware())
        with state.lock:
            upstream, since, flagged = state.upstream, state.upstream_since, state.flagged
        seen = self.metrics.upstream  # the session's deliveries, if more recent than the worker's
        if seen is not None and (since is None or seen[0] > since):
            upstream = seen[1]
        self._status_store.heartbeat(KioskStatus(
            kiosk=self.kiosk, profile=self.profile.name, reader=hardware.get("reader", ""),
            camera=hardware.get("camera", ""), upstream=upstream,
            outcomes=MappingProxyType(self.metrics.outcomes_today()),
            step_medians_s=MappingProxyType(self.metrics.step_medians_today()),
            outbox_pending=outbox.pending if outbox else 0, outbox_failed=outbox.failed if outbox else 0,
            oldest_pending_s=None if outbox is None or outbox.oldest_pending_s is None
            else round(outbox.oldest_pending_s, 1),
            store_offline_since=site.offline_since.isoformat(timespec="seconds") if site.offline_since else None,
            unconfirmed=site.unconfirmed, flagged=flagged))
