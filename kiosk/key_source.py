"""Where the session's access key comes from: a configured key, the card's QR code seen by the camera, or
the keypad on the screen.

A key source is ``Callable[[int], KeyInput]``: attempt 0, then 1, 2, … each time the chip refused the key
before. :class:`KeypadKeys` is the screen's: it tries the QR code first and asks the keypad when no QR
code is seen, when the person asks to type, and after every refusal. It runs on the session's worker
thread and touches no widget: ``ask`` blocks until the screen answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.errors import KeyNotFound
from kiosk.keys import QrData
from nfc.access import AccessKey

#: the message key with which the keypad is asked again after the chip refused the key
REFUSED_KEY_MESSAGE = "chip.access_denied"


@dataclass(frozen=True)
class KeyInput:
    """The access key and, when it came from the card's QR code, what the QR code says (to cross-check)."""

    key: AccessKey
    qr: QrData | None = None


KeySource = Callable[[int], KeyInput]


class KeypadKeys:
    """Attempt 0: ``scan`` (the QR code through the camera, or a configured key); on :class:`KeyNotFound`,
    or when ``interrupt`` is set while scanning (the person asked to type, or the check-in was cancelled),
    ``ask`` the keypad. Attempt 1, 2, …: the chip refused the key, so ``ask`` again with that reason.

    ``ask(attempt, message_key or None)`` blocks until a key is typed and raises
    :class:`~kiosk.errors.KeyEntryCancelled` when the person cancels.
    """

    def __init__(self, scan: KeySource | None, ask: Callable[[int, str | None], KeyInput],
                 interrupt: threading.Event, *, poll_s: float = 0.05) -> None:
        self._scan, self._ask, self._interrupt, self._poll_s = scan, ask, interrupt, poll_s

    def __call__(self, attempt: int) -> KeyInput:
        if attempt >= 1:
            return self._ask(attempt, REFUSED_KEY_MESSAGE)
        if self._scan is None or self._interrupt.is_set():
            return self._ask(attempt, None)
        try:
            found = self._scan_until_interrupted(attempt)
        except KeyNotFound as exc:
            return self._ask(attempt, exc.message_key)
        return found if found is not None else self._ask(attempt, None)

    def _scan_until_interrupted(self, attempt: int) -> KeyInput | None:
        """The scan's key, or None when interrupted first (the scan then finishes on its own, unheard)."""
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def scan() -> None:
            try:
                outcome["key"] = self._scan(attempt)
            except BaseException as exc:  # noqa: BLE001 (handed to the worker thread and raised there)
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=scan, name="kiosk-qr-scan", daemon=True).start()
        while not done.wait(self._poll_s):
            if self._interrupt.is_set():
                return None
        if "error" in outcome:
            raise outcome["error"]
        return outcome["key"]
