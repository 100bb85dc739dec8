"""``python -m kiosk``: one sub-command per module in :mod:`kiosk.commands`.

Each command module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit status.

No command prints a traceback, whatever its input. Errors end as one line on stderr, Vietnamese then
English, then the step and the detail for staff: ``<vi> / <en> [step: detail]``. Exit statuses common to
every command (each command documents its own besides):

- 2: usage error: a bad argument, or a profile, key, roster or file that cannot be used;
- 70: an unexpected internal error (a bug): the sentence says so and one log line names the exception
  type and where it was raised, for staff (never its message, which may hold personal data);
- 130: interrupted (Ctrl-C); 141: the output pipe was closed (``… | head``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
import traceback
from typing import NoReturn

from kiosk.errors import KioskError, UsageError
from kiosk.messages import message

COMMANDS = ("demo", "check", "read", "sim", "trust", "outbox", "attendance", "roster", "site", "bench", "verify",
            "evaluate", "ui", "doctor", "supervise")
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a process killed by it

log = logging.getLogger("kiosk.cli")
_LONG_WORD = re.compile(r"[^\s']{60,}")


def error_line(message_key: str, step: str, detail: str) -> str:
    """The one line an error ends as: ``<vi> / <en> [step: detail]``; a very long value the detail quotes
    (a 100,000-character argument) is cut."""
    detail = _LONG_WORD.sub(lambda m: f"{m.group()[:24]}…", " ".join(detail.split()))
    return f"{message(message_key).both()} [{step}: {detail}]"


class KioskArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors said in one bilingual line like every other error (exit status 2)."""

    def error(self, detail: str) -> NoReturn:
        print(error_line("cli.usage", "usage", f"{detail} (see: {self.prog} --help)"), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = KioskArgumentParser(prog="python -m kiosk", description="CCCD check-in kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step (no personal data)")
    register_all(parser.add_subparsers(dest="command", required=True), "kiosk.commands", COMMANDS)
    return parser


def register_all(sub: argparse._SubParsersAction, package: str, names: tuple[str, ...]) -> None:
    """Let each module ``package.name`` add its sub-command (``kiosk.commands``, ``kiosk.benchmarks``)."""
    for name in names:
        importlib.import_module(f"{package}.{name}").register(sub)


def _usage(exc: KioskError) -> str:
    """A usage error's line; a UsageError wrapping a more specific kiosk error says that one's message."""
    cause = exc.__cause__ if isinstance(exc, UsageError) and isinstance(exc.__cause__, KioskError) else exc
    key = cause.message_key if cause.message_key != KioskError.message_key else "cli.usage"
    return error_line(key, "usage", str(exc))


def _where(exc: BaseException) -> str:
    """``file:line in function`` of the innermost frame of the project that raised ``exc``."""
    frames = traceback.extract_tb(exc.__traceback__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ours = [f for f in frames if os.path.abspath(f.filename).startswith(root)] or frames
    if not ours:
        return "?"
    frame = ours[-1]
    return f"{os.path.relpath(frame.filename, root)}:{frame.lineno} in {frame.name}"


def _unexpected(exc: Exception, command: str) -> int:
    log.error("unexpected %s in command %r at %s", type(exc).__name__, command, _where(exc))
    print(error_line("cli.unexpected", command, f"unexpected {type(exc).__name__}; see the log"), file=sys.stderr)
    return EXIT_INTERNAL


def _quiet_stdout() -> None:
    """After a broken pipe (``… | head``), stop Python from complaining again when it flushes at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error already said (2)
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except KioskError as exc:  # UsageError, and profile / key / roster errors no command caught
        print(_usage(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(error_line("cli.interrupted", args.command, "interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - the outermost guard: a bug must still end in one sentence, never a traceback
        return _unexpected(exc, args.command)
