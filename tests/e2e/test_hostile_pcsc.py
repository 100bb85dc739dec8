"""Hostile cards through the real PC/SC stack (pcscd + vpcd): refused within a few APDUs, with one clear
sentence and no traceback, and the next genuine card reads normally."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from nfc.sim.citizen import DEMO_ID_NUMBER
from tests.e2e.test_read_pcsc import KIOSK, read, served_card

pytestmark = pytest.mark.e2e

OVERFLOWING_OID = "310c300a0688ffffffffffffffff"  # an OID announcing 2^64 bytes inside a well-formed SET
TWO_MB = str(2 * 1024 * 1024)


def served_apdus(sim: subprocess.Popen) -> int:
    """How many APDUs the virtual card answered in its session (it prints that when taken away)."""
    sim.terminate()
    out, _ = sim.communicate(timeout=10)
    return int(re.findall(r"after (\d+) APDUs", out)[-1])


def _one_sentence(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


@pytest.mark.parametrize("hostile", [["--file", f"EF.CardAccess={OVERFLOWING_OID}"],
                                     ["--announce", f"EF.CardAccess={TWO_MB}"],
                                     ["--announce", "DG13=16777300"]])
def test_a_hostile_file_is_refused_within_a_few_apdus_and_the_next_card_reads(pcscd: str, hostile: list[str]) -> None:
    with served_card(pcscd, *hostile) as sim:
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
        apdus = served_apdus(sim)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    _one_sentence(result.stderr)
    assert "không hợp lệ" in result.stderr and "not valid" in result.stderr
    assert apdus <= (2 if "EF.CardAccess" in hostile[1] else 16)
    with served_card(pcscd):
        genuine = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert genuine.returncode == 0, genuine.stderr
    assert json.loads(genuine.stdout)["citizen"]["id_number"] == DEMO_ID_NUMBER


def test_check_reports_a_hostile_card_as_a_card_fault(pcscd: str, tmp_path: Path) -> None:
    env_dir = tmp_path / "data"
    with served_card(pcscd, "--file", f"EF.CardAccess={OVERFLOWING_OID}"):
        result = subprocess.run([*KIOSK, "check", "--profile", "demo", "--reader", pcscd, "--wait", "10",
                                 "--id", DEMO_ID_NUMBER, "--json"], capture_output=True, text=True, timeout=120,
                                env={**os.environ, "KIOSK_DATA_DIR": str(env_dir)})
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert (result.returncode, out["outcome"], out["message_key"]) == (4, "error", "chip.malformed"), out
    assert out["failed_step"] == "chip"


def test_active_authentication_answered_empty_for_extended_le_is_asked_again_short(pcscd: str) -> None:
    with served_card(pcscd, "--aa-empty-extended"):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["active_authentication"]["status"] == "valid"
    assert out["extended_length"] is True
