"""``python -m kiosk bench TARGET``: benchmarks live in :mod:`kiosk.benchmarks`, one module a target."""

from __future__ import annotations

import argparse
import importlib

TARGETS = ("chip", "face", "checkin")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bench", help="measure speed and memory")
    targets = parser.add_subparsers(dest="target", required=True)
    for name in TARGETS:
        try:
            module = importlib.import_module(f"kiosk.benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kiosk.benchmarks.{name}":
                raise
            continue  # benchmark not built yet
        module.register(targets)
