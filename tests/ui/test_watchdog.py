"""The screen's watchdog pings come from the Qt event loop: READY=1 once it runs, then WATCHDOG=1 at half
the unit's period; nothing at all outside systemd."""

from __future__ import annotations

import socket
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from kiosk.sdnotify import Notifier
from ui.watchdog import start_watchdog


def test_ready_then_watchdog_pings_from_the_event_loop(qtbot, tmp_path: Path) -> None:
    received: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        sock.setblocking(False)
        parent = QObject()
        notifier = start_watchdog(parent, Notifier(str(tmp_path / "notify"), watchdog_usec=40_000))

        def drain() -> bool:
            try:
                while True:
                    received.append(sock.recv(100))
            except BlockingIOError:
                pass
            return received.count(b"WATCHDOG=1") >= 2

        qtbot.waitUntil(drain, timeout=10_000)
        timer = parent.findChild(QTimer, "watchdog")
        assert timer is not None and timer.interval() == 20
        assert received[0] == b"READY=1\nSTATUS=kiosk screen shown"
        notifier.close()


def test_no_timer_outside_systemd(qtbot) -> None:
    parent = QObject()
    assert not start_watchdog(parent, Notifier()).enabled
    assert parent.findChild(QTimer, "watchdog") is None
