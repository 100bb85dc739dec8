"""Keep the kiosk screen running: restart it when it exits, waiting longer after each quick failure.

The X session (``deploy/kiosk-session``) runs the screen under this supervisor, so a crash of the screen
costs a second or two and the X server stays up. The wait doubles from ``first_s`` up to ``max_s`` while the
screen keeps failing quickly, and falls back to ``first_s`` once it has run ``stable_s``; systemd's own
``Restart=`` (which has no backoff before systemd 254) is the outer net for the X server and the watchdog.

A stop signal (SIGTERM, SIGINT, SIGHUP) is passed to the screen and ends the supervisor without a restart.
Only exit statuses and delays are logged: nothing about any person.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@dataclass
class Backoff:
    """Exponential restart delays, reset after a run of at least ``stable_s``."""

    first_s: float = 1.0
    factor: float = 2.0
    max_s: float = 15.0
    stable_s: float = 60.0
    _next_s: float | None = None

    def delay_after(self, ran_s: float) -> float:
        """The wait before the next start, for a run that lasted ``ran_s`` seconds."""
        if self._next_s is None or ran_s >= self.stable_s:
            self._next_s = self.first_s
        delay = self._next_s
        self._next_s = min(self.max_s, delay * self.factor)
        return delay


def describe(status: int) -> str:
    """``exit status 3`` or ``killed by SIGKILL``, from a Popen return code."""
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit status {status}"


class Supervisor:
    """Runs ``command`` again and again; :meth:`stop` (or a stop signal, see :meth:`install_signals`) ends it.

    ``sleep`` must return early when :meth:`stop` is called (the default waits on the stop flag), and both
    ``sleep`` and ``clock`` are injectable so the tests need no waiting."""

    def __init__(self, command: Sequence[str], backoff: Backoff | None = None, *,
                 max_restarts: int | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] | None = None,
                 spawn: Callable[[Sequence[str]], subprocess.Popen] = subprocess.Popen) -> None:
        self.command = list(command)
        self.backoff = backoff or Backoff()
        self.max_restarts = max_restarts
        self.restarts = 0
        self._clock = clock
        self._sleep = sleep or self._wait_unless_stopped
        self._spawn = spawn
        self._child: subprocess.Popen | None = None
        self._stopping = False
        self._stop_signal: int | None = None

    def run(self) -> int:
        """Supervise until stopped (then 0) or out of restarts (then the screen's last status, as a shell
        reports it: 128 + N for a screen killed by signal N)."""
        status = 0
        while not self._stopping:
            started = self._clock()
            try:
                self._child = self._spawn(self.command)
            except OSError as exc:
                log.error("cannot start %s: %s", self.command[0], exc)
                status = 127
            else:
                status = self._child.wait()
                self._child = None
            if self._stopping:
                return 0
            if self.max_restarts is not None and self.restarts >= self.max_restarts:
                break
            delay = self.backoff.delay_after(self._clock() - started)
            log.warning("the kiosk screen stopped (%s); starting it again in %g s", describe(status), delay)
            self._sleep(delay)
            self.restarts += 1
        return 128 - status if status < 0 else status

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """End supervision: pass ``signum`` to the running screen and start no other."""
        self._stopping = True
        self._stop_signal = signum
        child = self._child
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    def install_signals(self) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, lambda number, _frame: self.stop(number))

    def _wait_unless_stopped(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))
