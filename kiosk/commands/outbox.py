"""``python -m kiosk outbox status|retry|purge|deliver --profile NAME``: staff operations on the outbox.

Shows counts and check-in ids with their last error, never the personal data inside the rows.
"""

from __future__ import annotations

import argparse
import json

from kiosk.adapters.registry import build_adapter
from kiosk.errors import UsageError
from kiosk.outbox import Outbox, OutboxError, load_key
from kiosk.settings import SettingsError, load_profile


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("outbox", help="show, retry, deliver or purge queued check-ins")
    parser.add_argument("action", choices=("status", "retry", "deliver", "purge"))
    parser.add_argument("--profile", default="demo")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        profile = load_profile(args.profile)
        outbox = Outbox(profile.outbox_path, load_key(profile.outbox_key_file))
    except (SettingsError, OutboxError) as exc:
        raise UsageError(str(exc)) from exc
    try:
        if args.action == "retry":
            report = {"made_due": outbox.retry()}
        elif args.action == "purge":
            report = {"purged": outbox.purge(profile.outbox_retention_s)}
        elif args.action == "deliver":
            adapter = build_adapter(profile)
            report = {"results": [{"checkin_id": r.checkin_id, "state": r.state, "error": r.error}
                                  for r in outbox.deliver_due(lambda _: adapter, limit=1000)]}
        else:
            status = outbox.status()
            report = {"pending": status.pending, "delivered": status.delivered, "failed": status.failed,
                      "oldest_pending_s": status.oldest_pending_s,
                      "waiting": [{"checkin_id": cid, "attempts": n, "last_error": error}
                                  for cid, n, error in outbox.failures()]}
    finally:
        outbox.close()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, value in report.items():
            print(f"{name}: {value}")
    return 0
