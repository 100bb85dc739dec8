"""``python -m kiosk bench face``: median time of a 1:1 face decision, of the multi-frame decision, and of
what is left after the chip read when the live frames were encoded during it (portrait and decision).

Uses the built-in demo face (scikit-image's astronaut): a chip-like JPEG 2000 portrait made from it, and
camera-like 640x480 live frames. Models are loaded once, before timing.
"""

from __future__ import annotations

import argparse
import json
import platform
import random

from kiosk.benchmarks import median_seconds
from kiosk.commands.arguments import integer

TARGET_ONE_S = 0.4
TARGET_STEP_S = 1.0


def register(targets: argparse._SubParsersAction) -> None:
    p = targets.add_parser("face", help="1:1 face decision and multi-frame decision times")
    p.add_argument("--repeat", type=integer(1, 10_000), default=9, help="timed runs per measure (median reported)")
    p.add_argument("--frames", type=integer(1, 1_000), default=8, help="live frames in the multi-frame decision")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _live_frames(n: int) -> list:
    import cv2
    import numpy as np

    from biometrics.evaluation import camera_like
    from biometrics.portrait import demo_face_rgb

    face = demo_face_rgb()
    canvas = np.full((480, 640, 3), 90, np.uint8)
    crop = face[0:300, 70:370]  # head and shoulders
    canvas[0:480, 80:560] = cv2.resize(crop, (480, 480))  # face about 140 px, as at a kiosk
    rng = random.Random(0)
    return [camera_like(canvas, rng) for _ in range(n)]


def run(args: argparse.Namespace) -> int:
    import os
    import time

    from biometrics.engine import FaceEngine
    from biometrics.frames import ArraySource
    from biometrics.matcher import Matcher
    from biometrics.portrait import decode_portrait, demo_face_rgb, make_chip_like

    t0 = time.perf_counter()
    engine = FaceEngine.default()
    load_s = time.perf_counter() - t0
    matcher = Matcher(engine)
    chip = make_chip_like(demo_face_rgb(), engine)
    frames = _live_frames(max(1, args.frames))
    one = frames[0]

    def one_to_one() -> None:
        v = matcher.decide(decode_portrait(chip), one)
        assert v.match

    def multi() -> None:
        v = matcher.decide(decode_portrait(chip), ArraySource(frames, fps=10.0))
        assert v.match

    one_to_one()
    multi()  # warm-up
    sample = matcher.observe(ArraySource(frames, fps=10.0))

    def after_read() -> None:
        v = matcher.compare(matcher.enroll(decode_portrait(chip)), sample)
        assert v.match

    one_s = median_seconds(one_to_one, args.repeat)
    multi_s = median_seconds(multi, args.repeat)
    after_s = median_seconds(after_read, args.repeat)
    out = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.processor() or platform.system()}",
        "model_load_s": round(load_s, 3),
        "one_to_one_median_s": round(one_s, 4),
        "multi_frame_median_s": round(multi_s, 4),
        "after_read_median_s": round(after_s, 4),
        "frames": len(frames),
        "repeat": args.repeat,
        "targets_s": {"one_to_one": TARGET_ONE_S, "face_step": TARGET_STEP_S},
        "meets_targets": one_s <= TARGET_ONE_S and multi_s <= TARGET_STEP_S,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"face models loaded in {load_s:.2f} s ({out['machine']})")
        print(f"1:1 decision (decode JP2 portrait, detect+encode both, decide): median {one_s:.3f} s "
              f"(target {TARGET_ONE_S} s)")
        print(f"multi-frame decision ({len(frames)} frames, top 3 fused): median {multi_s:.3f} s "
              f"(target {TARGET_STEP_S} s)")
        print(f"after the read (decode and encode the portrait, compare with frames encoded during the read): "
              f"median {after_s:.3f} s")
    return 0
