"""What the site store keeps, as small frozen records: no names or ID numbers except in the roster.

The roster is the one personal table (the exam board's own list, needed to match a card to a candidate);
attendance, queue numbers, airport clearances and kiosk heartbeats hold references, times and statuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from kiosk.checkin import AttendanceStatus

__all__ = ["ATTENDANCE_COLUMNS", "Attendance", "AttendanceStatus", "Claim", "Clearance", "KioskStatus"]


@dataclass(frozen=True)
class Attendance:
    """One recorded exam check-in (present, or a flagged repeat); no names, no ID numbers.

    ``kiosk`` is the kiosk that recorded it; ``confirmed`` is False while only this kiosk knows it (the
    site store was unreachable); ``reconciled`` is True for a repeat found when such a check-in reached the
    site store later."""

    checkin_id: str
    reference: str
    session: str
    candidate_key: str
    sbd: str
    room: str
    status: str
    matched_by: str
    checked_in_at: str
    recorded_at: str
    access: str | None = None
    passive_authentication: str | None = None
    active_authentication: str | None = None
    chip_authentication: str | None = None
    face_match: int | None = None
    face_distance: float | None = None
    face_threshold: float | None = None
    liveness: str | None = None
    first_reference: str | None = None
    kiosk: str = ""
    confirmed: bool = True
    reconciled: bool = False

    @property
    def time(self) -> str:
        """``HH:MM`` of the check-in, local time of the exam."""
        return self.checked_in_at[11:16]


ATTENDANCE_COLUMNS = tuple(Attendance.__dataclass_fields__)


@dataclass(frozen=True)
class Claim:
    """The answer to recording an exam check-in: the row stored for it; ``replay`` when this check-in
    was stored before (an outbox retry); ``first`` the candidate's present row when it is a repeat."""

    stored: Attendance
    replay: bool = False
    first: Attendance | None = None


@dataclass(frozen=True)
class Clearance:
    """What is kept of one airport check-in: no name, no ID number, no PNR."""

    checkin_id: str
    reference: str
    decision: str
    flight: str
    seat: str
    flight_day: int | None
    recorded_at: str  # ISO 8601, local time of the airport


@dataclass(frozen=True)
class KioskStatus:
    """A kiosk's heartbeat: what the site page shows about it. Counts, durations and states only."""

    kiosk: str
    profile: str
    last_seen: str = ""  # ISO 8601 UTC, set by the store
    reader: str = ""
    camera: str = ""
    upstream: str = ""
    outcomes: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # today's, by outcome
    step_medians_s: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    outbox_pending: int = 0
    outbox_failed: int = 0
    oldest_pending_s: float | None = None
    store_offline_since: str | None = None  # ISO 8601 UTC, while the kiosk works without the site store
    unconfirmed: int = 0  # check-ins not yet in the site store
    flagged: int = 0  # repeats found when offline check-ins were reconciled
