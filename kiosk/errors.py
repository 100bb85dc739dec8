"""Errors of the check-in application."""

from __future__ import annotations


class KioskError(Exception):
    """Base of :mod:`kiosk` errors; ``message_key`` names what the screen says."""

    message_key = "kiosk.error"


class UsageError(KioskError):
    """A command line that parses but makes no sense (exit status 2)."""


class KeyNotFound(KioskError):
    """No access key could be had: no QR code seen and nothing typed."""

    message_key = "key.not_found"


class KeyEntryCancelled(KioskError):
    """The person cancelled typing the access key (or walked away from the keypad)."""

    message_key = "key.entry_cancelled"


class InvalidTypedKey(KioskError):
    """A typed ID number or CAN is not valid; ``message_key`` says why in the person's words and the
    message (from :mod:`kiosk.keys`) says exactly why, for staff (never echoing the number)."""

    message_key = "key.invalid"

    def __init__(self, reason: str, message_key: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if message_key is not None:
            self.message_key = message_key
