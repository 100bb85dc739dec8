"""The check-in runs here, on its own thread: the card, the camera and the network never block the screen.

:class:`SessionRunner` owns one :class:`~kiosk.session.CheckInSession` (or anything with the same
``run(context)`` / ``cancel()``) on a worker ``QThread``. The session's listener is called on that thread;
each event is handed to the screen through a Qt signal (queued to the UI thread). The Decree 13/2023
consent question blocks the worker on a :class:`threading.Event` until the person answers on the
screen (or the question times out, or the check-in is cancelled).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.session import SessionEvent, SessionResult

#: ``make_session(listener=..., consent=...) -> (session, outbox or None)``, e.g. a partial of
#: :func:`kiosk.assembly.build_session`.
SessionFactory = Callable[..., tuple[Any, Any]]


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
    ``finished(SessionResult)``."""

    event = Signal(object)
    consent_requested = Signal()
    finished = Signal(object)
    _start = Signal(object)

    def __init__(self, make_session: SessionFactory, *, pace_s: float = 0.0,
                 consent_timeout_s: float = 180.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pace_s = pace_s  # demo only: let each reading step be seen (a real chip takes seconds)
        self._consent_timeout_s = consent_timeout_s
        self._consent_event = threading.Event()
        self._consent_answer = False
        self._lock = threading.Lock()
        self.running = False
        self._cancelled = False
        self.session, self.outbox = make_session(listener=self._on_event, consent=self._ask_consent)
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
        self._start.emit(dict(context or {}))
        return True

    def answer_consent(self, agreed: bool) -> None:
        with self._lock:
            self._consent_answer = bool(agreed)
        self._consent_event.set()

    def cancel(self) -> None:
        """Stop the running check-in at its next step boundary; a pending consent question is declined."""
        if self.running:
            with self._lock:
                self._cancelled = True
            self.session.cancel()
            self.answer_consent(False)

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
        if self._pace_s and event.state == "done" and event.step in ("card", "key", "chip", "trust", "destination"):
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
