"""``python -m kiosk ui``: the kiosk screen (PySide6), windowed by default.

``--demo`` runs the whole flow with the built-in virtual card and the demo face (animated for the
preview), on any machine, each profile on a demo site of its own (:mod:`kiosk.demo_site`) in
``<data dir>/demo-<profile>/``: the hospital's BHYT gateway and hospital system played on 127.0.0.1, a
boarding pass for today's flight, a roster with the demo citizen. The airport's liveness challenge is
left out while the camera is the still demo face.
The virtual card's test CSCA is trusted (:func:`kiosk.assembly.trust_store`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.commands.arguments import check_camera
from kiosk.demo_site import demo_site
from kiosk.errors import UsageError
from kiosk.settings import PROFILES, SettingsError, data_dir, load_profile

PIN_ENV = "KIOSK_OPERATOR_PIN"
DEMO_PIN = "1234"
DEMO_PACE_S = 0.6  # a real chip read takes seconds; the virtual one, milliseconds: let each step be seen


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ui", help="the kiosk screen (PySide6)")
    parser.add_argument("--demo", action="store_true", help="the virtual card and the demo face, no hardware")
    parser.add_argument("--profile", default="demo", help=f"{', '.join(PROFILES)} or a TOML file (default demo)")
    parser.add_argument("--fullscreen", action="store_true", help="full screen, for a real kiosk")
    parser.add_argument("--camera", metavar="INDEX|FILE|FOLDER", help="camera (default: the demo face)")
    parser.add_argument("--reader", metavar="NAME", help="PC/SC reader name (default: the first reader)")
    parser.add_argument("--lang", choices=("vi", "en"), help="the site's language (default: the profile's, vi)")
    parser.add_argument("--soak", type=float, metavar="MINUTES",
                        help="with --demo: unattended check-ins and idle spells for MINUTES, offscreen; a report")
    parser.add_argument("--idle", type=float, default=20.0, metavar="S", help="with --soak: seconds of each idle spell")
    parser.add_argument("--json", action="store_true", help="with --soak: the report as JSON")
    parser.set_defaults(func=run)


@dataclass
class ScreenSetup:
    """What the screen is built from: the session factory, the window's options, and the hardware they
    share (its card source and camera)."""

    make_session: Callable[..., tuple[object, object]]
    options: object  # ui.app.KioskOptions
    hardware: object  # kiosk.assembly.Hardware


# -- the command --------------------------------------------------------------------------------------
def build(args: argparse.Namespace, stack: contextlib.ExitStack) -> ScreenSetup:
    """The screen's setup for the arguments; ``stack`` keeps the demo site's stand-ins running as long as
    the screen does. The UI package is imported here only."""
    from kiosk.adapters.registry import build_adapter
    from kiosk.assembly import Hardware, build_session
    from kiosk.commands.check import card_source
    from kiosk.site.runtime import KioskRuntime
    from ui.app import KioskOptions

    try:
        profile = load_profile(args.profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    check_camera(args.camera)
    context: dict[str, str] = {}
    if args.demo:
        profile, context = stack.enter_context(
            demo_site(profile, data_dir() / f"demo-{profile.name}", still_camera=args.camera is None))
    key = None
    if args.demo and args.camera is not None:
        # the virtual card's CAN: with a real camera the key would otherwise come from the card's QR code
        from kiosk.keys import key_from_can
        from nfc.sim.citizen import DEMO_ID_NUMBER

        key = key_from_can(DEMO_ID_NUMBER[-6:])
    hardware = Hardware(cards=card_source(args.demo, args.reader, pattern=profile.reader_pattern), camera=args.camera,
                        key=key)

    try:  # one destination for the session and the background worker
        adapter = build_adapter(profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc

    def make_session(*, listener, consent, keypad=None):
        # keypad(scan): the screen's key source, the card's QR code (hardware.keys) first, then the keypad
        keys = keypad(hardware.keys) if keypad is not None else None
        try:
            return build_session(profile, hardware, listener=listener, consent=consent, keys=keys, adapter=adapter)
        except SettingsError as exc:
            raise UsageError(str(exc)) from exc

    camera = args.camera
    # a camera index is opened once and shared by the session and the preview (Hardware.shared_camera)
    preview = hardware.preview_frames
    pin = os.environ.get(PIN_ENV) or (DEMO_PIN if args.demo else None)

    reader = "virtual_card" if args.demo else (args.reader or "first_reader")
    # the background worker: queued check-ins go out, old ones are purged, the heartbeat reaches the site
    try:
        runtime = stack.enter_context(KioskRuntime(profile, adapter=adapter, hardware=lambda: {  # the site page's words
            "reader": hardware.cards.describe(), "camera": camera if camera is not None else "demo face"}))
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc

    def info() -> dict[str, str]:
        # item -> value; the operator panel translates the items and the fixed phrases (ui.operator)
        anchors = ", ".join(Path(p).name for p in profile.csca) or ("test_csca" if args.demo else "none")
        return {"reader": reader, "camera": camera if camera is not None else "demo_face",
                "trust_store": anchors, "site": profile.site, **runtime.operator_lines()}

    options = KioskOptions(profile=profile.name, manual_start=args.demo,
                           pace_s=DEMO_PACE_S if args.demo else 0.0, language=args.lang or profile.screen.language,
                           operator_pin=pin, result_timeout_s=profile.screen.result_seconds,
                           staff_timeout_s=profile.screen.staff_idle_seconds,
                           preview=preview if profile.face.enabled else None, info=info,
                           context=context, on_shutdown=hardware.close, checks=_checks(profile, args))
    return ScreenSetup(make_session, options, hardware)


def _checks(profile, args: argparse.Namespace):
    """The doctor's checks for the operator panel, for this screen's reader and camera. The camera and the
    display are left out: the screen holds them, and shows them working (or not) itself."""
    from kiosk.doctor import CheckName, DoctorConfig, run_checks

    config = DoctorConfig(profile, reader=args.reader, camera=args.camera, demo=args.demo,
                          only=frozenset(CheckName) - {CheckName.CAMERA, CheckName.DISPLAY})
    return lambda: run_checks(config)


def run(args: argparse.Namespace) -> int:
    soak = getattr(args, "soak", None)
    if soak is not None:
        if not args.demo or soak <= 0:
            raise UsageError("--soak needs --demo and a positive number of minutes")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the real window, with no display needed
    try:
        from ui.app import run_app
    except ImportError as exc:
        raise UsageError(f"the kiosk screen needs PySide6 ({exc}); pip install PySide6-Essentials") from exc
    with contextlib.ExitStack() as stack:
        setup = build(args, stack)
        if soak is None:
            return run_app(setup.make_session, setup.options, fullscreen=args.fullscreen)
        return _soak(setup, soak, args.idle, args.json, run_app)


def _soak(setup: ScreenSetup, minutes: float, idle_s: float, as_json: bool, run_app) -> int:
    from ui.soak import Soak

    setup.options.sounds = False
    soaks = []

    def drive(window) -> None:
        soaks.append(Soak(window, minutes, idle_s=idle_s))
        soaks[0].start()

    run_app(setup.make_session, setup.options, driver=drive)
    report = soaks[0].report.as_dict()
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        for name, value in report.items():
            print(f"{name:<22} {value}")
    healthy = report["exceptions"] == 0 and report["checkins"] > 0
    return 0 if healthy else 1
