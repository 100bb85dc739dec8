"""The chip library's and the face engine's typed errors, as the session's failures.

One table per library, by exception type, most specific first: the kind decides what the person can do
next, the error's own ``message_key`` what they read, its text (step and status word) what staff read.
"""

from __future__ import annotations

from biometrics.errors import BiometricsError, NoUsableFace
from kiosk.outcomes import Failure, FailureKind, Outcome, Step
from nfc.errors import (
    AccessDeniedError,
    AccessKeyError,
    ApduError,
    CardRemovedError,
    NfcError,
    NoCardError,
    NoReaderError,
    ParseError,
    SecureMessagingError,
    TransportError,
)

_NFC: tuple[tuple[type[NfcError], Outcome, FailureKind], ...] = (
    (AccessDeniedError, Outcome.REFUSED, FailureKind.NEW_KEY),
    (AccessKeyError, Outcome.REFUSED, FailureKind.RETRY),
    (NoReaderError, Outcome.ERROR, FailureKind.READER),
    (NoCardError, Outcome.ERROR, FailureKind.NO_CARD),
    (CardRemovedError, Outcome.ERROR, FailureKind.CARD),
    (TransportError, Outcome.ERROR, FailureKind.CARD),
    (SecureMessagingError, Outcome.ERROR, FailureKind.CARD),
    (ApduError, Outcome.ERROR, FailureKind.CHIP),
    (ParseError, Outcome.ERROR, FailureKind.CHIP),
)


def nfc_failure(exc: NfcError, step: Step) -> tuple[Outcome, Failure]:
    """A chip error met in ``step``. An error of no more specific type than :class:`NfcError` is a link
    glitch worth another try; any other chip error means this chip cannot be used here."""
    outcome, kind = Outcome.ERROR, FailureKind.CARD if type(exc) is NfcError else FailureKind.CHIP
    for error_type, error_outcome, error_kind in _NFC:
        if isinstance(exc, error_type):
            outcome, kind = error_outcome, error_kind
            break
    where = getattr(exc, "step", None) or step
    return outcome, Failure(kind, exc.message_key, step, f"{where}: {exc}")


def biometric_failure(exc: BiometricsError, step: Step) -> tuple[Outcome, Failure]:
    """A face error met in ``step``: no usable face in the frames can be tried again; anything else (no
    camera, a portrait that does not decode, no models) cannot be helped by the person."""
    if isinstance(exc, NoUsableFace):
        return Outcome.REFUSED, Failure(FailureKind.FACE, exc.message_key, step, f"{exc.where}: {exc.reason}")
    return Outcome.ERROR, Failure(FailureKind.FACE_REFUSED, exc.message_key, step, str(exc))
