"""The screen's side of the systemd service: sd_notify over a real datagram socket, and the supervisor that
restarts the screen with a backoff (decisions with an injected clock; a real child process for the exits
and the stop signal)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.sdnotify import Notice, Notifier
from kiosk.supervisor import Backoff, Supervisor, describe

KIOSK = [sys.executable, "-m", "kiosk"]


@pytest.fixture
def notify_socket(tmp_path: Path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(5)
    yield str(tmp_path / "notify"), sock
    sock.close()


def test_notifier_sends_datagrams_as_sd_notify_does(notify_socket) -> None:
    path, sock = notify_socket
    notifier = Notifier.from_environ({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
    assert notifier.watchdog_interval_s == 15.0
    assert notifier.ready("up")
    assert sock.recv(100) == b"READY=1\nSTATUS=up"
    assert notifier.watchdog()
    assert sock.recv(100) == Notice.WATCHDOG.encode()
    notifier.close()


def test_abstract_socket_names_start_with_an_at_sign() -> None:
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert Notifier(f"@{name}").stopping()
        assert sock.recv(100) == b"STOPPING=1"


def test_outside_systemd_nothing_is_sent_and_nothing_fails(tmp_path: Path) -> None:
    assert not Notifier.from_environ({}).enabled
    assert Notifier.from_environ({}).ready() is False
    assert Notifier.from_environ({"NOTIFY_SOCKET": "x", "WATCHDOG_USEC": "junk"}).watchdog_interval_s is None
    assert Notifier(str(tmp_path / "nobody-listens")).watchdog() is False  # logged, never raised


def test_backoff_doubles_to_its_cap_and_resets_after_a_stable_run() -> None:
    backoff = Backoff(first_s=1, factor=2, max_s=10, stable_s=60)
    assert [backoff.delay_after(0.5) for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    assert backoff.delay_after(61) == 1
    assert backoff.delay_after(3) == 2


class _Child:
    def __init__(self, status: int, clock: list[float], runtime: float) -> None:
        self.status, self.clock, self.runtime = status, clock, runtime

    def wait(self) -> int:
        self.clock[0] += self.runtime
        return self.status

    def poll(self) -> int:
        return self.status


def test_supervisor_restarts_with_growing_delays() -> None:
    clock, slept, runs = [0.0], [], [2.0, 2.0, 2.0, 120.0, 2.0]
    statuses = iter([1, -9, 1, 0, -11])

    def spawn(command):
        return _Child(next(statuses), clock, runs.pop(0))

    supervisor = Supervisor(["screen"], Backoff(1, 2, 30, 60), max_restarts=4, clock=lambda: clock[0],
                            sleep=slept.append, spawn=spawn)
    assert supervisor.run() == 128 + 11  # the last run was killed by SIGSEGV
    assert slept == [1, 2, 4, 1]  # the 120 s run reset the backoff
    assert supervisor.restarts == 4


def test_supervisor_survives_a_command_that_cannot_start() -> None:
    def spawn(command):
        raise FileNotFoundError(2, "No such file", command[0])

    supervisor = Supervisor(["/nonexistent"], max_restarts=2, sleep=lambda s: None, spawn=spawn)
    assert supervisor.run() == 127


def test_exit_descriptions() -> None:
    assert describe(3) == "exit status 3"
    assert describe(-signal.SIGKILL) == "killed by SIGKILL"


def test_supervise_command_restarts_a_failing_screen() -> None:
    run = subprocess.run([*KIOSK, "supervise", "--first-delay", "0.01", "--max-delay", "0.02", "--max-restarts",
                          "2", "--", sys.executable, "-c", "raise SystemExit(3)"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 3
    assert run.stderr.count("the kiosk screen stopped (exit status 3)") == 2


def test_supervise_without_a_command_is_a_usage_error() -> None:
    run = subprocess.run([*KIOSK, "supervise"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_sigterm_stops_the_screen_and_restarts_nothing(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    child = f"import os, time; open({str(starts)!r}, 'a').write(str(os.getpid()) + '\\n'); time.sleep(120)"
    supervisor = subprocess.Popen([*KIOSK, "supervise", "--first-delay", "0.01", "--", sys.executable, "-c", child],
                                  stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not starts.exists() or not starts.read_text().strip():
        assert time.monotonic() < deadline, "the screen never started"
        time.sleep(0.05)
    pid = int(starts.read_text().split()[0])
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=30) == 0  # a requested stop
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert len(starts.read_text().split()) == 1
