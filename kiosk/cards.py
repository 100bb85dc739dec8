"""Where the kiosk's cards come from: a PC/SC reader, or anything else that gives a chip connection.

The kiosk's wiring (:mod:`kiosk.assembly`) takes a :class:`CardSource` as a dependency and never asks
which one it is: the virtual card of the demos and tests (:class:`kiosk.simulator.VirtualCards`) brings
its own test CSCA and knows its own access key, a real reader brings neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cryptography import x509

from nfc.access import AccessKey
from nfc.pcsc import open_reader
from nfc.transport import Connection


class CardSource(Protocol):
    """Opens the card now on the reader (waiting for one); typed nfc errors when it cannot."""

    def open(self) -> Connection: ...

    def describe(self) -> str:
        """For staff: which reader this is (no card data)."""
        ...

    def anchors(self) -> tuple[x509.Certificate, ...]:
        """Trust anchors that come with the source itself (only a virtual card has any)."""
        ...

    def key_hint(self) -> AccessKey | None:
        """The access key of the card just opened, when the source knows it (only a virtual card does)."""
        ...


@dataclass
class PcscCards:
    """The PC/SC reader named ``reader`` (None: the contactless one :func:`nfc.pcsc.choose_reader` picks, among
    those matching ``pattern``), waiting ``wait_s`` for a card; a reader unplugged or pcscd restarting is
    waited out within ``wait_s`` and is :class:`~nfc.errors.ReaderNotConnected` after it."""

    reader: str | None = None
    wait_s: float = 30.0
    pattern: str | None = None

    def open(self) -> Connection:
        return open_reader(self.reader, wait_s=self.wait_s, pattern=self.pattern)

    def describe(self) -> str:
        if self.reader:
            return self.reader
        return f"PC/SC reader matching {self.pattern!r}" if self.pattern else "first contactless PC/SC reader"

    def anchors(self) -> tuple[x509.Certificate, ...]:
        return ()

    def key_hint(self) -> AccessKey | None:
        return None
