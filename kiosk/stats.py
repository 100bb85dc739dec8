"""Today's numbers for the operator panel, kept in memory from :class:`~kiosk.session.SessionResult`.

Only outcomes, failure kinds, message keys and step durations are kept: no names, numbers or pictures.
A declined consent is a person's choice, not a refusal, and is counted on its own line. The last results
are kept by their short reference, so a person sent to staff can be looked up by the six characters on
their screen.
"""

from __future__ import annotations

import statistics
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.outcomes import FailureKind, Step, short_reference

DECLINED = "declined"  # the tally of declined consents, beside the outcomes' own values
RECENT = 200  # results kept for a reference lookup (about a busy hour)


@dataclass(frozen=True)
class RecentResult:
    """What staff may see of one finished check-in: when, how it ended, where and why (no personal data)."""

    at: datetime
    outcome: str
    step: Step | None
    kind: FailureKind | None
    message_key: str
    detail: str | None


@dataclass
class DailyStats:
    today: Callable[[], date] = date.today
    now: Callable[[], datetime] = datetime.now
    day: date | None = None
    outcomes: Counter = field(default_factory=Counter)
    step_times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    totals: list[float] = field(default_factory=list)
    recent: OrderedDict[str, RecentResult] = field(default_factory=OrderedDict)

    def _roll(self) -> None:
        now = self.today()
        if self.day != now:
            self.day = now
            self.outcomes.clear()
            self.step_times.clear()
            self.totals.clear()

    def add(self, result) -> None:
        """Count one finished check-in (a :class:`~kiosk.session.SessionResult`)."""
        self._roll()
        failure = getattr(result, "failure", None)
        declined = failure is not None and failure.kind is FailureKind.DECLINED
        self.outcomes[DECLINED if declined else str(result.outcome)] += 1
        for step, seconds in result.timings:
            self.step_times[str(step)].append(float(seconds))
        self.totals.append(float(sum(s for _, s in result.timings)))
        self.recent[short_reference(result.ref)] = RecentResult(
            self.now(), str(result.outcome), None if failure is None else failure.step,
            None if failure is None else failure.kind, result.message_key,
            None if failure is None else failure.detail)
        while len(self.recent) > RECENT:
            self.recent.popitem(last=False)

    def find(self, reference: str) -> RecentResult | None:
        """The result a person's short reference names (case and spaces ignored)."""
        return self.recent.get("".join(reference.split()).upper())

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
