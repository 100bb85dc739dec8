"""Every message key an error can carry has a Vietnamese and an English text."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import biometrics
import kiosk
import nfc
from kiosk.messages import _catalogue, message


def _keys() -> set[str]:
    """The message keys of every typed error class in the three libraries (each module imported, so a new
    error anywhere is checked without naming its module here)."""
    found = set()
    for package in (nfc, biometrics, kiosk):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue  # runs a command when imported
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, Exception) and isinstance(getattr(cls, "message_key", None), str):
                    found.add(cls.message_key)
    return found


@pytest.mark.parametrize("key", sorted(_keys()))
def test_every_error_message_key_has_both_languages(key: str) -> None:
    assert key in _catalogue(), f"{key} is missing from kiosk/messages.toml"
    text = message(key)
    assert text.vi.strip() and text.en.strip() and text.vi != text.en


def test_vietnamese_diacritics_survive_loading() -> None:
    assert "không khớp" in message("chip.access_denied").vi


def test_placeholders_are_filled_and_a_missing_value_never_shows_braces() -> None:
    from kiosk.messages import message

    filled = message("exam.already_checked_in", {"time": "07:05"})
    assert "07:05" in filled.vi and "07:05" in filled.en
    bare = message("exam.already_checked_in")
    assert "{" not in bare.vi + bare.en
