"""A day of people, compressed: the real kiosk window driven through unattended demo check-ins, one after
another, with idle spells on the welcome screen, while its memory, frame rate and health are watched.

It drives the window only through what a person touches (Start, "I agree", Done) and reports what a
site would ask after a long day: check-ins done and how they ended, exceptions caught in the event loop,
resident memory at the start and the end, and the live preview's frame rate.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.outcomes import EventState, Step

TICK_MS = 250
IDLE_EVERY = 8  # check-ins between two idle spells
DWELL_S = 1.0  # how long a person looks at a result before tapping Done
RSS_EVERY_S = 10.0


def resident_mb() -> float:
    """This process's resident memory, from /proc (Linux), in MiB."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class SoakReport:
    minutes: float
    checkins: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    exceptions: int = 0
    idle_spells: int = 0
    rss_start_mb: float = 0.0  # after the first check-in (models loaded, caches warm)
    rss_end_mb: float = 0.0
    rss_max_mb: float = 0.0
    preview_fps_median: float | None = None
    none_refcount_drift: int | None = None  # Python < 3.12 only: a leaking binding shows here first

    def as_dict(self) -> dict:
        return asdict(self)


class Soak(QObject):
    """Drives ``window`` for ``minutes``, idling ``idle_s`` on the welcome screen every few check-ins."""

    def __init__(self, window, minutes: float, *, idle_s: float = 20.0) -> None:
        super().__init__(window)
        self.window, self.idle_s = window, idle_s
        self.report = SoakReport(minutes)
        self._deadline = time.monotonic() + minutes * 60
        self._outcomes: Counter[str] = Counter()
        self._fps: list[float] = []
        self._rss: list[float] = []
        self._wait_until = 0.0
        self._screen, self._since, self._idled_at = None, 0.0, 0
        self._next_rss = 0.0
        self._none_start = sys.getrefcount(None) if sys.version_info < (3, 12) else None
        self._previous_hook = sys.excepthook
        sys.excepthook = self._exception
        window.runner.finished.connect(self._finished)
        window.runner.event.connect(self._event)
        self._face_started: float | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._timer.start(TICK_MS)

    def _exception(self, kind, value, trace) -> None:
        self.report.exceptions += 1
        self._previous_hook(kind, value, trace)

    def _event(self, event) -> None:
        """The preview's frame rate while the face step works (the chip and the matcher busy meanwhile)."""
        if event.step != Step.FACE:
            return
        now = time.perf_counter()
        if event.state == EventState.STARTED:
            self._face_started = now
        elif self._face_started is not None:
            times = [t for t in self.window.frame_times if self._face_started <= t <= now]
            if len(times) > 2 and times[-1] > times[0]:
                self._fps.append((len(times) - 1) / (times[-1] - times[0]))
            self._face_started = None

    def _finished(self, result) -> None:
        self.report.checkins += 1
        self._outcomes[str(result.outcome)] += 1
        if self.report.checkins == 1:
            self.report.rss_start_mb = round(resident_mb(), 1)

    def _tick(self) -> None:
        now = time.monotonic()
        if now >= self._next_rss:
            self._rss.append(resident_mb())
            self._next_rss = now + RSS_EVERY_S
        if now >= self._deadline and not self.window.runner.running:
            self._finish()
            return
        if now < self._wait_until:
            return
        w = self.window
        screen = w.current()
        if screen is not self._screen:
            self._screen, self._since = screen, now
        if screen is w.welcome and not w.runner.running:
            due = self.report.checkins and self.report.checkins % IDLE_EVERY == 0
            if due and self._idled_at != self.report.checkins:
                self._idled_at = self.report.checkins
                self.report.idle_spells += 1
                self._wait_until = now + self.idle_s  # the welcome animation runs on its own meanwhile
                return
            w.welcome.go.click()
        elif screen is w.consent:
            w.consent.agree.click()
        elif screen in (w.result, w.error, w.declined) and now - self._since >= DWELL_S:
            screen.finish.click()

    def _finish(self) -> None:
        self._timer.stop()
        sys.excepthook = self._previous_hook
        r = self.report
        r.outcomes = dict(self._outcomes)
        r.rss_end_mb = round(resident_mb(), 1)
        r.rss_max_mb = round(max(self._rss, default=r.rss_end_mb), 1)
        r.preview_fps_median = round(statistics.median(self._fps), 1) if self._fps else None
        if self._none_start is not None:
            r.none_refcount_drift = sys.getrefcount(None) - self._none_start
        QApplication.instance().quit()
