"""``python -m kiosk bench TARGET``: benchmarks live in :mod:`kiosk.benchmarks`, one module a target."""

from __future__ import annotations

import argparse

TARGETS = ("chip", "face", "checkin", "site", "fuzz")


def register(sub: argparse._SubParsersAction) -> None:
    from kiosk.cli import register_all

    parser = sub.add_parser("bench", help="measure speed and memory")
    register_all(parser.add_subparsers(dest="target", required=True), "kiosk.benchmarks", TARGETS)
