"""``python -m kiosk demo``: the kiosk's main job on the built-in virtual card, no hardware needed.

Reads the virtual CCCD (PACE, every data group, Active Authentication) over a modelled 424 kbit/s link,
then matches its portrait with the camera: the built-in demo face unless ``--camera`` names a camera
index, a video or an image folder. Exit status 0 when the chip and the face both check out, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import time

from biometrics.errors import BiometricsError, FrameSourceError, NoUsableFace
from biometrics.frames import ArraySource, open_source
from biometrics.matcher import Matcher
from biometrics.portrait import decode_portrait, demo_face_rgb
from kiosk.errors import UsageError
from kiosk.messages import message
from kiosk.simulator import demo_card
from nfc.document import read_document
from nfc.reader import ChipSession
from nfc.sim.link import SimulatedReader
from nfc.transport import InProcessConnection

DEMO_FRAMES = 8


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="one check-in on the virtual card and the demo face")
    parser.add_argument("--camera", metavar="INDEX|FILE|FOLDER",
                        help="live frames from a camera, video or image folder (default: the demo face)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def _camera(spec: str | None):
    if spec is None:
        return ArraySource([demo_face_rgb()], repeat=DEMO_FRAMES)
    try:
        return open_source(spec, max_frames=DEMO_FRAMES)
    except FrameSourceError as exc:
        raise UsageError(f"--camera {spec}: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    camera = _camera(args.camera)
    demo = demo_card()
    reader = SimulatedReader(demo.card)
    start = time.perf_counter()
    data = read_document(ChipSession(InProcessConnection(reader)), demo.key)
    chip_s = time.perf_counter() - start
    result = {"chip": {"access": data.access, "apdu_count": data.stats.apdu_count,
                       "modelled_link_s": round(reader.modelled_s, 3), "wall_s": round(chip_s, 3),
                       "passive_authentication": data.passive_authentication.status,
                       "active_authentication": data.active_authentication.status}}
    try:
        start = time.perf_counter()
        matcher = Matcher()
        models_s = time.perf_counter() - start
        verdict = matcher.decide(decode_portrait(data.portrait.image), camera.frames())
        result["face"] = {**verdict.as_dict(), "models_load_s": round(models_s, 3)}
        face_ok = verdict.match
    except NoUsableFace as exc:
        result["face"] = {"match": False, "reason": exc.reason, "where": exc.where, "message_key": exc.message_key}
        face_ok = False
    except BiometricsError as exc:
        result["face"] = {"match": False, "error": str(exc), "message_key": exc.message_key}
        face_ok = False
    ok = face_ok and not data.active_authentication.failed and not data.passive_authentication.failed
    result["verified"] = ok
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print(data.citizen.full_name if data.citizen else "", result)
    return 0 if ok else 1


def _print(name: str, result: dict) -> None:
    chip, face = result["chip"], result["face"]
    print("Thẻ ảo CCCD / virtual CCCD (demo, fictional citizen)")
    print(f"  Đọc chip / chip read: {chip['access']}, {chip['apdu_count']} APDU, "
          f"{chip['modelled_link_s']} s on a 424 kbit/s link ({chip['wall_s']} s of computing here)")
    print(f"  Xác thực chủ động / Active Authentication: {chip['active_authentication']}")
    print(f"  Xác thực thụ động / Passive Authentication: {chip['passive_authentication']}")
    if "distance" in face:
        print(f"  Khuôn mặt / face: {'khớp / match' if face['match'] else 'không khớp / no match'}, "
              f"distance {face['distance']} (threshold {face['threshold']}), {face['elapsed_s']} s "
              f"(+{face['models_load_s']} s loading models once)")
    else:
        text = message(face.get("message_key", "face.error"))
        print(f"  Khuôn mặt / face: {text.vi} / {text.en}")
    if result["verified"]:
        print(f"Đã xác minh / verified: {name}")
    else:
        print("Chưa xác minh / not verified: vui lòng gặp nhân viên / please see a staff member")
