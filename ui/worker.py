"""The check-in runs here, on its own thread: the card, the camera and the network never block the screen.

:class:`SessionRunner` owns one :class:`~kiosk.session.CheckInSession` (or anything with the same
``run(context)`` / ``cancel()``) on a worker ``QThread``. The session's listener is called on that thread;
each event is handed to the screen through a Qt signal (queued to the UI thread). The Decree 13/2023
consent question blocks the worker on a :class:`threading.Event` until the person answers on the
screen (or the question times out, or the check-in is cancelled).

The access key works the same way: :class:`~kiosk.key_source.KeypadKeys` is the key source the runner
hands to the session. On the first attempt it tries the card's QR code (the hardware's own key source);
when no QR code is seen, when the person taps "type my number", and whenever the chip refused a key, it
asks the keypad screen (``key_requested``) and blocks the worker until the person submits a number or
cancels.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.errors import KeyEntryCancelled
from kiosk.key_source import KeyInput, KeypadKeys, KeySource
from kiosk.outcomes import EventState, Step
from kiosk.session import SessionEvent, SessionResult

#: ``make_session(listener=..., consent=..., keypad=...) -> (session, outbox or None)``, e.g. around
#: :func:`kiosk.assembly.build_session`. ``keypad(scan)`` turns the hardware's key source ``scan`` (the
#: configured key or the card's QR code, e.g. ``Hardware.keys``) into the screen's key source, to pass as
#: ``build_session(..., keys=keypad(hardware.keys))``.
SessionFactory = Callable[..., tuple[Any, Any]]


log = logging.getLogger(__name__)

_PACED = (Step.CARD, Step.CONSENT, Step.KEY, Step.CHIP, Step.TRUST, Step.DESTINATION)  # the demo's steps worth a pause


class _Worker(QObject):
    """Lives on the worker thread; ``run`` is invoked there through a queued signal."""

    finished = Signal(object)  # SessionResult

    def __init__(self, runner: SessionRunner) -> None:
        super().__init__()
        self._runner = runner

    @Slot(object)
    def run(self, context: Mapping[str, str]) -> None:
        result = self._runner.session.run(context)
        self.finished.emit(result)


class SessionRunner(QObject):
    """Signals (all delivered on the UI thread): ``event(SessionEvent)``, ``consent_requested()``,
    ``key_requested(attempt, message key or "")``, ``finished(SessionResult)``."""

    event = Signal(object)
    consent_requested = Signal()
    key_requested = Signal(int, str)
    finished = Signal(object)
    _start = Signal(object)

    def __init__(self, make_session: SessionFactory, *, pace_s: float = 0.0,
                 consent_timeout_s: float = 180.0, key_timeout_s: float = 600.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pace_s = pace_s  # demo only: let each reading step be seen (a real chip takes seconds)
        self._consent_timeout_s = consent_timeout_s
        self._key_timeout_s = key_timeout_s
        self._consent_event = threading.Event()
        self._consent_answer = False
        self._key_event = threading.Event()
        self._key_answer: KeyInput | None = None
        self._typing = threading.Event()  # the person asked to type the number (or the check-in was cancelled)
        self._lock = threading.Lock()
        self.running = False
        self._cancelled = False
        self.session, self.outbox = make_session(listener=self._on_event, consent=self._ask_consent,
                                                 keypad=self.key_source)
        self._thread = QThread()
        self._thread.setObjectName("kiosk-session")
        self._worker = _Worker(self)
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._thread.start()

    # -- UI thread -----------------------------------------------------------------------------------
    def start(self, context: Mapping[str, str] | None = None) -> bool:
        """Begin one check-in; False when one is already running."""
        if self.running:
            return False
        self.running = True
        self._cancelled = False
        self._consent_event.clear()
        self._key_event.clear()
        self._typing.clear()
        self._start.emit(dict(context or {}))
        return True

    def answer_consent(self, agreed: bool) -> None:
        with self._lock:
            self._consent_answer = bool(agreed)
        self._consent_event.set()

    def answer_key(self, key: KeyInput | None) -> None:
        """The key typed on the keypad, or None: the person cancelled."""
        with self._lock:
            self._key_answer = key
        self._key_event.set()

    def request_keypad(self) -> None:
        """The person tapped "type my number": stop waiting for the QR code and ask the keypad."""
        self._typing.set()

    def key_source(self, scan: KeySource | None) -> KeypadKeys:
        """The key source to give the session: ``scan`` first, then the keypad (see :class:`KeypadKeys`)."""
        return KeypadKeys(scan, self._ask_key, self._typing)

    def cancel(self) -> None:
        """Stop the running check-in at its next step boundary; a pending consent question is declined and a
        pending keypad is cancelled."""
        if self.running:
            with self._lock:
                self._cancelled = True
            self.session.cancel()
            self._typing.set()
            self.answer_consent(False)
            self.answer_key(None)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        self.cancel()
        self._thread.quit()
        self._thread.wait(timeout_ms)
        if self.outbox is not None and hasattr(self.outbox, "close"):
            self.outbox.close()

    @Slot(object)
    def _on_finished(self, result: SessionResult) -> None:
        self.running = False
        self.finished.emit(result)

    # -- worker thread -------------------------------------------------------------------------------
    def _on_event(self, event: SessionEvent) -> None:
        self.event.emit(event)  # queued to the UI thread
        if self._pace_s and event.state == EventState.DONE and event.step in _PACED:
            time.sleep(self._pace_s)

    def _ask_consent(self) -> bool:
        with self._lock:
            self._consent_answer = False
            self._consent_event.clear()
            if self._cancelled:
                return False
        self.consent_requested.emit()
        answered = self._consent_event.wait(self._consent_timeout_s)
        with self._lock:
            return answered and self._consent_answer

    def _ask_key(self, attempt: int, message_key: str | None) -> KeyInput:
        with self._lock:
            self._key_answer = None
            self._key_event.clear()
            if self._cancelled:
                raise KeyEntryCancelled("the check-in was cancelled before the key was typed")
        self.key_requested.emit(attempt, message_key or "")
        answered = self._key_event.wait(self._key_timeout_s)
        with self._lock:
            key, cancelled = self._key_answer, self._cancelled
        if key is None:
            raise KeyEntryCancelled("the check-in was cancelled" if cancelled or answered
                                    else "no key was typed in time")
        return key
