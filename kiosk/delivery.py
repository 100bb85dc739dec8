"""The background delivery worker: queued check-ins go out while no one is at the kiosk.

A thread with a stop event. Each round it delivers every outbox row that is due (the outbox's backoff and
an upstream's ``Retry-After`` decide when a row is due again), pushes check-ins recorded while the site
store was offline (the adapter's ``reconcile``), purges delivered rows older than the retention period,
and calls ``on_round`` (the kiosk's heartbeat). It then sleeps until the next row is due, at most
``idle_s``, or until :meth:`DeliveryWorker.wake` (a new check-in was queued). It opens its own outbox
connection (SQLite connections are not shared between threads) and uses its own adapter instance.

``run`` and the screen start one (:mod:`kiosk.site.runtime`); the session's own delivery of a fresh
check-in is untouched, and the outbox leaves a fresh row to it for ``first_attempt_hold_s``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kiosk.adapters.base import Adapter
from kiosk.errors import KioskError
from kiosk.outbox import DeliveryState, Outbox, OutboxStatus

log = logging.getLogger(__name__)

#: a fresh check-in is the session's to deliver for this long before the worker may take it
FIRST_ATTEMPT_HOLD_S = 30.0


@dataclass(frozen=True)
class DeliveryRound:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    purged: int = 0
    reconciled: int = 0
    flagged: int = 0
    error: str | None = None  # a kiosk fault that stopped the round (e.g. the outbox key), for staff


@dataclass
class WorkerState:
    """What the operator panel and the heartbeat read (updated by the worker's thread)."""

    running: bool = False
    rounds: int = 0
    delivered: int = 0
    flagged: int = 0
    last_round_at: datetime | None = None
    upstream: str = "unknown"  # "ok" / "unreachable" / "refusing" / "unknown"
    upstream_since: datetime | None = None
    last_error: str | None = None
    outbox: OutboxStatus | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


class DeliveryWorker:
    """``DeliveryWorker(open_outbox, adapter, retention_s=…).start()`` … ``.stop()``."""

    def __init__(self, open_outbox: Callable[[], Outbox], adapter: Adapter, *, retention_s: float | None,
                 idle_s: float = 5.0, min_wait_s: float = 0.2, purge_every_s: float = 600.0, batch: int = 50,
                 on_round: Callable[[WorkerState], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._open_outbox, self._adapter = open_outbox, adapter
        self.retention_s, self.idle_s, self.min_wait_s = retention_s, idle_s, min_wait_s
        self.purge_every_s, self.batch = purge_every_s, batch
        self._on_round = on_round
        self._clock = clock
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_purge = 0.0
        self.state = WorkerState()

    # -- control (any thread) -------------------------------------------------------------------------
    def start(self) -> DeliveryWorker:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="kiosk-delivery", daemon=True)
            self._thread.start()
        return self

    def wake(self) -> None:
        """Deliver now rather than at the next due time."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    # -- the thread -----------------------------------------------------------------------------------
    def _run(self) -> None:
        with self.state.lock:
            self.state.running = True
        outbox = None
        try:
            outbox = self._open_outbox()
            while not self._stop.is_set():
                self.run_once(outbox)
                self._wake.wait(self._wait_s(outbox))
                self._wake.clear()
        except KioskError as exc:  # the outbox cannot be opened (its key): staff must see it
            log.error("delivery worker stopped: %s", exc)
            with self.state.lock:
                self.state.last_error = str(exc)
        finally:
            if outbox is not None:
                outbox.close()
            with self.state.lock:
                self.state.running = False

    def _wait_s(self, outbox: Outbox) -> float:
        try:
            due = outbox.next_due_in()
        except Exception:  # noqa: BLE001 (a busy or broken database: try again after the idle period)
            return self.idle_s
        return self.idle_s if due is None else min(self.idle_s, max(self.min_wait_s, due))

    def run_once(self, outbox: Outbox) -> DeliveryRound:
        """One round: deliver what is due, reconcile, purge, report. Never raises."""
        try:
            found = self._round(outbox)
        except KioskError as exc:
            log.error("delivery round failed: %s", exc)
            found = DeliveryRound(error=str(exc))
        except Exception as exc:  # the thread's outermost guard: log for staff, go on next round
            log.exception("delivery round failed unexpectedly")
            found = DeliveryRound(error=type(exc).__name__)
        self._record(found, outbox)
        return found

    def _round(self, outbox: Outbox) -> DeliveryRound:
        delivered = retrying = failed = 0
        while not self._stop.is_set():
            results = outbox.deliver_due(lambda profile: self._adapter, limit=self.batch)
            for result in results:
                if result.state == DeliveryState.DELIVERED:
                    delivered += 1
                elif result.state == DeliveryState.PENDING:
                    retrying += 1
                else:
                    failed += 1
            if len(results) < self.batch or retrying:
                break
        reconciled = flagged = 0
        reconcile = getattr(self._adapter, "reconcile", None)
        if reconcile is not None:
            done = reconcile()
            if done is not None:
                reconciled, flagged = done.pushed, done.flagged
        purged = 0
        if self.retention_s is not None and self._clock() >= self._next_purge:
            purged = outbox.purge(self.retention_s)
            self._next_purge = self._clock() + self.purge_every_s
        return DeliveryRound(delivered, retrying, failed, purged, reconciled, flagged)

    def _record(self, found: DeliveryRound, outbox: Outbox) -> None:
        now = datetime.now(UTC)
        upstream = "unreachable" if found.retrying else "refusing" if found.failed else \
            "ok" if found.delivered else None
        try:
            status = outbox.status()
        except Exception:  # noqa: BLE001 (the status is for display; the next round tries again)
            status = None
        with self.state.lock:
            state = self.state
            state.rounds += 1
            state.delivered += found.delivered
            state.flagged += found.flagged
            state.last_round_at = now
            state.last_error = found.error
            state.outbox = status
            if upstream is not None and upstream != state.upstream:
                state.upstream, state.upstream_since = upstream, now
        if found.delivered or found.retrying or found.reconciled:
            log.info("delivery round: %d delivered, %d retrying, %d failed, %d reconciled (%d flagged), %d purged",
                     found.delivered, found.retrying, found.failed, found.reconciled, found.flagged, found.purged)
        if self._on_round is not None:
            try:
                self._on_round(self.state)
            except KioskError as exc:
                log.debug("heartbeat not published: %s", exc)
