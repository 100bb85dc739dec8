"""``python -m kiosk supervise -- COMMAND …``: run the kiosk screen and start it again whenever it stops.

The kiosk's X session runs the screen under it (see :mod:`kiosk.supervisor` and ``docs/install.md``).
"""

from __future__ import annotations

import argparse

from kiosk.commands.arguments import integer, number
from kiosk.errors import UsageError
from kiosk.supervisor import Backoff, Supervisor


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("supervise", help="run a command (the kiosk screen) and restart it with a backoff")
    parser.add_argument("--first-delay", type=number(0.01, 3600), default=1.0, metavar="S",
                        help="first wait (default 1 s)")
    parser.add_argument("--max-delay", type=number(0.01, 86400), default=15.0, metavar="S",
                        help="longest wait (default 15 s)")
    parser.add_argument("--stable", type=number(0, 86400), default=60.0, metavar="S",
                        help="a run this long resets the wait (default 60 s)")
    parser.add_argument("--max-restarts", type=integer(0), metavar="N", help="give up after N restarts (default never)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise UsageError("supervise needs a command after --")
    if not 0 < args.first_delay <= args.max_delay:
        raise UsageError("--first-delay must be above 0 and at most --max-delay")
    supervisor = Supervisor(command, Backoff(args.first_delay, 2.0, args.max_delay, args.stable),
                            max_restarts=args.max_restarts)
    supervisor.install_signals()
    return supervisor.run()
