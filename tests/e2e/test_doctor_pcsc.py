"""``kiosk doctor`` through the real PC/SC stack: pcscd + vpcd, with and without the virtual card, a reader
that refuses extended APDUs, a stopped pcscd, a missing camera and an unreachable upstream."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_read_pcsc import served_card

pytestmark = pytest.mark.e2e

KIOSK = [sys.executable, "-m", "kiosk"]
CHAIN = ("--check", "pcscd", "--check", "reader", "--check", "extended_apdu", "--check", "card")


def doctor(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, dict]]:
    run = subprocess.run([*KIOSK, "doctor", "--json", *args], capture_output=True, text=True, timeout=180,
                         env={**os.environ, "KIOSK_DATA_DIR": str(tmp_path), **(env or {})})
    assert "Traceback" not in run.stderr, run.stderr
    out = json.loads(run.stdout)
    assert out["ok"] is (run.returncode == 0)
    return run.returncode, {c["name"]: c for c in out["checks"]}


def statuses(checks: dict[str, dict]) -> dict[str, str]:
    return {name: check["status"] for name, check in checks.items()}


def test_reader_without_a_card(pcscd: str, tmp_path: Path) -> None:
    code, checks = doctor(tmp_path, "--reader", pcscd, *CHAIN)
    assert code == 0
    assert statuses(checks) == {"pcscd": "pass", "reader": "pass", "extended_apdu": "skip", "card": "skip"}
    assert checks["reader"]["facts"]["reader"] == pcscd
    assert checks["card"]["fix_key"] == "doctor.lay_card"


def test_virtual_card_answers_and_takes_extended_apdus(pcscd: str, tmp_path: Path) -> None:
    with served_card(pcscd):
        code, checks = doctor(tmp_path, "--reader", pcscd, *CHAIN)
    assert code == 0
    assert statuses(checks) == {"pcscd": "pass", "reader": "pass", "extended_apdu": "pass", "card": "pass"}
    assert checks["extended_apdu"]["facts"] == {"extended": True}


def test_short_apdu_reader_is_a_warning(pcscd: str, tmp_path: Path) -> None:
    with served_card(pcscd, "--refuse-extended"):
        code, checks = doctor(tmp_path, "--reader", pcscd, *CHAIN)
    assert code == 0
    assert checks["extended_apdu"]["status"] == "warn"
    assert checks["extended_apdu"]["fix_key"] == "doctor.short_apdu_only"
    assert checks["card"]["status"] == "pass"


def test_missing_camera_and_unreachable_upstream_are_named(pcscd: str, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    profile = tmp_path / "kiosk.toml"
    profile.write_text(f'[profile]\nname = "e2e"\nsite = "E2E-1"\n[face]\nenabled = true\n'
                       f'[adapter]\nkind = "webhook"\nurl = "https://127.0.0.1:{port}/checkins"\n')
    with served_card(pcscd):
        code, checks = doctor(tmp_path, "--profile", str(profile), "--reader", pcscd, "--camera", "9", "--timeout", "2")
    assert code == 1
    assert checks["card"]["status"] == "pass"
    assert (checks["camera"]["status"], checks["camera"]["fix_key"]) == ("fail", "doctor.camera_missing")
    assert (checks["upstream"]["status"], checks["upstream"]["fix_key"]) == ("fail", "doctor.upstream_unreachable")
    assert checks["face_models"]["status"] == "pass"
    assert checks["font"]["status"] == "pass"


def test_pcscd_not_answering(tmp_path: Path) -> None:
    # the PC/SC client library finds pcscd through this socket name: a name nobody listens on is a stopped pcscd
    code, checks = doctor(tmp_path, *CHAIN, env={"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd")})
    assert code == 1
    assert (checks["pcscd"]["status"], checks["pcscd"]["fix_key"]) == ("fail", "doctor.pcscd_down")
    assert {checks[n]["status"] for n in ("reader", "extended_apdu", "card")} == {"skip"}
