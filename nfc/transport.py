"""Connections to a card and the APDU channel stacked on them.

A :class:`Connection` moves raw bytes (like yubikit's ``SmartCardConnection``); an :class:`ApduChannel`
turns :class:`~nfc.apdu.CommandApdu` objects into bytes on it, follows ``61xx`` response chaining and
``6Cxx`` length hints, falls back to short APDUs when the reader refuses extended ones, and counts
what crossed the link. Secure messaging (:mod:`nfc.sm`) is another :class:`ApduSender` on top.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Protocol

from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.errors import CardRemovedError, ExtendedLengthNotSupported, NoReaderError, ParseError, TransportError

#: GET RESPONSE rounds after one command: 65536 bytes in 256-byte answers, and a few more.
MAX_GET_RESPONSE = 260


class Connection(abc.ABC):
    """A raw link to one card: bytes in, bytes out (response data followed by SW1 SW2)."""

    @abc.abstractmethod
    def transmit(self, raw: bytes) -> bytes:
        """Send one APDU; raise :class:`~nfc.errors.TransportError` when the link fails."""

    def close(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Release the card."""

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CardSide(Protocol):
    """What an in-process card offers: one raw APDU in, one raw response out."""

    def process(self, raw: bytes) -> bytes: ...


class InProcessConnection(Connection):
    """Talks to a card object living in this process (the virtual CCCD, test doubles)."""

    def __init__(self, card: CardSide) -> None:
        self._card = card

    def transmit(self, raw: bytes) -> bytes:
        return self._card.process(raw)


class ApduSender(Protocol):
    """Anything that sends a command and returns a response: a plain or a secure channel."""

    def send(self, cmd: CommandApdu) -> ResponseApdu: ...

    @property
    def extended_length(self) -> bool: ...


@dataclass
class LinkStats:
    apdus: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0

    @property
    def bytes_exchanged(self) -> int:
        return self.bytes_sent + self.bytes_received


class ApduChannel:
    """Frames commands on a :class:`Connection`.

    ``extended_length`` starts as ``prefer_extended`` and drops to False for good the first time the
    reader refuses an extended APDU, either with a transmit error or with ``6700``; the refused command
    is then re-sent in short form when it fits.
    """

    def __init__(self, connection: Connection, *, prefer_extended: bool = True) -> None:
        self.connection = connection
        self._extended = prefer_extended
        self.stats = LinkStats()

    @property
    def extended_length(self) -> bool:
        return self._extended

    def send(self, cmd: CommandApdu) -> ResponseApdu:
        resp = self._send(cmd)
        if resp.sw1 == 0x6C:  # wrong Le: the card says how much it has (asked once)
            resp = self._send(CommandApdu(cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data, resp.sw2 or 256))
        return resp

    def _send(self, cmd: CommandApdu) -> ResponseApdu:
        """One command and its GET RESPONSE chain, falling back from extended length when refused."""
        extended = cmd.needs_extended()
        if extended and not self._extended:
            raise ExtendedLengthNotSupported("the reader does not take extended-length APDUs", step="transmit")
        try:
            resp = self._exchange(cmd.encode(extended))
        except TransportError as exc:
            if not extended or isinstance(exc, CardRemovedError | NoReaderError):
                raise  # the card or the reader went away: not a refusal of extended length
            self._extended = False
            raise ExtendedLengthNotSupported("the reader refused an extended-length APDU",
                                             step="transmit") from exc
        if extended and resp.sw == SW.WRONG_LENGTH:
            self._extended = False
            raise ExtendedLengthNotSupported("the reader answered 6700 to an extended-length APDU",
                                             step="transmit", sw=resp.sw)
        data = resp.data
        for _ in range(MAX_GET_RESPONSE):
            if resp.sw1 != 0x61:
                return ResponseApdu(data, resp.sw)
            more = CommandApdu(cmd.cla & 0xF3, INS.GET_RESPONSE, 0, 0, le=resp.sw2 or 256)  # more data waiting
            resp = self._exchange(more.encode())
            data += resp.data
        raise ParseError(f"the card still announces more data after {MAX_GET_RESPONSE} GET RESPONSE",
                         step="transmit", sw=resp.sw)

    def _exchange(self, raw: bytes) -> ResponseApdu:
        self.stats.apdus += 1
        self.stats.bytes_sent += len(raw)
        out = self.connection.transmit(raw)
        self.stats.bytes_received += len(out)
        return ResponseApdu.decode(out)
