"""Today's numbers for the operator panel, kept in memory from :class:`~kiosk.session.SessionResult`.

Only outcomes, message keys and step durations are kept: no names, numbers or pictures.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass
class DailyStats:
    today: Callable[[], date] = date.today
    day: date | None = None
    outcomes: Counter = field(default_factory=Counter)
    step_times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    totals: list[float] = field(default_factory=list)

    def _roll(self) -> None:
        now = self.today()
        if self.day != now:
            self.day = now
            self.outcomes.clear()
            self.step_times.clear()
            self.totals.clear()

    def add(self, result) -> None:
        """Count one finished check-in (any object with ``outcome`` and ``timings``)."""
        self._roll()
        self.outcomes[result.outcome] += 1
        for step, seconds in result.timings:
            self.step_times[step].append(float(seconds))
        self.totals.append(float(sum(s for _, s in result.timings)))

    @property
    def count(self) -> int:
        self._roll()
        return sum(self.outcomes.values())

    def medians(self) -> dict[str, float]:
        """Median seconds per step, in the session's step order where known."""
        self._roll()
        return {step: statistics.median(times) for step, times in self.step_times.items() if times}

    def median_total(self) -> float | None:
        self._roll()
        return statistics.median(self.totals) if self.totals else None
