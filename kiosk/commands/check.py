"""``python -m kiosk check``: one whole check-in, headless; ``python -m kiosk run``: one after another.

Exit status of ``check``: 0 checked in (or safely queued for an upstream that is down), 1 refused or
referred to staff, 2 usage error, 3 the card refused the access key, 4 no card / link lost, 5 no usable
face.
"""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.adapters.registry import build_adapter
from kiosk.assembly import Hardware, build_session, context_from
from kiosk.cards import CardSource, PcscCards
from kiosk.commands.arguments import access_key, check_camera, integer, number
from kiosk.errors import UsageError
from kiosk.messages import message, warning_key
from kiosk.outcomes import EventState, FailureKind, short_reference
from kiosk.session import SessionEvent, SessionResult
from kiosk.settings import PROFILES, Profile, SettingsError, load_profile

EXIT_OK, EXIT_REFUSED, EXIT_KEY, EXIT_LINK, EXIT_FACE = 0, 1, 3, 4, 5

#: the exit status of each kind of failure (a plain or queued check-in exits 0)
EXIT_STATUS = {
    FailureKind.RETRY: EXIT_REFUSED,
    FailureKind.CANCELLED: EXIT_REFUSED,
    FailureKind.STAFF: EXIT_REFUSED,
    FailureKind.NEW_KEY: EXIT_KEY,
    FailureKind.NO_CARD: EXIT_LINK,
    FailureKind.CARD: EXIT_LINK,
    FailureKind.CHIP: EXIT_LINK,
    FailureKind.READER: EXIT_LINK,
    FailureKind.FACE: EXIT_FACE,
    FailureKind.FACE_REFUSED: EXIT_FACE,
    FailureKind.DECLINED: EXIT_FACE,
}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="demo", help=f"{', '.join(PROFILES)} or a TOML file (default demo)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--reader", metavar="NAME", help="PC/SC reader name (default: the first reader)")
    where.add_argument("--simulator", action="store_true", help="the built-in virtual card")
    parser.add_argument("--camera", metavar="INDEX|FILE|FOLDER", help="camera (default: the demo face)")
    key = parser.add_mutually_exclusive_group()
    key.add_argument("--id", metavar="ID12", help="12-digit ID number (default: the card's QR code via the camera)")
    key.add_argument("--can")
    key.add_argument("--mrz", metavar="DOCNO:YYMMDD:YYMMDD")
    key.add_argument("--qr", metavar="TEXT")
    parser.add_argument("--boarding-pass", metavar="TEXT", help="boarding pass barcode text (airport)")
    parser.add_argument("--wait", type=number(0, 3600), default=30.0, help="seconds to wait for a card (default 30)")
    parser.add_argument("--json", action="store_true")


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="one whole check-in, headless")
    _common(check)
    check.set_defaults(func=run_check)
    loop = sub.add_parser("run", help="check in one person after another")
    _common(loop)
    loop.add_argument("--count", type=integer(1), help="stop after this many check-ins (default: never)")
    loop.set_defaults(func=run_loop)


def _hardware(args: argparse.Namespace, pattern: str | None = None) -> Hardware:
    key = access_key(args)
    check_camera(args.camera)
    return Hardware(cards=card_source(args.simulator, args.reader, args.wait, pattern), camera=args.camera, key=key)


def card_source(simulator: bool, reader: str | None, wait_s: float = 30.0, pattern: str | None = None) -> CardSource:
    """The built-in virtual card (``--simulator``) or the PC/SC reader named ``reader`` (None: the contactless
    one matching the profile's ``pattern``)."""
    if simulator:
        from kiosk.simulator import VirtualCards

        return VirtualCards()
    return PcscCards(reader, wait_s, pattern)


def _profile(args: argparse.Namespace) -> Profile:
    try:
        return load_profile(args.profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc


def _session(args: argparse.Namespace, profile: Profile, listener=lambda event: None, adapter=None):
    return build_session(profile, _hardware(args, profile.reader_pattern), listener=listener, adapter=adapter)


def exit_status(result: SessionResult) -> int:
    return EXIT_OK if result.failure is None else EXIT_STATUS[result.failure.kind]


def result_json(result: SessionResult) -> dict:
    text = message(result.message_key, result.params)
    failure = result.failure
    return {
        "ref": result.ref, "outcome": result.outcome, "message_key": result.message_key,
        "message": {"vi": text.vi, "en": text.en}, "checkin_id": result.checkin_id,
        "decision": None if result.decision is None else {
            "status": result.decision.status, "reasons": list(result.decision.reasons),
            "staff_notes": list(result.decision.staff_notes), "details": dict(result.decision.details)},
        "receipt": None if result.receipt is None else {
            "reference": result.receipt.reference, "display": result.receipt.display_dict()},
        "failure": None if failure is None else {
            "kind": failure.kind, "step": failure.step, "reason": failure.reason,
            "reference": short_reference(result.ref)},
        "warnings": list(result.warnings), "failed_step": result.failed_step, "detail": result.detail,
        "timings": {step: round(s, 4) for step, s in result.timings}, "total_s": round(result.total_s, 4),
    }


def _print(result: SessionResult, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result_json(result), ensure_ascii=False, indent=2))
        return
    text = message(result.message_key, result.params)
    print(f"{text.vi}\n{text.en}")
    if result.receipt is not None:
        for name, value in result.receipt.display_dict().items():
            print(f"  {name}: {value}")
    for warning in result.warnings:
        print(f"  ! {warning}: {message(warning_key(warning)).both()}")
    steps = ", ".join(f"{step} {s:.3f}s" for step, s in result.timings)
    print(f"[{result.outcome}] {steps} (total {result.total_s:.3f} s)", file=sys.stderr)
    if result.detail:
        print(f"[staff] {result.failed_step}: {result.detail}", file=sys.stderr)


def _progress(event: SessionEvent) -> None:
    if event.state != EventState.STARTED:
        print(f"  {event.step}: {event.state} ({event.elapsed_s:.3f} s)", file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    session, outbox = _session(args, _profile(args), listener=_progress if not args.json else (lambda event: None))
    try:
        result = session.run(context_from({"boarding_pass": args.boarding_pass}))
    finally:
        outbox.close()
    _print(result, args.json)
    return exit_status(result)


def run_loop(args: argparse.Namespace) -> int:
    from kiosk.site.runtime import KioskRuntime

    profile = _profile(args)
    try:  # one destination for the session and the background worker
        adapter = build_adapter(profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    session, outbox = _session(args, profile, adapter=adapter)
    # the background worker delivers queued check-ins while no one is at the kiosk, and sends the heartbeat
    try:
        runtime = KioskRuntime(profile, adapter=adapter, hardware=lambda: {
            "reader": "virtual card" if args.simulator else (args.reader or "first PC/SC reader"),
            "camera": args.camera or "demo face"}).start()
    except SettingsError as exc:
        outbox.close()
        raise UsageError(str(exc)) from exc
    done = 0
    try:
        while args.count is None or done < args.count:
            result = session.run(context_from({"boarding_pass": args.boarding_pass}))
            _print(result, args.json)
            done += 1
    except KeyboardInterrupt:
        pass
    finally:
        runtime.stop()
        outbox.close()
    return EXIT_OK
