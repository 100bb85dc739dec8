"""One error hierarchy for the chip library.

Every error carries a ``message_key`` (what the screen should say, looked up by the application) and a
``step`` (which stage failed, for staff logs). None of them carries personal data.
"""

from __future__ import annotations


class NfcError(Exception):
    """Base of every error raised by :mod:`nfc`."""

    message_key = "chip.error"

    def __init__(self, message: str, *, step: str | None = None, sw: int | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.sw = sw

    def __str__(self) -> str:
        text = super().__str__()
        if self.sw is not None:
            text += f" (SW {self.sw:04X})"
        return text


class TransportError(NfcError):
    """The link to the card failed: no reader, no card, or the card went away."""

    message_key = "chip.communication_lost"


class NoReaderError(TransportError):
    message_key = "chip.no_reader"


class ReaderNotConnected(NoReaderError):
    """No reader (or not the one configured) is connected now, or the PC/SC service is not running: the kiosk
    shows "reader not connected" and tries again; :func:`nfc.pcsc.open_reader` recovers once it is back."""

    message_key = "chip.reader_not_connected"


class ReaderPatternError(NoReaderError, ValueError):
    """The configured reader pattern is not a regular expression."""


class NoCardError(TransportError):
    message_key = "chip.no_card"


class CardRemovedError(TransportError):
    message_key = "chip.card_removed"


class ExtendedLengthNotSupported(TransportError):
    """The reader refused an extended-length APDU (transmit error or 6700)."""


class ApduError(NfcError):
    """The card answered a command with an error status word."""

    message_key = "chip.refused"

    def __init__(self, message: str, sw: int, *, step: str | None = None) -> None:
        super().__init__(message, step=step, sw=sw)


class FileNotFoundOnChip(ApduError):
    message_key = "chip.file_missing"


class AccessDeniedError(NfcError):
    """The card refused the access key (wrong CAN or MRZ data)."""

    message_key = "chip.access_denied"


class SecureMessagingError(NfcError):
    """A protected response failed its MAC, its padding or its structure."""

    message_key = "chip.secure_messaging"


class ParseError(NfcError, ValueError):
    """A file read from the chip is malformed (bad tag, bad length, truncated, failed check digit)."""

    message_key = "chip.malformed"


class FileTooLarge(ParseError):
    """A chip file announces more bytes than the reader accepts for it (see :mod:`nfc.limits`)."""


class AccessKeyError(NfcError, ValueError):
    """An access key typed or scanned by a person is not valid; the message says exactly why."""

    message_key = "key.invalid"
