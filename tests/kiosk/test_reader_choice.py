"""The profile's ``[reader] pattern`` reaches the PC/SC card source; a pattern that is no regular expression is a
profile error at load time, not at the first card."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cards import PcscCards
from kiosk.commands.check import card_source
from kiosk.settings import SettingsError, load_profile

PROFILE = '[profile]\nname = "p"\nsite = "S"\n'


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(PROFILE + text, encoding="utf-8")
    return path


def test_a_reader_pattern_reaches_the_card_source(tmp_path: Path) -> None:
    profile = load_profile(str(_profile(tmp_path, '[reader]\npattern = "ACR1252.*PICC"\n')))
    assert profile.reader_pattern == "ACR1252.*PICC"
    cards = card_source(False, None, 5.0, profile.reader_pattern)
    assert cards == PcscCards(None, 5.0, "ACR1252.*PICC")
    assert "ACR1252" in cards.describe()


def test_without_a_pattern_the_contactless_reader_is_chosen(tmp_path: Path) -> None:
    assert load_profile(str(_profile(tmp_path, ""))).reader_pattern is None


@pytest.mark.parametrize("bad", ['pattern = "PICC ("', "pattern = 3"])
def test_a_bad_pattern_is_a_profile_error(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SettingsError):
        load_profile(str(_profile(tmp_path, f"[reader]\n{bad}\n")))
