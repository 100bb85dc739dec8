"""``python -m kiosk verify``: chip portrait against a live image, video, image folder or camera.

The decision is banded: ``match`` (accept), ``refer`` (unsure: a person should compare the faces) or
``no_match``; ``--json`` prints ``decision``, and ``match`` is true only for an accept.
Exit status: 0 match, 1 no match, 6 refer, 2 usage error, 3 face models unavailable, 5 no usable face (the
reason is printed: none_found, several_faces, too_small, too_blurred, bad_exposure, not_frontal,
undecodable).
With ``--pairs FILE.csv`` every row ``portrait,live[,same]`` is decided in one process and printed as one
JSON object a line (exit 0 when every row ran, even if some did not match or had no usable face).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.cli import error_line
from kiosk.errors import UsageError
from kiosk.files import readable_file, readable_input

EXIT_MATCH, EXIT_NO_MATCH, EXIT_MODELS, EXIT_NO_FACE, EXIT_REFER = 0, 1, 3, 5, 6
VIDEO_STEP = 3  # take every 3rd video frame (~10 per second at 30 fps) to span the decision window


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="match a chip portrait against a live face")
    p.add_argument("--portrait", help="portrait file (JPEG, JPEG 2000 .jp2/.j2k, PNG)")
    p.add_argument("--live", help="live image, video file, image folder, or camera index")
    p.add_argument("--pairs", help="CSV of portrait,live[,same] rows: one JSON line per pair")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--threshold", type=float, help="accept at or below this distance (default: the calibrated one)")
    p.add_argument("--refer-threshold", type=float,
                   help="refer up to this distance, refuse above (default: the calibrated one; "
                        "equal to --threshold for no refer band)")
    p.add_argument("--frames", type=int, help="live frames examined (default 8)")
    p.set_defaults(func=run)


def make_matcher(args: argparse.Namespace):
    from dataclasses import replace

    from biometrics.decision import DecisionBands
    from biometrics.matcher import Matcher, MatcherConfig

    cfg = MatcherConfig()
    match_max = getattr(args, "threshold", None)
    refer_max = getattr(args, "refer_threshold", None)
    if match_max is not None or refer_max is not None:
        match_max = cfg.bands.match_max if match_max is None else match_max
        refer_max = max(cfg.bands.refer_max, match_max) if refer_max is None else refer_max
        try:
            cfg = replace(cfg, bands=DecisionBands(match_max, refer_max))
        except ValueError as exc:
            raise UsageError("--threshold and --refer-threshold must satisfy 0 < threshold <= refer threshold < 2"
                             ) from exc
    if getattr(args, "frames", None) is not None:
        if args.frames < 1:
            raise UsageError("--frames must be at least 1")
        cfg = replace(cfg, max_frames=args.frames)
    return Matcher(config=cfg)


def live_input(spec: str, max_frames: int):
    """Frames for ``--live``: a still image, a video (every VIDEO_STEP-th frame), a folder, a camera."""
    from biometrics.frames import IMAGE_SUFFIXES, ArraySource, VideoFileSource, open_source
    from biometrics.portrait import read_image_rgb

    path = Path(spec)
    if spec.isascii() and spec.isdigit():
        return open_source(spec, max_frames=max_frames)
    if not path.exists():
        raise UsageError(f"--live {spec}: no such file or folder")
    readable_input(path, "--live")
    if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
        return ArraySource([read_image_rgb(path)])
    if path.is_file():
        return VideoFileSource(path, max_frames=max_frames, step=VIDEO_STEP)
    return open_source(path, max_frames=max_frames)


def decide_one(matcher, portrait_path: str, live_spec: str) -> dict[str, Any]:
    """One decision as a JSON-able dict with ``status`` (0, 1, 5 or 6). Raises UsageError for missing files."""
    from biometrics import errors
    from biometrics.portrait import load_portrait

    if not Path(portrait_path).is_file():
        raise UsageError(f"--portrait {portrait_path}: no such file")
    try:
        portrait = load_portrait(portrait_path)
        source = live_input(live_spec, matcher.config.max_frames)
        with source:
            verdict = matcher.decide(portrait, source)
    except errors.NoUsableFace as exc:
        return {"status": EXIT_NO_FACE, "decision": None, "match": False, "reason": exc.reason, "where": exc.where,
                "message_key": exc.message_key, "detail": exc.detail}
    except (errors.PortraitUndecodable, errors.ImageUndecodable) as exc:
        where = "portrait" if isinstance(exc, errors.PortraitUndecodable) else "live"
        return {"status": EXIT_NO_FACE, "decision": None, "match": False, "reason": "undecodable", "where": where,
                "message_key": exc.message_key, "detail": exc.detail}
    except errors.FrameSourceError as exc:
        raise UsageError(f"--live {live_spec}: {exc.detail}") from exc
    out = verdict.as_dict()
    out["status"] = {"match": EXIT_MATCH, "refer": EXIT_REFER}.get(verdict.decision.value, EXIT_NO_MATCH)
    return out


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    elif result["status"] == EXIT_NO_FACE:
        print(f"no usable face in the {result['where']}: {result['reason']} ({result['detail']})")
    else:
        word = result["decision"].upper().replace("_", " ")
        q = result["quality"]
        print(f"{word}: distance {result['distance']:.3f} (accept <= {result['threshold']:.3f}, refer <= "
              f"{result['refer_threshold']:.3f}), "
              f"frames used {result['frames_used']}/{result['frames_seen']}, face {q['face_px']}px, "
              f"{result['elapsed_s']:.3f} s")


def run(args: argparse.Namespace) -> int:
    from biometrics.errors import ModelsUnavailable

    if args.pairs and (args.portrait or args.live):
        raise UsageError("give either --pairs or --portrait and --live")
    if not args.pairs and not (args.portrait and args.live):
        raise UsageError("--portrait and --live are required (or --pairs FILE.csv)")
    try:
        matcher = make_matcher(args)
    except ModelsUnavailable as exc:
        print(error_line(exc.message_key, exc.step, f"face models unavailable: {exc.detail}"), file=sys.stderr)
        return EXIT_MODELS
    if args.pairs:
        from biometrics.evaluation import read_pairs_csv

        try:
            pairs = read_pairs_csv(readable_file(args.pairs, "--pairs"))
        except (OSError, ValueError, csv.Error) as exc:  # csv.Error: a field over the size limit
            raise UsageError(f"--pairs: {exc}") from exc
        for pair in pairs:
            result = decide_one(matcher, pair.portrait, pair.live)
            result = {"portrait": pair.portrait, "live": pair.live, "same": pair.same, **result}
            print(json.dumps(result), flush=True)
        return 0
    result = decide_one(matcher, args.portrait, args.live)
    _print(result, args.json)
    return int(result["status"])
