"""The real PC/SC stack for end-to-end tests: pcscd with the vsmartcard vpcd driver.

A session fixture starts pcscd (unless one already runs) with a reader configuration of its own, so the
virtual card served over vpcd shows up to pyscard as reader ``Virtual PCD 00 00``; tests of recovery stop
and start that pcscd (never one they did not start). Where pcscd or the vpcd driver is not installed, or
pcscd cannot be started (no permission for /run/pcscd), the tests skip and say why. Every run that uses
these fixtures holds ``flock /tmp/kiosk-e2e.lock`` (pcscd is one daemon for the whole machine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nfc.errors import NfcError
from nfc.pcsc import PcscContext
from nfc.sim.vpcd import DEFAULT_PORT

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER = "Virtual PCD 00 00"


def _readers() -> list[str]:
    try:
        context = PcscContext()
    except NfcError:
        return []
    try:
        return context.readers()
    finally:
        context.close()


def _pcscd_running() -> bool:
    """Whether a pcscd answers on its socket (a stale socket file or a zombie process does not count)."""
    try:
        PcscContext().close()
    except NfcError:
        return False
    return True


def _driver() -> Path | None:
    for path in (VPCD_DRIVER, VPCD_DRIVER.with_suffix(".so.0.8")):
        if path.exists():
            return path
    return None


class Pcscd:
    """The pcscd these tests started, with the vpcd reader or without it (a reader unplugged); tests of
    recovery stop and start it. A pcscd that was already running is used as it is and never touched."""

    def __init__(self, workdir: Path, driver: Path) -> None:
        self.workdir = workdir
        self.driver = driver
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, *, reader: bool = True) -> None:
        """Start pcscd; with ``reader``, wait until the vpcd reader shows (skip the tests if it cannot run)."""
        self.starts += 1
        conf = self.workdir / f"reader.conf.d.{self.starts}"
        conf.mkdir()
        if reader:
            (conf / "vpcd").write_text(
                f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{DEFAULT_PORT}\n'
                f"LIBPATH {self.driver}\nCHANNELID {DEFAULT_PORT}\n")
        log = (self.workdir / f"pcscd.{self.starts}.log").open("w")
        try:
            self.process = subprocess.Popen(["pcscd", "--foreground", "--config", str(conf)],
                                            stdout=log, stderr=subprocess.STDOUT)
        except OSError as exc:
            pytest.skip(f"pcscd could not be started: {exc}")
        deadline = time.monotonic() + 10
        while not (READER in _readers() if reader else _pcscd_running()):
            if self.process.poll() is not None:
                pytest.skip(f"pcscd exited at start with status {self.process.returncode} "
                            "(needs write access to /run/pcscd)")
            if time.monotonic() > deadline:
                self.stop()
                pytest.skip(f"pcscd runs but shows no reader {READER!r} (is vpcd configured on port {DEFAULT_PORT}?)")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def pcscd_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd | None]:
    """The pcscd this session started (None when one was already running, which is used as it is)."""
    driver = _driver()
    if shutil.which("pcscd") is None or driver is None:
        pytest.skip("pcscd and the vsmartcard vpcd driver are not installed (apt-get install pcscd vsmartcard-vpcd)")
    if _pcscd_running():
        if READER not in _readers():
            pytest.skip(f"a pcscd runs but shows no reader {READER!r} (is vpcd configured on port {DEFAULT_PORT}?)")
        yield None
        return
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd"), driver)
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def pcscd(pcscd_daemon: Pcscd | None) -> str:
    """The name of the vpcd reader, with pcscd running; its card side listens on DEFAULT_PORT."""
    return READER


@pytest.fixture
def pcscd_control(pcscd_daemon: Pcscd | None) -> Iterator[Pcscd]:
    """The pcscd to stop and start in a test; running with the vpcd reader again afterwards."""
    if pcscd_daemon is None:
        pytest.skip("pcscd was already running: these tests only restart a pcscd they started")
    yield pcscd_daemon
    if pcscd_daemon.process is None or READER not in _readers():
        pcscd_daemon.stop()
        pcscd_daemon.start()


@pytest.fixture
def kiosk_env() -> dict[str, str]:
    """Environment for running ``python -m kiosk`` as a subprocess."""
    env = dict(os.environ)
    env.setdefault("PYTHONUTF8", "1")
    return env
