"""PC/SC transport through pyscard's thin ``smartcard.scard`` layer.

The low-level layer is used rather than ``smartcard.System`` so that every PC/SC result code can be
mapped to a precise typed error: no reader, no card, card removed, or a transmit failure (which is how
some readers refuse an extended-length APDU).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from smartcard import scard

from nfc.errors import CardRemovedError, NoCardError, NoReaderError, ReaderPatternError, TransportError
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


_REMOVED = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD,
            scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_E_READER_UNAVAILABLE}
_NO_SERVICE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_NO_READERS_AVAILABLE}


def _message(code: int) -> str:
    return f"{scard.SCardGetErrorMessage(code).strip()} (0x{code & 0xFFFFFFFF:08X})"


class PcscContext:
    """A PC/SC resource-manager context: lists readers and waits for cards."""

    def __init__(self) -> None:
        result, self._handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            raise NoReaderError(f"PC/SC service unavailable: {_message(result)}", step="pcsc")

    def readers(self) -> list[str]:
        result, names = scard.SCardListReaders(self._handle, [])
        if result in _NO_SERVICE:
            return []
        if result != scard.SCARD_S_SUCCESS:
            raise NoReaderError(f"cannot list readers: {_message(result)}", step="pcsc")
        return list(names)

    def _find(self, name: str | None, pattern: str | None = None) -> str:
        """``name`` (a reader's name or its beginning), else :func:`choose_reader` with ``pattern``."""
        names = self.readers()
        if not names:
            raise NoReaderError("no PC/SC reader is connected", step="pcsc")
        if name is not None:
            for candidate in names:
                if candidate == name or candidate.startswith(name):
                    return candidate
            raise NoReaderError(f"reader {name!r} not found; connected: {', '.join(names)}", step="pcsc")
        choice = choose_reader(names, pattern)
        if choice.chosen is None:
            wanted = f"matching {pattern!r}" if pattern else "for contactless cards"
            raise NoReaderError(f"no reader {wanted}; connected: {', '.join(names)}", step="pcsc")
        return choice.chosen

    def card_present(self, reader: str) -> bool:
        states = [(reader, scard.SCARD_STATE_UNAWARE)]
        result, states = scard.SCardGetStatusChange(self._handle, 0, states)
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(f"cannot read the state of {reader!r}: {_message(result)}", step="pcsc")
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)

    def wait_for_card(self, reader: str | None = None, timeout_s: float = 0.0, *, pattern: str | None = None) -> str:
        """Block until a card is on ``reader`` (by default :func:`choose_reader`'s); return the reader's name."""
        name = self._find(reader, pattern)
        states = [(name, scard.SCARD_STATE_UNAWARE)]
        result, states = scard.SCardGetStatusChange(self._handle, 0, states)
        while result == scard.SCARD_S_SUCCESS and not states[0][1] & scard.SCARD_STATE_PRESENT:
            result, states = scard.SCardGetStatusChange(self._handle, int(timeout_s * 1000),
                                                        [(name, states[0][1])])
        if result == scard.SCARD_E_TIMEOUT:
            raise NoCardError(f"no card on {name!r} within {timeout_s:g} s", step="wait_for_card")
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(f"waiting for a card failed: {_message(result)}", step="wait_for_card")
        return name

    def connect(self, reader: str | None = None, *, pattern: str | None = None) -> PcscConnection:
        name = self._find(reader, pattern)
        result, card, protocol = scard.SCardConnect(
            self._handle, name, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if result in _REMOVED or result == scard.SCARD_E_NO_SMARTCARD:
            raise NoCardError(f"no card on {name!r}", step="connect")
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
        if result in _REMOVED:
            raise CardRemovedError(f"the card was removed: {_message(result)}", step="transmit")
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(f"transmit failed: {_message(result)}", step="transmit")
        if len(response) < 2:
            raise TransportError("the reader returned a response without status word", step="transmit")
        return bytes(response)

    def close(self) -> None:
        if self._card is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None
        if self.owns_context:
            self.context.close()


def open_reader(reader: str | None = None, *, wait_s: float = 0.0, pattern: str | None = None) -> PcscConnection:
    """Connect to the card on ``reader`` (by name or name prefix; by default the reader :func:`choose_reader`
    picks with ``pattern``), waiting up to ``wait_s`` for one."""
    context = PcscContext()
    try:
        name = context.wait_for_card(reader, wait_s, pattern=pattern) if wait_s else context._find(reader, pattern)
        connection = context.connect(name)
    except BaseException:
        context.close()
        raise
    connection.owns_context = True
    return connection
