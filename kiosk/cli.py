"""``python -m kiosk``: one sub-command per module in :mod:`kiosk.commands`.

Each command module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from kiosk.errors import UsageError

COMMANDS = ("demo", "check", "read", "sim", "trust", "outbox", "attendance", "roster", "site", "bench", "verify",
            "evaluate", "ui", "doctor", "supervise")
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="CCCD check-in kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step (no personal data)")
    register_all(parser.add_subparsers(dest="command", required=True), "kiosk.commands", COMMANDS)
    return parser


def register_all(sub: argparse._SubParsersAction, package: str, names: tuple[str, ...]) -> None:
    """Let each module ``package.name`` add its sub-command (``kiosk.commands``, ``kiosk.benchmarks``)."""
    for name in names:
        importlib.import_module(f"{package}.{name}").register(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
