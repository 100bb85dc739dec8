"""``python -m kiosk doctor [--profile …] [--json]``: what is wrong with this kiosk, and how to fix it.

Defaults come from the same environment the kiosk's service reads (``/etc/cccd-kiosk/kiosk.env``):
``KIOSK_PROFILE``, ``KIOSK_READER``, ``KIOSK_CAMERA``, ``KIOSK_DEMO``. Exit status 0 when no check failed
(warnings and skipped checks do not fail), 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os

from kiosk.commands.arguments import number
from kiosk.doctor import CheckName, CheckStatus, DoctorConfig, FrameSize, all_ok, run_checks
from kiosk.errors import UsageError
from kiosk.settings import PROFILES, SettingsError, load_profile

MARK = {CheckStatus.PASS: "ok  ", CheckStatus.WARN: "WARN", CheckStatus.FAIL: "FAIL", CheckStatus.SKIP: "skip"}


def register(sub: argparse._SubParsersAction) -> None:
    env = os.environ
    parser = sub.add_parser("doctor", help="check the reader, camera, screen, trust, network, clock and disk")
    parser.add_argument("--profile", default=env.get("KIOSK_PROFILE") or "demo",
                        help=f"{', '.join(PROFILES)} or a TOML file (default $KIOSK_PROFILE, else demo)")
    parser.add_argument("--reader", default=env.get("KIOSK_READER") or None, metavar="NAME",
                        help="the reader the kiosk is told to use (default $KIOSK_READER, else its own choice)")
    parser.add_argument("--camera", default=env.get("KIOSK_CAMERA") or None, metavar="INDEX|FILE|FOLDER",
                        help="the kiosk's camera (default $KIOSK_CAMERA)")
    parser.add_argument("--demo", action="store_true", default=env.get("KIOSK_DEMO") == "1",
                        help="the kiosk runs the demo (virtual card, demo face; default $KIOSK_DEMO=1)")
    parser.add_argument("--frame-size", default="640x480", metavar="WxH", help="smallest camera frame (640x480)")
    parser.add_argument("--check", action="append", choices=[str(n) for n in CheckName], metavar="NAME",
                        help=f"only these checks (repeatable): {', '.join(CheckName)}")
    parser.add_argument("--timeout", type=number(0.1, 600), default=5.0, metavar="S",
                        help="network timeout (default 5 s)")
    parser.add_argument("--json", action="store_true", help="one JSON object: ok and every check")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        profile = load_profile(args.profile)
        size = FrameSize.parse(args.frame_size)
    except (SettingsError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    config = DoctorConfig(profile, reader=args.reader, camera=args.camera, demo=args.demo, frame_size=size,
                          timeout_s=args.timeout,
                          only=frozenset(CheckName(n) for n in args.check) if args.check else None)
    results = run_checks(config)
    ok = all_ok(results)
    if args.json:
        print(json.dumps({"ok": ok, "profile": profile.name, "checks": [r.as_json() for r in results]},
                         ensure_ascii=False, indent=2))
        return 0 if ok else 1
    print(f"kiosk doctor: profile {profile.name}{' (demo)' if args.demo else ''}")
    for result in results:
        print(f"{MARK[result.status]}  {result.name:<14} {result.detail}")
        fix = result.fix()
        if fix is not None and result.status is not CheckStatus.PASS:
            print(f"{'':20}→ {fix.en}\n{'':20}→ {fix.vi}")
    failures = sum(r.status is CheckStatus.FAIL for r in results)
    print("all checks passed" if ok else f"{failures} check(s) failed")
    return 0 if ok else 1
