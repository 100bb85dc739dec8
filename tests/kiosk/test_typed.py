"""A number typed on the keypad: the right key, or the exact reason in the person's words."""

from __future__ import annotations

import pytest

from kiosk.errors import InvalidTypedKey
from kiosk.messages import _catalogue
from kiosk.typed import typed_key
from nfc.access import CanKey


@pytest.mark.parametrize(("typed", "key"), [
    ("", "key.empty"),
    ("12345", "key.wrong_length"),
    ("0013030045", "key.wrong_length"),
    ("0013030045678", "key.wrong_length"),
    ("00130300456x", "key.digits_only"),
    ("999303004567", "key.unknown_province"),
    ("000303004567", "key.unknown_province"),
])
def test_each_reason_has_its_own_message(typed: str, key: str) -> None:
    with pytest.raises(InvalidTypedKey) as err:
        typed_key(typed)
    assert err.value.message_key == key and key in _catalogue()
    assert typed[-4:] not in str(err.value) or not typed  # the number itself is never echoed


def test_the_id_number_gives_the_can_and_six_digits_are_the_can() -> None:
    assert typed_key("001 303.004-567").key == CanKey("004567")
    assert typed_key("123456").key == CanKey("123456")
    assert typed_key("001303004567").qr is None

