"""The vocabulary the session decides in, and the screen and the CLI only display.

Every value is a :class:`~enum.StrEnum` whose values are the strings the audit log, the outbox, the JSON
output and the profiles have always used, so stored data and scripts read the same. A run that does not
end in a check-in carries one :class:`Failure`, built once by the session: what kind of failure it is
(which decides the screen's buttons and the CLI's exit status, each in one table), the person's message
and the staff's detail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Step(StrEnum):
    """The session's steps, in the order a run may take them."""

    PRECHECK = "precheck"  # what the person brought besides the card (the boarding pass), before the card
    CARD = "card"
    CONSENT = "consent"  # Decree 13/2023: before the camera is used for anything
    KEY = "key"
    CHIP = "chip"
    TRUST = "trust"
    FACE = "face"
    LIVENESS = "liveness"
    DESTINATION = "destination"
    RESULT = "result"


class EventState(StrEnum):
    STARTED = "started"
    DONE = "done"
    FAILED = "failed"
    CHALLENGE = "challenge"  # the liveness step asks the person to do something (a head turn)


class Outcome(StrEnum):
    CHECKED_IN = "checked_in"
    REFER = "refer"  # recorded, but staff must look (the destination's own reason)
    QUEUED = "queued"  # recorded, the destination is down: delivered later by the outbox
    REFUSED = "refused"
    ERROR = "error"
    CANCELLED = "cancelled"

    @property
    def recorded(self) -> bool:
        """The check-in was stored and is (or will be) at the destination."""
        return self in (Outcome.CHECKED_IN, Outcome.QUEUED, Outcome.REFER)


class FailureKind(StrEnum):
    """What the person can do next; the screen and the CLI each map these in one table."""

    RETRY = "retry"  # try again here (a key not found, a glitch)
    NEW_KEY = "new_key"  # the chip refused the access key: type it again
    NO_CARD = "no_card"  # no card was placed while the kiosk waited
    CARD = "card"  # the card moved or the link broke: place it again
    CHIP = "chip"  # the chip cannot be used (malformed, refuses, unsupported): staff
    READER = "reader"  # no reader, or it is disconnected: staff
    FACE = "face"  # no usable face in the frames: look at the camera again
    FACE_REFUSED = "face_refused"  # the face check cannot be done here (camera, portrait, liveness): staff
    STAFF = "staff"  # a decision only staff can take (authenticity, identity, the destination's refusal)
    DECLINED = "declined"  # the person chose not to use the camera: a choice, not an error
    CANCELLED = "cancelled"  # the person or staff stopped the check-in, or the person walked away


@dataclass(frozen=True)
class Failure:
    """Why a run did not end in a plain check-in.

    ``message_key`` (+ ``params`` for its placeholders) is what the person reads; ``detail`` is for staff
    (step, status word, check names, never personal data); ``reason`` is the destination's own code when
    it gave one (a BHYT result code, ``already_checked_in``)."""

    kind: FailureKind
    message_key: str
    step: Step
    detail: str | None = None
    reason: str | None = None
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def short_reference(ref: str) -> str:
    """The six characters a person reads out to staff, who type them into the operator panel."""
    return ref[:6].upper()
