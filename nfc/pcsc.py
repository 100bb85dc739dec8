"""PC/SC transport through pyscard's thin ``smartcard.scard`` layer.

The low-level layer is used rather than ``smartcard.System`` so that every PC/SC result code can be
mapped to a precise typed error: reader not connected (also when the PC/SC service stopped), no card, card
removed, or a transmit failure (which is how some readers refuse an extended-length APDU). Which reader to
use, when none is named, is :func:`choose_reader`'s decision.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from smartcard import scard

from nfc.errors import CardRemovedError, NoCardError, ReaderNotConnected, ReaderPatternError, TransportError
from nfc.transport import Connection

#: Slots of dual and multi-slot readers that cannot hold a CCCD: the SAM slot (ACS ACR1252 "SAM 1", ACR1281
#: "SAM 2"), the contact slot (ACR1281 "ICC 1", Gemalto Prox-DU "Contact_…", other "Contact" slots).
SAM_OR_CONTACT_SLOT = re.compile(r"\bSAM\b|\bICC\b|\bcontact(?!less)", re.IGNORECASE)
#: Names that say a reader (slot) is contactless; preferred when several readers remain.
CONTACTLESS_SLOT = re.compile(r"\bPICC\b|\bCL\b|\dCL\b|contactless|\bNFC\b", re.IGNORECASE)


class SkipReason(StrEnum):
    """Why :func:`choose_reader` passed a reader over."""

    SAM_OR_CONTACT_SLOT = "sam_or_contact_slot"
    NOT_MATCHING = "does_not_match_pattern"


@dataclass(frozen=True)
class SkippedReader:
    name: str
    reason: SkipReason


@dataclass(frozen=True)
class ReaderChoice:
    """The reader to use (None when no reader fits) and every reader passed over, with the reason."""

    chosen: str | None
    skipped: tuple[SkippedReader, ...] = ()


def choose_reader(names: Iterable[str], pattern: str | None = None) -> ReaderChoice:
    """The contactless reader to read a CCCD on, out of the PC/SC reader ``names``.

    ``pattern`` (a regular expression searched case-insensitively, e.g. ``"ACR1252.*PICC"``) keeps only the
    readers it matches. SAM and contact slots are skipped, unless ``pattern`` names nothing else. Among what
    remains, a name that says it is contactless (PICC, CL, NFC) wins, else the first in PC/SC order.
    Raises :class:`~nfc.errors.ReaderPatternError` for a pattern that is not a regular expression.
    """
    names = list(names)
    try:
        matcher = re.compile(pattern, re.IGNORECASE) if pattern else None
    except re.error as exc:
        raise ReaderPatternError(f"reader pattern {pattern!r} is not a regular expression: {exc}",
                                 step="pcsc") from None
    matching = [name for name in names if matcher is None or matcher.search(name)]
    usable = [name for name in matching if not SAM_OR_CONTACT_SLOT.search(name)]
    if not usable and matcher is not None:
        usable = matching  # the operator named this slot on purpose
    skipped = tuple(
        SkippedReader(name, SkipReason.SAM_OR_CONTACT_SLOT if name in matching else SkipReason.NOT_MATCHING)
        for name in names if name not in usable
    )
    contactless = [name for name in usable if CONTACTLESS_SLOT.search(name)]
    return ReaderChoice((contactless or usable or [None])[0], skipped)


#: Results that mean the card left (or was reset under us).
_REMOVED = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD,
            scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_W_UNRESPONSIVE_CARD}
#: Results that mean the reader went away, or the PC/SC service stopped (our handles died with it).
_READER_GONE = {scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_NO_SERVICE,
                scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE, scard.SCARD_E_NO_READERS_AVAILABLE}
#: Reader states that mean the reader is no longer there.
_STATE_GONE = scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE
#: How long PC/SC may take to report a card gone after a failed transmit (pcscd polls some readers at 400 ms).
CARD_LEFT_SETTLE_S = 1.0
#: Pause between two attempts to reach a reader that is not connected (or a PC/SC service that is restarting).
RECONNECT_PAUSE_S = 0.25


def _message(code: int) -> str:
    return f"{scard.SCardGetErrorMessage(code).strip()} (0x{code & 0xFFFFFFFF:08X})"


def _reader_gone(what: str, code: int | None = None) -> ReaderNotConnected:
    detail = f": {_message(code)}" if code is not None else ""
    return ReaderNotConnected(f"{what}{detail}", step="pcsc")


class PcscContext:
    """A PC/SC resource-manager context: lists readers, watches their state and connects to cards.

    A context dies with the PC/SC service; every method then raises :class:`ReaderNotConnected`, and
    :func:`open_reader` establishes a new one.
    """

    def __init__(self) -> None:
        result, self._handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            raise _reader_gone("the PC/SC service is not running", result)

    def readers(self) -> list[str]:
        result, names = scard.SCardListReaders(self._handle, [])
        if result == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if result in _READER_GONE:
            raise _reader_gone("the PC/SC service stopped", result)
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(f"cannot list readers: {_message(result)}", step="pcsc")
        return list(names)

    def find_reader(self, name: str | None = None, pattern: str | None = None) -> str:
        """``name`` (a reader's name or its beginning), else :func:`choose_reader`'s with ``pattern``;
        :class:`ReaderNotConnected` when there is no such reader now."""
        names = self.readers()
        if not names:
            raise _reader_gone("no PC/SC reader is connected")
        if name is not None:
            for candidate in names:
                if candidate == name or candidate.startswith(name):
                    return candidate
            raise _reader_gone(f"reader {name!r} is not connected; connected: {', '.join(names)}")
        choice = choose_reader(names, pattern)
        if choice.chosen is None:
            wanted = f"matching {pattern!r}" if pattern else "for contactless cards"
            raise _reader_gone(f"no reader {wanted} is connected; connected: {', '.join(names)}")
        return choice.chosen

    def reader_state(self, reader: str, known: int = scard.SCARD_STATE_UNAWARE, timeout_s: float = 0.0) -> int | None:
        """The state flags of ``reader`` once they differ from ``known`` (at once for UNAWARE), None when
        ``timeout_s`` passes first; :class:`ReaderNotConnected` when the reader or the service is gone."""
        result, states = scard.SCardGetStatusChange(self._handle, int(timeout_s * 1000), [(reader, known)])
        if result == scard.SCARD_E_TIMEOUT:
            return None
        if result in _READER_GONE:
            raise _reader_gone(f"reader {reader!r} went away", result)
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(f"cannot read the state of {reader!r}: {_message(result)}", step="pcsc")
        state = states[0][1]
        if state & _STATE_GONE:
            raise _reader_gone(f"reader {reader!r} went away")
        return state & ~scard.SCARD_STATE_CHANGED

    def card_present(self, reader: str) -> bool:
        return bool((self.reader_state(reader) or 0) & scard.SCARD_STATE_PRESENT)

    def card_left(self, reader: str, settle_s: float = CARD_LEFT_SETTLE_S) -> bool:
        """Whether the card has left ``reader``, giving PC/SC ``settle_s`` to notice (right after a failed
        transmit it may still report the card present)."""
        deadline = time.monotonic() + settle_s
        state = self.reader_state(reader)
        while state is not None and state & scard.SCARD_STATE_PRESENT:
            state = self.reader_state(reader, state, max(0.0, deadline - time.monotonic()))
        return state is not None

    def wait_for_card(self, reader: str | None = None, timeout_s: float = 0.0, *, pattern: str | None = None) -> str:
        """Block until a card is on ``reader`` (by default :func:`choose_reader`'s); return the reader's name."""
        name = self.find_reader(reader, pattern)
        deadline = time.monotonic() + timeout_s
        state = self.reader_state(name) or 0  # never None: any state differs from UNAWARE
        while not state & scard.SCARD_STATE_PRESENT:
            changed = self.reader_state(name, state, max(0.0, deadline - time.monotonic()))
            if changed is None:
                raise NoCardError(f"no card on {name!r} within {timeout_s:g} s", step="wait_for_card")
            state = changed
        return name

    def connect(self, reader: str | None = None, *, pattern: str | None = None) -> PcscConnection:
        name = self.find_reader(reader, pattern)
        result, card, protocol = scard.SCardConnect(
            self._handle, name, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if result in _REMOVED:
            raise NoCardError(f"no card on {name!r}", step="connect")
        if result in _READER_GONE:
            raise _reader_gone(f"reader {name!r} went away", result)
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(f"cannot connect to the card on {name!r}: {_message(result)}", step="connect")
        return PcscConnection(self, name, card, protocol)

    def close(self) -> None:
        if self._handle is not None:
            scard.SCardReleaseContext(self._handle)
            self._handle = None


class PcscConnection(Connection):
    """One card on one PC/SC reader."""

    def __init__(self, context: PcscContext, reader: str, card: int, protocol: int) -> None:
        self.context = context
        self.reader = reader
        self._card: int | None = card
        self._protocol = protocol
        self.owns_context = False

    def transmit(self, raw: bytes) -> bytes:
        if self._card is None:
            raise CardRemovedError("the card connection is closed", step="transmit")
        result, response = scard.SCardTransmit(self._card, self._protocol, list(raw))
        if result == scard.SCARD_S_SUCCESS and len(response) >= 2:
            return bytes(response)
        raise self._failure(result)

    def _failure(self, result: int) -> TransportError:
        """Why a transmit failed. Through pcscd a pulled card mostly shows as 0x80100016 (not transacted) or
        an empty response, so the card's state decides: removed, the reader gone, or a real link failure
        (which is also how some readers refuse an extended-length APDU)."""
        what = _message(result) if result != scard.SCARD_S_SUCCESS else "a response without status word"
        if result in _REMOVED:
            return CardRemovedError(f"the card was removed ({what})", step="transmit")
        if result in _READER_GONE:
            return _reader_gone("the reader went away during a transmit", result)
        try:
            left = self.context.card_left(self.reader)
        except ReaderNotConnected as exc:
            return exc
        if left:
            return CardRemovedError(f"the card was removed ({what})", step="transmit")
        return TransportError(f"transmit failed: {what}", step="transmit")

    def close(self) -> None:
        if self._card is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None
        if self.owns_context:
            self.context.close()


def open_reader(reader: str | None = None, *, wait_s: float = 0.0, pattern: str | None = None) -> PcscConnection:
    """Connect to the card on ``reader`` (by name or name prefix; by default the reader :func:`choose_reader`
    picks with ``pattern``), waiting up to ``wait_s`` for one.

    Made to be called again after any failure: each attempt starts from a new PC/SC context, so it finds
    the service again after a pcscd restart and the reader again after it was unplugged. Within ``wait_s``
    it keeps trying while the reader is not connected (:class:`ReaderNotConnected` after that).
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return _open_once(reader, pattern, deadline)
        except ReaderNotConnected:
            if time.monotonic() + RECONNECT_PAUSE_S > deadline:
                raise
            time.sleep(RECONNECT_PAUSE_S)


def _open_once(reader: str | None, pattern: str | None, deadline: float) -> PcscConnection:
    context = PcscContext()
    try:
        name = context.find_reader(reader, pattern)
        remaining = deadline - time.monotonic()
        if remaining > 0:
            context.wait_for_card(name, remaining)
        connection = context.connect(name)
    except BaseException:
        context.close()
        raise
    connection.owns_context = True
    return connection
