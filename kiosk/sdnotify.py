"""The service manager's notification protocol (sd_notify(3)): "the screen is up", "the screen is alive".

One datagram per message, ``KEY=VALUE`` lines, to the AF_UNIX socket named by ``$NOTIFY_SOCKET`` (a leading
``@`` names the abstract namespace). Outside systemd the variable is unset and every call does nothing, so
the screen runs the same from a developer's shell. ``$WATCHDOG_USEC`` is the unit's ``WatchdogSec``; the
screen pings at half of it from its UI loop, so a hung loop stops the pings and systemd restarts it.

``$WATCHDOG_PID`` is deliberately not checked: the unit's main process is ``xinit``, the screen is its
grandchild, and the unit says ``NotifyAccess=all`` so the screen may ping on the unit's behalf.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

log = logging.getLogger(__name__)

SOCKET_ENV = "NOTIFY_SOCKET"
WATCHDOG_ENV = "WATCHDOG_USEC"


class Notice(StrEnum):
    READY = "READY=1"
    WATCHDOG = "WATCHDOG=1"
    STOPPING = "STOPPING=1"


@dataclass
class Notifier:
    """Sends notices to ``address`` (None: not under systemd, a no-op). Never raises: a lost notice must not
    take the screen down (the watchdog would say so soon enough)."""

    address: str | None = None
    watchdog_usec: int | None = None
    _socket: socket.socket | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Notifier:
        address = environ.get(SOCKET_ENV) or None
        try:
            usec = int(environ.get(WATCHDOG_ENV, "")) or None
        except ValueError:
            usec = None
        return cls(address, usec if usec is None or usec > 0 else None)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def watchdog_interval_s(self) -> float | None:
        """How often to ping: half the watchdog period, as sd_watchdog_enabled(3) advises; None without one."""
        if not self.enabled or self.watchdog_usec is None:
            return None
        return self.watchdog_usec / 2e6

    def notify(self, *lines: str) -> bool:
        """Send ``lines`` as one message; True when it went out."""
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto("\n".join(lines).encode("utf-8"), target)
        except OSError as exc:
            log.warning("sd_notify to %s failed: %s", self.address, exc)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify(Notice.READY, *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.notify(Notice.WATCHDOG)

    def stopping(self) -> bool:
        return self.notify(Notice.STOPPING)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
