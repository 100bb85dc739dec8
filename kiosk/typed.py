"""An access key typed on the kiosk's keypad: the 12-digit CCCD number, or the 6-digit CAN printed on the
card's front. :mod:`kiosk.keys` gives each bad number its own message key, which the screen says in the person's
language (``kiosk/messages.toml``)."""

from __future__ import annotations

import re

from kiosk.errors import InvalidTypedKey
from kiosk.key_source import KeyInput
from kiosk.keys import ID_LENGTH, key_from_can, key_from_id
from nfc.errors import AccessKeyError

CAN_LENGTH = 6
MAX_DIGITS = ID_LENGTH

def typed_key(text: str) -> KeyInput:
    """The key for what was typed: 6 digits are the CAN, anything else must be the 12-digit ID number.

    Raises :class:`~kiosk.errors.InvalidTypedKey` with the reason's message key."""
    digits = re.sub(r"[\s.\-]", "", text)
    try:
        key = key_from_can(digits) if len(digits) == CAN_LENGTH else key_from_id(digits)
    except AccessKeyError as exc:
        raise InvalidTypedKey(str(exc), exc.message_key) from exc
    return KeyInput(key)
