"""What sits between a virtual card and the terminal: the radio link and the reader's quirks.

:class:`SimulatedReader` wraps a card and models what a real deployment throws at the reader code:
a link with a bit rate and a per-APDU overhead (so a read reports the time it would take on a real
reader), a reader that refuses extended-length APDUs, and a card pulled away after N APDUs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nfc.apdu import SW, CommandApdu
from nfc.errors import CardRemovedError, ParseError, TransportError
from nfc.transport import CardSide


@dataclass(frozen=True)
class LinkModel:
    """ISO 14443 link: ``bit_rate`` in bit/s both ways, ``per_apdu_s`` fixed cost of each exchange."""

    bit_rate: int = 424_000
    per_apdu_s: float = 0.005

    def seconds(self, bytes_sent: int, bytes_received: int) -> float:
        return self.per_apdu_s + 8 * (bytes_sent + bytes_received) / self.bit_rate

    def lower_bound(self, payload_bytes: int) -> float:
        """The least time any reader needs to move ``payload_bytes`` over this link."""
        return 8 * payload_bytes / self.bit_rate


@dataclass
class ReaderFaults:
    """Faults of the reader and the person: ``refuse_extended`` is "sw" (answers 6700) or "error"
    (the transmit fails, as with some CCID readers), ``remove_after`` pulls the card after that many APDUs."""

    refuse_extended: str | None = None
    remove_after: int | None = None


@dataclass
class SimulatedReader:
    """A card behind a modelled reader; implements :class:`~nfc.transport.CardSide`."""

    card: CardSide
    link: LinkModel = field(default_factory=LinkModel)
    faults: ReaderFaults = field(default_factory=ReaderFaults)
    apdus: int = 0
    modelled_s: float = 0.0
    removed: bool = False

    def process(self, raw: bytes) -> bytes:
        if self.removed or (self.faults.remove_after is not None and self.apdus >= self.faults.remove_after):
            self.removed = True
            raise CardRemovedError("the card was taken away from the reader", step="transmit")
        self.apdus += 1
        if self.faults.refuse_extended and _is_extended(raw):
            if self.faults.refuse_extended == "error":
                raise TransportError("the reader failed to transmit an extended-length APDU", step="transmit")
            response = SW.WRONG_LENGTH.to_bytes(2, "big")
        else:
            response = self.card.process(raw)
        self.modelled_s += self.link.seconds(len(raw), len(response))
        return response

    def __getattr__(self, name: str) -> object:  # power_off, reset, atr… of the card
        return getattr(self.card, name)


def _is_extended(raw: bytes) -> bool:
    try:
        return CommandApdu.decode(raw).needs_extended() or (len(raw) > 5 and raw[4] == 0)
    except ParseError:
        return False
