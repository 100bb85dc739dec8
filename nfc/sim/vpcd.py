"""Serve a virtual card to pcscd through the vsmartcard ``vpcd`` reader driver.

vpcd listens on TCP (port 35963 by default); the card side connects to it. Every message in both
directions is a 2-byte big-endian length followed by the payload. A 1-byte payload from vpcd is a
control code (0 power off, 1 power on, 2 reset, 4 get ATR); anything longer is a command APDU, answered
with the response APDU. When the card raises :class:`~nfc.errors.CardRemovedError` the bridge closes the
socket, which pcscd sees as the card leaving the reader.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from typing import Protocol

from nfc.errors import CardRemovedError, TransportError

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963
POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


class VirtualCard(Protocol):
    atr: bytes

    def process(self, raw: bytes) -> bytes: ...

    def reset(self) -> None: ...


def contactless_atr(historical: bytes = b"CCCD-SIM") -> bytes:
    """PC/SC part 3 pseudo-ATR of an ISO 14443-4 card: 3B 8n 80 01 <historical bytes> TCK."""
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes([tck])


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def connect(host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, timeout_s: float | None = 10.0) -> socket.socket:
    """Connect to vpcd, retrying until ``timeout_s`` (pcscd may still be starting; None: until it is there)."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        try:
            return socket.create_connection((host, port), timeout=2.0)
        except OSError as exc:
            if deadline is not None and time.monotonic() >= deadline:
                raise TransportError(f"cannot reach vpcd on {host}:{port}: {exc}", step="vpcd") from exc
            time.sleep(0.1)


def serve(card: VirtualCard, sock: socket.socket) -> str:
    """Answer vpcd until it disconnects or the card is removed; return why the session ended."""
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with sock:
        while True:
            header = _recv_exact(sock, 2)
            if header is None:
                return "vpcd closed the connection"
            (length,) = struct.unpack(">H", header)
            payload = _recv_exact(sock, length)
            if payload is None:
                return "vpcd closed the connection"
            if length == 1:
                code = payload[0]
                if code in (POWER_OFF, POWER_ON, RESET):
                    card.reset()
                elif code == GET_ATR:
                    _send(sock, card.atr)
                else:
                    log.warning("vpcd sent unknown control code %d", code)
                continue
            try:
                response = card.process(payload)
            except CardRemovedError:
                return "card removed"
            except TransportError:
                return "reader transmit error"
            _send(sock, response)
