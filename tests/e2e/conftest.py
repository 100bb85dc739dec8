"""The real PC/SC stack for end-to-end tests: pcscd with the vsmartcard vpcd driver.

A session fixture starts pcscd (unless one already runs) with a reader configuration of its own, so the
virtual card served over vpcd shows up to pyscard as reader ``Virtual PCD 00 00``. Where pcscd or the
vpcd driver is not installed, or pcscd cannot be started (no permission for /run/pcscd), the tests skip
and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
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


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The name of the vpcd reader, with pcscd running; its card side listens on DEFAULT_PORT."""
    if shutil.which("pcscd") is None or not (VPCD_DRIVER.exists() or VPCD_DRIVER.with_suffix(".so.0.8").exists()):
        pytest.skip("pcscd and the vsmartcard vpcd driver are not installed (apt-get install pcscd vsmartcard-vpcd)")
    process = None
    if not _pcscd_running():
        conf = tmp_path_factory.mktemp("reader.conf.d")
        driver = VPCD_DRIVER if VPCD_DRIVER.exists() else VPCD_DRIVER.with_suffix(".so.0.8")
        (conf / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{DEFAULT_PORT}\n'
            f"LIBPATH {driver}\nCHANNELID {DEFAULT_PORT}\n")
        log = (tmp_path_factory.mktemp("pcscd") / "pcscd.log").open("w")
        try:
            process = subprocess.Popen(["pcscd", "--foreground", "--config", str(conf)],
                                       stdout=log, stderr=subprocess.STDOUT)
        except OSError as exc:
            pytest.skip(f"pcscd could not be started: {exc}")
    deadline = time.monotonic() + 10
    while READER not in _readers():
        if process is not None and process.poll() is not None:
            pytest.skip(f"pcscd exited at start with status {process.returncode} (needs write access to /run/pcscd)")
        if time.monotonic() > deadline:
            if process is not None:
                process.terminate()
            pytest.skip(f"pcscd runs but shows no reader {READER!r} (is vpcd configured on port {DEFAULT_PORT}?)")
        time.sleep(0.1)
    yield READER
    if process is not None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def kiosk_env() -> dict[str, str]:
    """Environment for running ``python -m kiosk`` as a subprocess."""
    env = dict(os.environ)
    env.setdefault("PYTHONUTF8", "1")
    return env
