"""``python -m kiosk read`` against the virtual CCCD served through pcscd + vpcd (the real PC/SC stack)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.messages import message
from kiosk.simulator import demo_portrait
from nfc.pcsc import PcscContext
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen

pytestmark = pytest.mark.e2e

KIOSK = [sys.executable, "-m", "kiosk"]
DEMO_MRZ = "303004567:030514:280514"


def _wait_card_absent(reader: str, timeout_s: float = 5.0) -> None:
    context = PcscContext()
    try:
        deadline = time.monotonic() + timeout_s
        while context.card_present(reader):
            if time.monotonic() > deadline:
                raise AssertionError(f"the virtual card is still present on {reader!r}")
            time.sleep(0.05)
    finally:
        context.close()


@contextmanager
def served_card(reader: str, *options: str) -> Iterator[subprocess.Popen]:
    """The demo card served over vpcd by ``python -m kiosk sim --once`` while the block runs."""
    _wait_card_absent(reader)
    sim = subprocess.Popen([*KIOSK, "sim", "--once", *options], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        assert "ready" in sim.stdout.readline()
        yield sim
    finally:
        if sim.poll() is None:  # the person takes the card away
            sim.terminate()
        sim.wait(timeout=10)
        _wait_card_absent(reader)


def read(reader: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*KIOSK, "read", "--reader", reader, "--wait", "10", *args],
                          capture_output=True, text=True, timeout=60)


def test_pace_read_prints_the_contract(pcscd: str) -> None:
    with served_card(pcscd):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    citizen = demo_citizen()
    assert out["access"] == "PACE"
    assert out["mrz"]["document_number"] == DEMO_ID_NUMBER[-9:]
    assert out["mrz"]["date_of_birth"] == "2003-05-14"
    assert out["mrz"]["optional_data"].startswith(DEMO_ID_NUMBER)
    assert out["citizen"]["id_number"] == DEMO_ID_NUMBER
    assert out["citizen"]["full_name"] == citizen.full_name == "Nguyễn Thị An"
    assert out["citizen"]["mother_name"] == citizen.mother_name
    assert out["citizen"]["spouse_name"] is None
    assert out["citizen"]["expiry_date"] == "2028-05-14"
    portrait = demo_portrait()
    assert out["portrait"] == {"format": "jpeg2000", "sha256": hashlib.sha256(portrait.image).hexdigest(),
                               "width": 240, "height": 320, "bytes": len(portrait.image)}
    assert out["passive_authentication"]["status"] == "unverified"
    assert out["active_authentication"]["status"] == "valid"
    assert out["chip_authentication"]["status"] == "valid"
    assert out["extended_length"] is True
    assert 10 < out["apdu_count"] < 30
    assert out["bytes_exchanged"] > len(portrait.image)


def test_bac_only_card_is_read_with_mrz_data(pcscd: str) -> None:
    with served_card(pcscd, "--bac-only"):
        result = read(pcscd, "--mrz", DEMO_MRZ, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["access"] == "BAC"
    assert out["citizen"]["id_number"] == DEMO_ID_NUMBER


def test_bac_only_card_cannot_be_opened_with_a_can(pcscd: str) -> None:
    with served_card(pcscd, "--bac-only"):
        result = read(pcscd, "--id", DEMO_ID_NUMBER)
    assert result.returncode == 2
    assert "MRZ" in result.stderr and "Traceback" not in result.stderr


def test_wrong_can_exits_3_with_a_clear_message(pcscd: str) -> None:
    with served_card(pcscd):
        result = read(pcscd, "--can", "123456", "--json")
    assert result.returncode == 3
    assert result.stdout == ""
    assert "không khớp" in result.stderr and "does not match" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("after", [0, 1, 2, 5, 9, 12, 14, 16, 18])  # a whole read is 19 APDUs
def test_card_pulled_away_exits_4_saying_card_removed(pcscd: str, after: int) -> None:
    with served_card(pcscd, "--remove-after", str(after)):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert message("chip.card_removed").en in result.stderr  # through pcscd: an empty answer, then no card
    assert "extended" not in result.stderr  # and no false "reader refused extended APDU" fallback


def test_reader_refusing_extended_apdus_falls_back_to_short_reads(pcscd: str) -> None:
    with served_card(pcscd, "--refuse-extended"):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["extended_length"] is False
    assert out["portrait"]["sha256"] == hashlib.sha256(demo_portrait().image).hexdigest()
    assert out["apdu_count"] >= len(demo_portrait().image) // 0xDF


def test_cloned_chip_fails_active_authentication_with_exit_1(pcscd: str) -> None:
    with served_card(pcscd, "--clone"):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["active_authentication"]["status"] == "invalid"


def test_no_reader_of_that_name_exits_4(pcscd: str) -> None:
    result = subprocess.run([*KIOSK, "read", "--reader", "No Such Reader", "--id", DEMO_ID_NUMBER],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 4
    assert "No Such Reader" in result.stderr and "Traceback" not in result.stderr


def test_chip_authentication_key_mismatch_exits_1(pcscd: str) -> None:
    with served_card(pcscd, "--ca-mismatch"):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert result.returncode == 1, result.stderr
    out = json.loads(result.stdout)
    assert out["chip_authentication"]["status"] == "invalid"
    assert out["citizen"]["id_number"] == DEMO_ID_NUMBER


def _csca(tmp_path) -> str:
    return str(tmp_path / "csca.pem")


def test_genuine_card_with_its_csca_is_valid_everywhere(pcscd: str, tmp_path) -> None:
    with served_card(pcscd, "--csca-out", _csca(tmp_path)):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--csca", _csca(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [out[c]["status"] for c in ("passive_authentication", "active_authentication", "chip_authentication")] \
        == ["valid", "valid", "valid"]


@pytest.mark.parametrize("number", [1, 2, 13])
def test_data_group_changed_after_signing_exits_1_naming_it(pcscd: str, tmp_path, number: int) -> None:
    with served_card(pcscd, "--tamper-dg", str(number), "--csca-out", _csca(tmp_path)):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--csca", _csca(tmp_path), "--json")
    assert result.returncode == 1, result.stderr
    passive = json.loads(result.stdout)["passive_authentication"]
    assert passive["status"] == "invalid" and f"DG{number} hash does not match" in passive["detail"]


@pytest.mark.parametrize(("variant", "words"), [("foreign_csca", "CSCA"), ("expired_dsc", "expired at signing time"),
                                                ("bad_signature", "does not verify")])
def test_badly_signed_sod_exits_1(pcscd: str, tmp_path, variant: str, words: str) -> None:
    with served_card(pcscd, "--sod", variant, "--csca-out", _csca(tmp_path)):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--csca", _csca(tmp_path), "--json")
    assert result.returncode == 1, result.stderr
    passive = json.loads(result.stdout)["passive_authentication"]
    assert passive["status"] == "invalid" and words in passive["detail"]


def test_without_a_csca_passive_authentication_is_unverified(pcscd: str, tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with served_card(pcscd):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--csca", str(empty), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["passive_authentication"]["status"] == "unverified"


@pytest.mark.parametrize("aa", ["rsa-1024", "ec-p256"])
def test_rsa_and_ecdsa_active_authentication_are_valid(pcscd: str, aa: str) -> None:
    with served_card(pcscd, "--aa", aa):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["active_authentication"]["status"] == "valid"


def test_a_master_list_of_the_card_s_csca_anchors_passive_authentication(pcscd: str, tmp_path) -> None:
    master_list = str(tmp_path / "vn.ml")
    with served_card(pcscd, "--master-list-out", master_list):
        result = read(pcscd, "--id", DEMO_ID_NUMBER, "--csca", master_list, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["passive_authentication"]["status"] == "valid"
    listing = subprocess.run([*KIOSK, "trust", "list", "--csca", master_list], capture_output=True, text=True)
    assert "CSCA VN" in listing.stdout and "master list" in listing.stdout
