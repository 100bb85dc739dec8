"""What a check-in is, as it crosses from the session to an adapter and the outbox.

Small frozen dataclasses only; personal fields are kept to what the destination needs, and ``repr``
never shows them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType


@dataclass(frozen=True)
class Person:
    """The verified card holder, from the chip (DG13, DG1)."""

    id_number: str
    full_name: str
    date_of_birth: date | None
    sex: str | None  # "M" / "F" / None
    birth_year_only: bool = False  # DG13 gave only a year

    def __repr__(self) -> str:
        return "Person(******)"


@dataclass(frozen=True)
class Evidence:
    """How the person was verified: chip access and authenticity, face decision (no images, no templates)."""

    access: str  # "PACE" / "BAC"
    passive_authentication: str  # valid / invalid / unverified
    active_authentication: str  # valid / invalid / not_supported
    chip_authentication: str = "not_supported"
    face_match: bool | None = None
    face_distance: float | None = None
    face_threshold: float | None = None
    liveness: str = "not_checked"  # passed / failed / not_checked


@dataclass(frozen=True)
class CheckIn:
    """One verified check-in. ``checkin_id`` is the idempotency key every adapter honours."""

    profile: str
    site: str
    person: Person
    evidence: Evidence
    created_at: datetime
    checkin_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    context: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"CheckIn(id={self.checkin_id}, profile={self.profile})"


class DecisionStatus(StrEnum):
    CLEARED = "cleared"
    REFER = "refer"  # staff must look
    REFUSED = "refused"


@dataclass(frozen=True)
class Decision:
    """An adapter's answer before submission: may this person check in here, and why (message keys)."""

    status: DecisionStatus
    reasons: tuple[str, ...] = ()  # message keys for the screen, most important first
    staff_notes: tuple[str, ...] = ()  # what staff should check or do; no personal data
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # placeholders of reasons[0]

    CLEARED = DecisionStatus.CLEARED
    REFER = DecisionStatus.REFER
    REFUSED = DecisionStatus.REFUSED

    @property
    def cleared(self) -> bool:
        return self.status == DecisionStatus.CLEARED


# -- what the destination gives the person to take away, one shape per kind of place -------------------
@dataclass(frozen=True)
class QueueTicket:
    """Hospital reception and the local queue: a number to wait with, and where to go."""

    queue_number: str | None
    department: str | None = None


@dataclass(frozen=True)
class GateClearance:
    """Airport security: the lane's decision on this boarding pass."""

    decision: DecisionStatus
    flight: str
    seat: str | None = None


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    DUPLICATE = "duplicate"  # a second check-in in the same exam session: recorded, flagged for staff


@dataclass(frozen=True)
class ExamAdmission:
    """Exam room: the candidate's room and number, and when attendance was recorded (``HH:MM``)."""

    decision: AttendanceStatus
    room: str
    sbd: str
    time: str


ReceiptDisplay = QueueTicket | GateClearance | ExamAdmission


def display_to_dict(display: ReceiptDisplay | None) -> dict[str, str]:
    """The display as the flat mapping the outbox stores, the JSON output shows and a webhook answers."""
    if display is None:
        return {}
    return {name: str(value) for name, value in vars(display).items() if value not in (None, "")}


def display_from_dict(data: Mapping[str, object]) -> ReceiptDisplay | None:
    """The typed display a flat mapping describes (stored rows, a receiver's JSON); None when it names none."""
    text = {str(k): str(v) for k, v in data.items() if v is not None}
    if text.get("queue_number") or text.get("department"):
        return QueueTicket(text.get("queue_number") or None, text.get("department") or None)
    if "flight" in text and text.get("decision") in tuple(DecisionStatus):
        return GateClearance(DecisionStatus(text["decision"]), text["flight"], text.get("seat") or None)
    if "sbd" in text and text.get("decision") in tuple(AttendanceStatus):
        return ExamAdmission(AttendanceStatus(text["decision"]), text.get("room", ""), text["sbd"],
                             text.get("time", ""))
    return None


@dataclass(frozen=True)
class Receipt:
    """What the destination answered to a submission: its reference and what to show the person."""

    reference: str
    display: ReceiptDisplay | None = None
    duplicate: bool = False  # the destination had this check-in already (idempotent replay)

    def display_dict(self) -> dict[str, str]:
        return display_to_dict(self.display)


def checkin_to_dict(checkin: CheckIn) -> dict:
    """A JSON-able form for the outbox (which encrypts it) and for adapters that post JSON."""
    person, evidence = checkin.person, checkin.evidence
    return {
        "checkin_id": checkin.checkin_id,
        "profile": checkin.profile,
        "site": checkin.site,
        "created_at": checkin.created_at.isoformat(),
        "person": {"id_number": person.id_number, "full_name": person.full_name,
                   "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
                   "sex": person.sex, "birth_year_only": person.birth_year_only},
        "evidence": {name: getattr(evidence, name) for name in evidence.__dataclass_fields__},
        "context": dict(checkin.context),
    }


def checkin_from_dict(data: dict) -> CheckIn:
    person = data["person"]
    born = person.get("date_of_birth")
    return CheckIn(
        profile=data["profile"],
        site=data["site"],
        person=Person(person["id_number"], person["full_name"], date.fromisoformat(born) if born else None,
                      person.get("sex"), bool(person.get("birth_year_only", False))),
        evidence=Evidence(**data["evidence"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        checkin_id=data["checkin_id"],
        context=MappingProxyType(dict(data.get("context", {}))),
    )
