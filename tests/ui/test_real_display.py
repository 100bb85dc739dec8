"""The real app on a real X display (Xvfb), as a bare kiosk session has it: no window manager. The window
opens on the welcome screen, and ``--fullscreen`` fills the screen without a window manager's help."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("xwininfo") is None,
                                reason="Xvfb and xwininfo are not installed (apt-get install xvfb x11-utils)")

SCREEN = (1280, 800)


@pytest.fixture
def display(tmp_path: Path):
    """A fresh X display of ``SCREEN`` size on a free display number; its name (":N")."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                               "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as handle:
        number = handle.readline().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(10)


def _kiosk_window(display: str) -> tuple[int, int, int, int] | None:
    """(x, y, width, height) of the mapped top-level window titled "CCCD kiosk", if any."""
    tree = subprocess.run(["xwininfo", "-root", "-tree", "-display", display], capture_output=True, text=True,
                          timeout=10).stdout
    match = re.search(r'(0x[0-9a-f]+) "CCCD kiosk".*?(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', tree)
    if match is None:
        return None
    info = subprocess.run(["xwininfo", "-id", match.group(1), "-display", display], capture_output=True,
                          text=True, timeout=10).stdout
    if "IsViewable" not in info:
        return None
    width, height = int(re.search(r"Width: (\d+)", info).group(1)), int(re.search(r"Height: (\d+)", info).group(1))
    x, y = int(re.search(r"Absolute upper-left X:\s+(-?\d+)", info).group(1)), \
        int(re.search(r"Absolute upper-left Y:\s+(-?\d+)", info).group(1))
    return x, y, width, height


def _run_kiosk(display: str, tmp_path: Path, *extra: str):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, KIOSK_DATA_DIR=str(tmp_path), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    log = (tmp_path / "kiosk.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "-v", "ui", "--demo", *extra], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    return process, tmp_path / "kiosk.log"


def _wait_for_window(process, display: str, log: Path) -> tuple[int, int, int, int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        found = _kiosk_window(display)
        if found is not None and "screen welcome" in log.read_text():
            return found
        time.sleep(0.3)
    raise AssertionError(f"no kiosk window on {display}: {log.read_text()[-2000:]}")


@pytest.mark.parametrize("mode", ["fullscreen", "windowed"])
def test_the_kiosk_opens_on_its_welcome_screen_on_a_bare_x_display(display: str, tmp_path: Path, mode: str) -> None:
    process, log = _run_kiosk(display, tmp_path, *(["--fullscreen"] if mode == "fullscreen" else []))
    try:
        x, y, width, height = _wait_for_window(process, display, log)
        time.sleep(1.0)  # the welcome animation runs: the app stays up
        assert process.poll() is None, log.read_text()
        if mode == "fullscreen":
            assert (x, y, width, height) == (0, 0, *SCREEN)
        else:
            assert width <= SCREEN[0] and height <= SCREEN[1]
        assert "Traceback" not in log.read_text()
    finally:
        process.terminate()
        process.wait(15)
