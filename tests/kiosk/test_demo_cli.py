"""The README's main command: a whole check-in on the virtual card, in the terminal without a display."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main


def test_demo_checks_in_the_virtual_card_holder(capsys: pytest.CaptureFixture[str], monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["demo", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "checked_in" and out["receipt"]["display"]["queue_number"] == "A001"
    assert list(out["timings"]) == ["card", "consent", "key", "chip", "trust", "face", "destination", "result"]


def test_demo_opens_the_screen_when_there_is_a_display(monkeypatch) -> None:
    import kiosk.commands.ui as ui

    seen = {}
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(ui, "run", lambda args: seen.setdefault("args", args) and 0)
    assert main(["demo", "--profile", "exam"]) == 0
    assert seen["args"].demo and seen["args"].profile == "exam"


@pytest.mark.parametrize(("profile", "receipt"), [
    ("hospital", {"department": "Khoa Khám bệnh – Phòng 105"}),  # the hospital stand-in's answer
    ("airport", {"decision": "cleared"}),
])
def test_the_headless_demo_runs_the_profile_it_is_given(capsys: pytest.CaptureFixture[str], monkeypatch, tmp_path,
                                                        profile: str, receipt: dict) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["demo", "--json", "--profile", profile]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "checked_in"
    assert receipt.items() <= out["receipt"]["display"].items()
