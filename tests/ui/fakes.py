"""A stand-in session for UI tests: emits a scripted list of SessionEvents on the worker thread, asks for
consent where the real session would (the face step), and returns a scripted SessionResult."""

from __future__ import annotations

import threading

from kiosk.checkin import Receipt, display_from_dict
from kiosk.outcomes import Failure, FailureKind, Outcome, Step
from kiosk.session import SessionEvent, SessionResult

READ = ("card", "consent", "key", "chip", "trust")
STEPS = (*READ, "face", "destination", "result")  # what a demo-profile session shows

#: the kind the real session gives the failures these tests script (kiosk/failures.py, kiosk/session.py)
KIND = {
    "chip.card_removed": FailureKind.CARD, "chip.error": FailureKind.CARD, "chip.no_card": FailureKind.NO_CARD,
    "chip.access_denied": FailureKind.NEW_KEY, "chip.malformed": FailureKind.CHIP,
    "face.too_small": FailureKind.FACE, "face.none_found": FailureKind.FACE,
    "face.consent_declined": FailureKind.DECLINED, "kiosk.error": FailureKind.RETRY,
    "airport.boarding_pass_missing": FailureKind.RETRY,
    "session.cancelled": FailureKind.CANCELLED, "key.entry_cancelled": FailureKind.CANCELLED,
}


def script(*steps: str, fail: str | None = None, fail_key: str | None = None, challenge: str | None = None):
    """Events for ``steps`` (started/done each); ``fail`` ends with that step failing."""
    events = []
    for step in steps:
        events.append((step, "started", None))
        if step == "liveness" and challenge:
            events.append((step, "challenge", challenge))
        if step == fail:
            events.append((step, "failed", fail_key))
            break
        events.append((step, "done", None))
    return events


def ok_result(display: dict[str, str] | None = None, *, outcome: str = "checked_in", key: str = "result.checked_in",
              warnings: tuple[str, ...] = ()) -> SessionResult:
    receipt = Receipt("R-1", display_from_dict(display or {"queue_number": "A007", "department": "Khoa Nội"}))
    timings = tuple((Step(s), 0.1) for s in (*READ, "face", "destination", "result"))
    failure = None if outcome != "refer" else Failure(FailureKind.STAFF, key, Step.DESTINATION)
    return SessionResult("ref123abcdef", Outcome(outcome), key, timings, receipt=receipt, checkin_id="c1",
                         warnings=warnings, failure=failure)


def error_result(key: str, outcome: str = "refused", step: str = "chip") -> SessionResult:
    failure = Failure(KIND.get(key, FailureKind.STAFF), key, Step(step), f"{step}: scripted")
    return SessionResult("ref456abcdef", Outcome(outcome), key, ((Step.CARD, 0.1), (Step(step), 0.2)), failure=failure)


def _stopped(key: str, step: str) -> SessionResult:
    outcome = Outcome.CANCELLED if key == "session.cancelled" else Outcome.REFUSED
    return SessionResult("ref", outcome, key, (), failure=Failure(KIND[key], key, Step(step)))


class FakeSession:
    """Stands in for :class:`kiosk.session.CheckInSession`. ``run`` plays ``events``; at ("consent", "started")
    it asks ``consent()`` and, when declined, ends like the real session (refused, declined).
    ``gate`` (a threading.Event) pauses before the result."""

    requires: tuple[str, ...] = ()

    def __init__(self, events, result: SessionResult, *, gate: threading.Event | None = None) -> None:
        self.events = list(events)
        scripted = {Step(step) for step, _, _ in self.events}
        self.steps = tuple(step for step in Step if step in scripted or step in STEPS)
        self.result = result
        self.gate = gate
        self.cancelled = threading.Event()
        self.contexts: list[dict] = []
        self.consent_answers: list[bool] = []
        self.listener = self.consent = self.keypad = None
        self.outbox = None

    def factory(self, *, listener, consent, keypad=None):
        self.listener, self.consent, self.keypad = listener, consent, keypad
        return self, self.outbox

    def cancel(self) -> None:
        self.cancelled.set()

    def run(self, context=None) -> SessionResult:
        self.cancelled.clear()
        self.contexts.append(dict(context or {}))
        for step, state, key in self.events:
            if self.cancelled.is_set():
                return _stopped("session.cancelled", step)
            self.listener(SessionEvent("ref", Step(step), state, key))
            if step == "consent" and state == "started":
                agreed = self.consent()
                self.consent_answers.append(agreed)
                if not agreed:
                    self.listener(SessionEvent("ref", Step.CONSENT, "failed", "face.consent_declined"))
                    return _stopped("face.consent_declined", "consent")
        if self.gate is not None:
            self.gate.wait(10)
        if self.cancelled.is_set():
            return _stopped("session.cancelled", "result")
        return self.result


def texts(widget) -> str:
    """Every visible label's and button's text under ``widget``, one a line."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    found = [w for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton) if w.isVisibleTo(widget)]
    return "\n".join(w.text() for w in found)
