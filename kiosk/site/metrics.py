"""A kiosk's numbers: Prometheus metrics (prometheus-client) and today's counts for the heartbeat.

They are fed by the audit log (:class:`MeteredAudit`), which the session already writes one line per step
and one per outcome, so neither the session nor the screen has to report anything twice. Only outcomes,
step names and durations are seen here.
"""

from __future__ import annotations

import statistics
import threading
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client import Counter as PromCounter

from kiosk.audit import AuditLog

#: audit outcomes that are not the end of a check-in
_NOT_FINAL = frozenset({"ok", "key_refused"})
_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
_KEPT = 2000  # step durations kept per step for today's medians


class KioskMetrics:
    """Counters by outcome, step-duration histograms and outbox / site-store gauges in its own registry,
    plus today's counts and median step times (reset at midnight) for the site page."""

    def __init__(self, kiosk: str, profile: str, *, today: Callable[[], date] = date.today) -> None:
        self.registry = CollectorRegistry()
        labels = {"kiosk": kiosk, "profile": profile}
        self._labels = labels
        self.checkins = PromCounter("kiosk_checkins", "Finished check-ins by outcome", ["kiosk", "profile", "outcome"],
                                    registry=self.registry)
        self.steps = Histogram("kiosk_step_duration_seconds", "Duration of each check-in step",
                               ["kiosk", "profile", "step"], buckets=_BUCKETS, registry=self.registry)
        self.outbox_pending = Gauge("kiosk_outbox_pending", "Check-ins waiting in the outbox", list(labels),
                                    registry=self.registry).labels(**labels)
        self.outbox_failed = Gauge("kiosk_outbox_failed", "Check-ins the upstream refused, waiting for staff",
                                   list(labels), registry=self.registry).labels(**labels)
        self.outbox_oldest = Gauge("kiosk_outbox_oldest_pending_seconds", "Age of the oldest waiting check-in",
                                   list(labels), registry=self.registry).labels(**labels)
        self.store_up = Gauge("kiosk_site_store_up", "1 while the site store answers (or none is configured)",
                              list(labels), registry=self.registry).labels(**labels)
        self.unconfirmed = Gauge("kiosk_site_unconfirmed", "Check-ins the site store has not confirmed yet",
                                 list(labels), registry=self.registry).labels(**labels)
        self.store_up.set(1)
        self._today = today
        self._day = today()
        self._lock = threading.Lock()
        self._outcomes: Counter[str] = Counter()
        self._times: dict[str, deque[float]] = {}
        self.upstream: tuple[datetime, str] | None = None  # (when, "ok" / "unreachable") of the last delivery

    def _roll(self) -> None:
        day = self._today()
        if day != self._day:
            self._day, self._outcomes, self._times = day, Counter(), {}

    def observe(self, step: str, outcome: str, seconds: float | None) -> None:
        """One audit line: a step's duration, or a check-in's outcome."""
        with self._lock:
            self._roll()
            if outcome == "ok" and seconds is not None:
                self.steps.labels(**self._labels, step=step).observe(seconds)
                self._times.setdefault(step, deque(maxlen=_KEPT)).append(seconds)
            elif outcome not in _NOT_FINAL:
                self.checkins.labels(**self._labels, outcome=outcome).inc()
                self._outcomes[outcome] += 1
                if step == "checkin":  # the session's own delivery of the check-in just made
                    self.upstream = (datetime.now(UTC), "unreachable" if outcome == "queued" else "ok")

    def outcomes_today(self) -> dict[str, int]:
        with self._lock:
            self._roll()
            return dict(self._outcomes)

    def step_medians_today(self) -> dict[str, float]:
        with self._lock:
            self._roll()
            return {step: round(statistics.median(times), 4) for step, times in self._times.items() if times}


class MeteredAudit(AuditLog):
    """The audit log, also counting into :class:`KioskMetrics`."""

    def __init__(self, path: Path | None, metrics: KioskMetrics, **kwargs) -> None:
        super().__init__(path, **kwargs)
        self.metrics = metrics

    def record(self, ref: str, step: str, outcome: str, *, seconds: float | None = None,
               detail: str | None = None, profile: str | None = None) -> None:
        super().record(ref, step, outcome, seconds=seconds, detail=detail, profile=profile)
        self.metrics.observe(step, outcome, seconds)


_by_kiosk: dict[tuple[str, str], KioskMetrics] = {}
_by_kiosk_lock = threading.Lock()


def metrics_for(kiosk: str, profile: str) -> KioskMetrics:
    """The one :class:`KioskMetrics` of this kiosk and profile in this process."""
    with _by_kiosk_lock:
        found = _by_kiosk.get((kiosk, profile))
        if found is None:
            found = _by_kiosk[(kiosk, profile)] = KioskMetrics(kiosk, profile)
        return found
