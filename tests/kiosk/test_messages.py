"""Every message key an error can carry has a Vietnamese and an English text."""

from __future__ import annotations

import inspect

import pytest

import biometrics.errors
import nfc.errors
import nfc.pace
import nfc.trust.active
from kiosk import errors as kiosk_errors
from kiosk import outbox, settings
from kiosk.adapters import base as adapters_base
from kiosk.adapters import roster
from kiosk.messages import _catalogue, message


def _keys() -> set[str]:
    found = set()
    for module in (nfc.errors, nfc.pace, nfc.trust.active, biometrics.errors, kiosk_errors, adapters_base, outbox,
                   settings, roster):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exception) and hasattr(cls, "message_key"):
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
