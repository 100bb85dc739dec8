"""The kiosk's X session as cccd-kiosk.service runs it (xinit, deploy/kiosk-session, deploy/x-server), on
Xvfb instead of Xorg and with this test's socket standing in for systemd's: the screen (demo) comes up and
says READY=1 (the X server's own READY is held back), pings WATCHDOG=1, and a killed screen comes back in
the same X session while the supervisor stays; SIGTERM ends the whole session."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

pytestmark = pytest.mark.skipif(not (shutil.which("xinit") and shutil.which("Xvfb")),
                                reason="xinit and Xvfb are not installed (apt-get install xinit xvfb)")


def _free_display() -> int:
    for number in range(150, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    pytest.skip("no free X display number")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _find(pid: int, needle: str) -> int | None:
    """The first process below ``pid`` whose command line contains ``needle``."""
    for child in _children(pid):
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if needle in cmdline:
            return child
        found = _find(child, needle)
        if found:
            return found
    return None


def _messages(sock: socket.socket, until: str, deadline_s: float = 90) -> list[str]:
    seen: list[str] = []
    sock.settimeout(deadline_s)
    while until not in seen:
        seen.append(sock.recv(4096).decode())
    return seen


def test_session_brings_the_screen_back_after_a_kill(tmp_path: Path) -> None:
    display = _free_display()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        env = {**os.environ, "KIOSK_PYTHON": sys.executable, "PYTHONPATH": str(ROOT), "KIOSK_DEMO": "1",
               "KIOSK_PROFILE": "demo", "KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_X_SERVER": "/usr/bin/Xvfb",
               "NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "2000000"}
        env.pop("QT_QPA_PLATFORM", None)
        xinit = subprocess.Popen(["xinit", str(DEPLOY / "kiosk-session"), "--", str(DEPLOY / "x-server"),
                                  f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                 start_new_session=True)
        try:
            first = _messages(sock, "WATCHDOG=1")
            assert first[0] == "READY=1\nSTATUS=kiosk screen shown"  # the screen's, not the X server's
            supervisor = _find(xinit.pid, "kiosk supervise")
            screen = _find(supervisor, "kiosk ui")
            assert supervisor and screen and "--fullscreen" in Path(f"/proc/{screen}/cmdline").read_text()
            os.kill(screen, signal.SIGKILL)
            again = _messages(sock, "READY=1\nSTATUS=kiosk screen shown")
            assert again[-1].startswith("READY=1")
            assert _find(xinit.pid, "kiosk supervise") == supervisor
            assert _find(supervisor, "kiosk ui") not in (None, screen)
            os.kill(supervisor, signal.SIGTERM)
            assert xinit.wait(timeout=60) == 0
        finally:
            if xinit.poll() is None:
                os.killpg(xinit.pid, signal.SIGKILL)
                xinit.wait()
    deadline = time.monotonic() + 10
    while Path(f"/tmp/.X{display}-lock").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
