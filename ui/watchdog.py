"""The screen tells systemd it is up and keeps telling it it is alive, from the Qt event loop itself.

The ping is a QTimer on the UI thread: if the loop hangs (a deadlock, a runaway slot), the pings stop and
systemd's watchdog restarts the unit. Outside systemd (no ``$NOTIFY_SOCKET``) nothing is sent.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from kiosk.sdnotify import Notifier


def start_watchdog(parent: QObject, notifier: Notifier | None = None) -> Notifier:
    """Send READY=1 once the event loop runs, then WATCHDOG=1 at half the unit's period (a QTimer owned by
    ``parent``); the notifier, for STOPPING=1 at the end."""
    notifier = notifier or Notifier.from_environ()
    if not notifier.enabled:
        return notifier
    QTimer.singleShot(0, lambda: notifier.ready("kiosk screen shown"))
    interval = notifier.watchdog_interval_s
    if interval is not None:
        timer = QTimer(parent)
        timer.setObjectName("watchdog")
        timer.setInterval(max(1, int(interval * 1000)))
        timer.timeout.connect(notifier.watchdog)
        timer.start()
    return notifier
