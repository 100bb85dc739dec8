"""Person-facing messages by key, Vietnamese first (see ``messages.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

DEFAULT_KEY = "chip.error"


@dataclass(frozen=True)
class Message:
    vi: str
    en: str

    def both(self) -> str:
        return f"{self.vi} / {self.en}"


@cache
def _catalogue() -> dict[str, Message]:
    raw = tomllib.loads(resources.files("kiosk").joinpath("messages.toml").read_text("utf-8"))
    return {key: Message(**texts) for key, texts in raw.items()}


def message(key: str) -> Message:
    """The message for ``key``; an unknown key falls back to the generic one rather than failing a person."""
    catalogue = _catalogue()
    return catalogue.get(key, catalogue[DEFAULT_KEY])
