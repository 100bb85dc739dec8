"""``python -m kiosk demo``: the kiosk's main job on the built-in virtual card, no hardware needed.

One whole check-in through the real session: the virtual CCCD (PACE, Chip, Passive and Active
Authentication against its own test CSCA), consent, the face match with the camera (the built-in demo
face unless ``--camera`` names a camera index, a video or an image folder), and the profile's destination
played by local stand-ins (the demo profile's is a local queue). Exit status as ``check``: 0 checked in,
1 refused, 5 no usable face.

On a machine with a display it opens the kiosk screen instead (``python -m kiosk ui --demo``), so the
README's first command lets a newcomer click through a check-in; ``--headless`` keeps it in the terminal.
"""

from __future__ import annotations

import argparse
import json
import os

from kiosk.assembly import Hardware, build_session
from kiosk.commands.arguments import check_camera
from kiosk.commands.check import exit_status, result_json
from kiosk.demo_site import demo_site
from kiosk.errors import UsageError
from kiosk.messages import message
from kiosk.session import SessionResult
from kiosk.settings import SettingsError, data_dir, load_profile
from kiosk.simulator import VirtualCards

_CHECKS = (("passive_authentication", "Xác thực thụ động / Passive Authentication"),
           ("active_authentication", "Xác thực chủ động / Active Authentication"),
           ("chip_authentication", "Xác thực chip / Chip Authentication"))


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="one check-in on the virtual card and the demo face")
    parser.add_argument("--camera", metavar="INDEX|FILE|FOLDER",
                        help="live frames from a camera, video or image folder (default: the demo face)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--headless", action="store_true", help="stay in the terminal even with a display")
    parser.add_argument("--profile", default="demo", choices=("demo", "hospital", "airport", "exam"),
                        help="with the screen: which place to show (default demo)")
    parser.set_defaults(func=run)


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    if not (args.headless or args.json) and _has_display():
        from kiosk.commands import ui

        return ui.run(argparse.Namespace(demo=True, profile=args.profile, fullscreen=False, camera=args.camera,
                                         reader=None, lang=None))
    check_camera(args.camera)
    try:
        chosen = load_profile(args.profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    hardware = Hardware(cards=VirtualCards(), camera=args.camera)
    # the profile's upstream played locally, as on the screen (the demo profile's is the local queue)
    with demo_site(chosen, data_dir() / f"demo-{chosen.name}", still_camera=args.camera is None) as (profile,
                                                                                                   context):
        session, outbox = build_session(profile, hardware)
        try:
            result = session.run(context)
        finally:
            outbox.close()
    if args.json:
        print(json.dumps(result_json(result), ensure_ascii=False, indent=2))
    else:
        _print(result, hardware)
    return exit_status(result)


def _print(result: SessionResult, hardware: Hardware) -> None:
    print("Thẻ CCCD ảo (công dân giả định) / virtual CCCD (a fictional citizen), demo face as camera")
    for step, seconds in result.timings:
        print(f"  {step:<12} {seconds:7.3f} s")
    reader = hardware.cards.last_reader
    if reader is not None:
        print(f"  (the chip read would take {reader.modelled_s:.3f} s on a 424 kbit/s reader, {reader.apdus} APDUs)")
    evidence = result.evidence
    if evidence is not None:
        for name, label in _CHECKS:
            print(f"  {label}: {getattr(evidence, name)}")
        if evidence.face_distance is not None:
            print(f"  Khuôn mặt / face: distance {evidence.face_distance} (threshold {evidence.face_threshold})")
    text = message(result.message_key, result.params)
    print(f"{text.vi}\n{text.en}")
    if result.receipt is not None:
        for name, value in result.receipt.display_dict().items():
            print(f"  {name}: {value}")
    if result.detail:
        print(f"  [staff] {result.failed_step}: {result.detail}")
