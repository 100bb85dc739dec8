"""Argument types shared by the sub-commands: numbers within bounds and camera specs, refused by argparse
(exit status 2, one sentence) before any work starts."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path

from kiosk import keys
from kiosk.errors import UsageError
from kiosk.files import readable_input
from nfc.access import AccessKey
from nfc.errors import AccessKeyError

_ASCII_INT = re.compile(r"[+-]?[0-9]+")
MAX_CAMERA_INDEX = 63


def integer(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number (ASCII digits) from ``low`` to ``high``."""
    def parse(text: str) -> int:
        if not _ASCII_INT.fullmatch(text.strip()):
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
        value = int(text)
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: it must be {bound}")
        return value

    parse.__name__ = "whole number"
    return parse


def number(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite number from ``low`` to ``high``."""
    def parse(text: str) -> float:
        try:
            if not text.isascii():  # float() also reads other scripts' digits
                raise ValueError(text)
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range: it must be from {low:g} to {high:g}")
        return value

    parse.__name__ = "number"
    return parse


def access_key(args: argparse.Namespace) -> AccessKey | None:
    """The key given as ``--id``, ``--can``, ``--mrz`` or ``--qr`` (None when none was; an empty one is
    refused, not taken for none)."""
    try:
        if args.id is not None:
            return keys.key_from_id(args.id)
        if args.can is not None:
            return keys.key_from_can(args.can)
        if args.mrz is not None:
            return keys.key_from_mrz(args.mrz)
        if args.qr is not None:
            return keys.parse_qr(args.qr).access_key()
    except AccessKeyError as exc:
        raise UsageError(str(exc)) from exc
    return None


def is_camera_index(spec: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{1,2}", spec)) and int(spec) <= MAX_CAMERA_INDEX


def check_camera(spec: str | None, what: str = "--camera") -> None:
    """A camera index, a readable image or video file, or an image folder; a file or folder is also opened
    and its first frame read, so one that holds no picture is refused now rather than after the card is read."""
    if spec is None or is_camera_index(spec):
        return
    path = Path(spec)
    if len(spec) > 4096 or "\x00" in spec:
        raise UsageError(f"{what}: not a camera index (0-{MAX_CAMERA_INDEX}), a file or a folder")
    readable_input(path, what)
    from biometrics.errors import BiometricsError
    from biometrics.frames import open_source

    try:
        source = open_source(path, max_frames=1)
        with source:
            first = next(iter(source.frames()), None)
    except BiometricsError as exc:
        raise UsageError(f"{what} {spec}: {exc.detail or 'not an image or a video'}") from exc
    if first is None:
        raise UsageError(f"{what} {spec}: no picture can be read from it (not an image or a video)")
