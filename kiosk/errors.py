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
