"""The one interface every destination adapter implements.

``lookup`` checks, before anything is submitted, whether this person may check in here (insurance card
valid, boarding pass matches, candidate on the roster). ``submit`` hands over a verified check-in and
must be idempotent by ``checkin.checkin_id``: the outbox retries after crashes and timeouts, so the same
check-in may arrive twice and must be recorded once.

Errors: :class:`UpstreamUnavailable` when the other side could not be reached or answered a transient
failure (the outbox retries later), :class:`UpstreamRejected` when it answered with a final refusal.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import MappingProxyType

from kiosk.checkin import CheckIn, Decision, Person, Receipt
from kiosk.errors import KioskError


class UpstreamError(KioskError):
    """The destination system failed; ``retryable`` says whether trying again later may succeed."""

    message_key = "upstream.error"
    retryable = False

    def __init__(self, message: str, *, step: str | None = None, code: str | None = None,
                 params: Mapping[str, str] | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.code = code  # the upstream's own result code, for staff logs
        self.params = MappingProxyType(dict(params or {}))  # placeholders of ``message_key`` (e.g. a time)
        self.retry_after_s = retry_after_s  # the upstream asked not to be tried again sooner (Retry-After)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from an HTTP ``Retry-After`` header (delay-seconds or an HTTP date); None when absent or
    unreadable (the outbox's own backoff then applies)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class UpstreamUnavailable(UpstreamError):
    message_key = "upstream.unavailable"
    retryable = True


class UpstreamRejected(UpstreamError):
    message_key = "upstream.rejected"


class Adapter(abc.ABC):
    """A destination system. Implementations are configured from their profile's table in ``config/``."""

    name: str = "adapter"
    #: what the person must give besides the card, before the card is read (context keys, e.g. "boarding_pass")
    requires: tuple[str, ...] = ()

    def precheck(self, context: Mapping[str, str]) -> Decision:
        """Before the card is read: is what the person gave (``requires``) usable? Cleared by default."""
        return Decision(Decision.CLEARED)

    @abc.abstractmethod
    def lookup(self, person: Person, context: Mapping[str, str]) -> Decision:
        """May ``person`` check in here? ``context`` carries what the kiosk gathered (e.g. boarding pass text)."""

    @abc.abstractmethod
    def submit(self, checkin: CheckIn) -> Receipt:
        """Record ``checkin`` at the destination, exactly once per ``checkin_id``."""
