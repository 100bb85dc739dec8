"""PC/SC transport through pyscard's thin ``smartcard.scard`` layer.

The low-level layer is used rather than ``smartcard.System`` so that every PC/SC result code can be
mapped to a precise typed error: no reader, no card, card removed, or a transmit failure (which is how
some readers refuse an extended-length APDU).
"""

from __future__ import annotations

from smartcard import scard

from nfc.errors import CardRemovedError, NoCardError, NoReaderError, TransportError
from nfc.transport import Connection

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

    def _find(self, name: str | None) -> str:
        names = self.readers()
        if not names:
            raise NoReaderError("no PC/SC reader is connected", step="pcsc")
        if name is None:
            return names[0]
        for candidate in names:
            if candidate == name or candidate.startswith(name):
                return candidate
        raise NoReaderError(f"reader {name!r} not found; connected: {', '.join(names)}", step="pcsc")

    def card_present(self, reader: str) -> bool:
        states = [(reader, scard.SCARD_STATE_UNAWARE)]
        result, states = scard.SCardGetStatusChange(self._handle, 0, states)
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(f"cannot read the state of {reader!r}: {_message(result)}", step="pcsc")
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)

    def wait_for_card(self, reader: str | None = None, timeout_s: float = 0.0) -> str:
        """Block until a card is on ``reader`` (the first reader by default); return the reader's name."""
        name = self._find(reader)
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

    def connect(self, reader: str | None = None) -> PcscConnection:
        name = self._find(reader)
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


def open_reader(reader: str | None = None, *, wait_s: float = 0.0) -> PcscConnection:
    """Connect to the card on ``reader`` (by name or name prefix), waiting up to ``wait_s`` for one."""
    context = PcscContext()
    try:
        name = context.wait_for_card(reader, wait_s) if wait_s else context._find(reader)
        connection = context.connect(name)
    except BaseException:
        context.close()
        raise
    connection.owns_context = True
    return connection
