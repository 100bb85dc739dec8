"""Person-facing messages by key, Vietnamese first (see ``messages.toml``)."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

DEFAULT_KEY = "chip.error"


@dataclass(frozen=True)
class Message:
    """A message in both languages; ``{name}`` placeholders are filled by :meth:`format`."""

    vi: str
    en: str

    def both(self) -> str:
        return f"{self.vi} / {self.en}"

    def format(self, params: Mapping[str, str]) -> Message:
        """The message with its placeholders filled; a placeholder without a value is left out, so a
        missing detail shortens the sentence instead of showing braces."""
        return Message(_fill(self.vi, params), _fill(self.en, params))


class _Params(dict):
    def __missing__(self, name: str) -> str:
        return "…"


def _fill(text: str, params: Mapping[str, str]) -> str:
    if not any(name for _, name, _, _ in string.Formatter().parse(text)):
        return text
    return text.format_map(_Params(params))


def warning_key(check: str) -> str:
    """The message for a weaker check the profile allowed (e.g. ``passive_authentication`` unverified)."""
    return f"trust.{check}_unverified"


@cache
def _catalogue() -> dict[str, Message]:
    raw = tomllib.loads(resources.files("kiosk").joinpath("messages.toml").read_text("utf-8"))
    return {key: Message(**texts) for key, texts in raw.items()}


def message(key: str, params: Mapping[str, str] | None = None) -> Message:
    """The message for ``key`` with ``params`` filled in; an unknown key falls back to the generic one
    rather than failing a person."""
    catalogue = _catalogue()
    found = catalogue.get(key, catalogue[DEFAULT_KEY])
    return found.format(params or {})
