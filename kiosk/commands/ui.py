"""``python -m kiosk ui``: the kiosk screen (PySide6), windowed by default.

``--demo`` runs the whole flow with the built-in virtual card and the demo face (animated for the
preview), on any machine. Each profile gets demo data of its own in ``<data dir>/demo-<profile>/``: a
local queue for the hospital, a boarding pass for today's flight for the airport, a two-line roster for
the exam room. The airport's liveness challenge is left out while the camera is the still demo face.
The virtual card's test CSCA is trusted (:func:`kiosk.assembly.trust_store`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from kiosk.errors import UsageError
from kiosk.settings import PROFILES, Profile, SettingsError, data_dir, load_profile

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
    parser.add_argument("--lang", choices=("vi", "en"), default="vi", help="first language (default vi)")
    parser.set_defaults(func=run)


# -- demo data ----------------------------------------------------------------------------------------
def _demo_boarding_pass(now: datetime) -> str:
    """An IATA BCBP for the demo citizen (Nguyễn Thị An) on today's flight from Hà Nội."""
    day = now.timetuple().tm_yday
    return f"M1{'NGUYEN/THI AN MS':<20}EDEMO01 HANSGNVN 0213 {day:03d}Y012C0042 100"


DEMO_ROSTER = ("STT;Số báo danh;Họ đệm;Tên;Ngày sinh;Phòng thi;Số CCCD\n"
               "1;01000123;Nguyễn Thị;An;14/05/2003;012;001303004567\n"
               "2;01000124;Trần Văn;Bình;02/09/2003;012;001203001111\n")


def demo_profile(profile: Profile, *, still_camera: bool = True) -> tuple[Profile, dict[str, str]]:
    """The profile with demo data in its own folder, and the context the person would give (boarding pass).

    With the still demo face as camera the liveness challenge is left out (it would always fail); with
    ``--camera`` (a camera or a video of a head turn) it stays as the profile says."""
    folder = data_dir() / f"demo-{profile.name}"
    folder.mkdir(parents=True, exist_ok=True)
    table = dict(profile.adapter)
    context: dict[str, str] = {}
    kind = table.get("kind", "local")
    if kind in ("hospital", "webhook"):
        # the hospital's systems are not here: a local queue shows the same screen (number + department)
        table = {"kind": "local", "prefix": "B", "department": "Khoa Khám bệnh – Phòng 105 / Outpatients, room 105"}
    elif kind == "airport":
        tz = ZoneInfo(str(table.get("timezone", "Asia/Ho_Chi_Minh")))
        context["boarding_pass"] = _demo_boarding_pass(datetime.now(tz))
    elif kind == "exam":
        (folder / "demo-roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
        table.update(roster="demo-roster.csv", room="012",
                     session=f"demo-{datetime.now():%Y%m%d-%H%M%S}")  # a fresh exam session per launch
    face = profile.face
    if face.liveness and still_camera:
        # a still picture cannot turn its head: with the demo face the challenge could only fail
        face = dataclasses.replace(face, liveness=False)
    return dataclasses.replace(profile, data_dir=folder, adapter=MappingProxyType(table), face=face), context


# -- the command --------------------------------------------------------------------------------------
def build(args: argparse.Namespace):
    """(make_session, KioskOptions) for the arguments; the UI package is imported here only."""
    from kiosk.assembly import Hardware, build_session
    from ui.app import KioskOptions

    try:
        profile = load_profile(args.profile)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    context: dict[str, str] = {}
    if args.demo:
        profile, context = demo_profile(profile, still_camera=args.camera is None)
    key = None
    if args.demo and args.camera is not None:
        # the virtual card's CAN: with a real camera the key would otherwise come from the card's QR code
        from kiosk.keys import key_from_can
        from nfc.sim.citizen import DEMO_ID_NUMBER

        key = key_from_can(DEMO_ID_NUMBER[-6:])
    hardware = Hardware(simulator=args.demo, reader=args.reader, camera=args.camera, key=key)

    def make_session(*, listener, consent, keypad=None):
        # keypad(scan): the screen's key source, the card's QR code (hardware.keys) first, then the keypad
        keys = keypad(hardware.keys) if keypad is not None else None
        try:
            return build_session(profile, hardware, listener=listener, consent=consent, keys=keys)
        except SettingsError as exc:
            raise UsageError(str(exc)) from exc

    steps = ["card", "key", "chip", "trust"]
    if profile.face.enabled:
        steps.append("face")
        if profile.face.liveness:
            steps.append("liveness")
    steps += ["destination", "result"]
    camera = args.camera
    # a camera index is opened once and shared by the session and the preview (Hardware.shared_camera)
    preview = hardware.preview_frames
    pin = os.environ.get(PIN_ENV) or (DEMO_PIN if args.demo else None)

    def info() -> dict[str, str]:
        reader = "virtual card (demo)" if args.demo else (args.reader or "first PC/SC reader")
        anchors = ", ".join(Path(p).name for p in profile.csca) or ("virtual card test CSCA" if args.demo else "none")
        return {"Reader": reader, "Camera": camera if camera is not None else "demo face",
                "Trust store": anchors, "Site": profile.site}

    options = KioskOptions(profile=profile.name, steps=tuple(steps), manual_start=args.demo,
                           pace_s=DEMO_PACE_S if args.demo else 0.0, language=args.lang, operator_pin=pin,
                           preview=preview if profile.face.enabled else None, info=info,
                           context=context, on_shutdown=hardware.close)
    return make_session, options


def run(args: argparse.Namespace) -> int:
    try:
        from ui.app import run_app
    except ImportError as exc:
        raise UsageError(f"the kiosk screen needs PySide6 ({exc}); pip install PySide6-Essentials") from exc
    make_session, options = build(args)
    return run_app(make_session, options, fullscreen=args.fullscreen)
