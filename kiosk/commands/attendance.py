"""``python -m kiosk attendance --profile exam --out FILE [--format csv|xlsx]``: the exam room's attendance
(every candidate on the roster, present or absent, with times and how each was verified)."""

from __future__ import annotations

import argparse

from kiosk.adapters.exam import ExamAdapter
from kiosk.adapters.registry import build_adapter
from kiosk.errors import UsageError
from kiosk.files import writable_file
from kiosk.settings import SettingsError, load_profile


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("attendance", help="export an exam room's attendance (CSV or XLSX)")
    parser.add_argument("--profile", default="exam")
    parser.add_argument("--out", required=True, metavar="FILE")
    parser.add_argument("--format", choices=("csv", "xlsx"), help="default: from the file's suffix, else csv")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    writable_file(args.out, "--out")
    try:
        adapter = build_adapter(load_profile(args.profile))
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    if not isinstance(adapter, ExamAdapter):
        raise UsageError(f"profile {args.profile} is not an exam room: it has no attendance to export")
    fmt = args.format or ("xlsx" if args.out.lower().endswith(".xlsx") else "csv")
    try:
        path = adapter.export_attendance(args.out, fmt)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: cannot be written ({exc.strerror or type(exc).__name__})") from exc
    print(f"attendance written to {path}")
    return 0
