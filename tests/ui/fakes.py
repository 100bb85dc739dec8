"""A stand-in session for UI tests: emits a scripted list of SessionEvents on the worker thread, asks for
consent where the real session would (the face step), and returns a scripted SessionResult."""

from __future__ import annotations

import threading
from types import MappingProxyType

from kiosk.checkin import Receipt
from kiosk.session import SessionEvent, SessionResult

READ = ("card", "key", "chip", "trust")


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
    receipt = Receipt("R-1", MappingProxyType(display or {"queue_number": "A007", "department": "Khoa Nội"}))
    timings = tuple((s, 0.1) for s in (*READ, "face", "destination", "result"))
    return SessionResult("ref123", outcome, key, timings, receipt=receipt, checkin_id="c1", warnings=warnings)


def error_result(key: str, outcome: str = "refused", step: str = "chip") -> SessionResult:
    return SessionResult("ref456", outcome, key, (("card", 0.1), (step, 0.2)), failed_step=step)


class FakeSession:
    """Stands in for :class:`kiosk.session.CheckInSession`. ``run`` plays ``events``; at ("face", "started")
    it asks ``consent()`` and, when declined, ends like the real session (refused, face.consent_declined).
    ``gate`` (a threading.Event) pauses before the result."""

    def __init__(self, events, result: SessionResult, *, gate: threading.Event | None = None) -> None:
        self.events = list(events)
        self.result = result
        self.gate = gate
        self.cancelled = threading.Event()
        self.contexts: list[dict] = []
        self.consent_answers: list[bool] = []
        self.listener = self.consent = self.keypad = None
        self.outbox = None
        self.housekeeping_runs = 0

    def factory(self, *, listener, consent, keypad=None):
        self.listener, self.consent, self.keypad = listener, consent, keypad
        return self, self.outbox

    def housekeeping(self, retention_s: float | None = None) -> int:
        self.housekeeping_runs += 1
        return 0

    def cancel(self) -> None:
        self.cancelled.set()

    def run(self, context=None) -> SessionResult:
        self.cancelled.clear()
        self.contexts.append(dict(context or {}))
        for step, state, key in self.events:
            if self.cancelled.is_set():
                return SessionResult("ref", "cancelled", "session.cancelled", ())
            self.listener(SessionEvent("ref", step, state, key))
            if step == "face" and state == "started":
                agreed = self.consent()
                self.consent_answers.append(agreed)
                if not agreed:
                    self.listener(SessionEvent("ref", "face", "failed", "face.consent_declined"))
                    return SessionResult("ref", "refused", "face.consent_declined", (("face", 0.0),),
                                         failed_step="face")
        if self.gate is not None:
            self.gate.wait(10)
        if self.cancelled.is_set():
            return SessionResult("ref", "cancelled", "session.cancelled", ())
        return self.result


def texts(widget) -> str:
    """Every visible label's and button's text under ``widget``, one a line."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    found = [w for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton) if w.isVisibleTo(widget)]
    return "\n".join(w.text() for w in found)
