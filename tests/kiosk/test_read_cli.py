"""``python -m kiosk read --simulator``: the contract and exit statuses, in-process."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main
from nfc.sim.citizen import DEMO_ID_NUMBER


def test_simulator_read_prints_the_json_contract(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    portrait = tmp_path / "portrait.jp2"
    assert main(["read", "--simulator", "--id", DEMO_ID_NUMBER, "--json", "--portrait-out", str(portrait)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"access", "mrz", "citizen", "portrait", "passive_authentication", "active_authentication",
                        "apdu_count", "bytes_exchanged", "elapsed_s"}
    assert set(out["mrz"]) >= {"document_number", "date_of_birth", "date_of_expiry", "sex", "nationality", "names",
                               "optional_data"}
    assert out["mrz"]["names"] == "NGUYEN THI AN"
    assert out["citizen"]["date_of_birth"] == "2003-05-14"
    assert out["citizen"]["hometown"].startswith("Xã Đông Hội")
    assert portrait.read_bytes()[:12] == bytes.fromhex("0000000C6A5020200D0A870A")
    assert out["portrait"]["format"] == "jpeg2000"


def test_summary_has_vietnamese_labels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--simulator"]) == 0
    out = capsys.readouterr().out
    assert "Họ và tên: Nguyễn Thị An" in out and "Quê quán:" in out


def test_wrong_can_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--simulator", "--can", "111111", "--json"]) == 3
    captured = capsys.readouterr()
    assert captured.out == "" and "does not match" in captured.err


@pytest.mark.parametrize("args", [["--id", "123"], ["--qr", "not a qr"], ["--mrz", "X:1:2"]])
def test_bad_keys_are_usage_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--simulator", *args]) == 2
    assert capsys.readouterr().err.strip()
