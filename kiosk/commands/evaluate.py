"""``python -m kiosk evaluate``: the face matcher's banded rates, the calibration report, and liveness.

    python -m kiosk evaluate --pairs FILE.csv [--json] [--threshold T] [--refer-threshold T]
        rows portrait,live,same (same = yes/no); prints per-pair decisions, the genuine and impostor
        distance distributions, how many pairs fall in each band, FRR (refer counted) and FAR with exact
        95% intervals, and the EER.
    python -m kiosk evaluate --calibration-report docs/face-calibration.md --faces DIR [--video FILE
            --video-person NAME --video-frames START:END] [--no-liveness]
        builds the chip-like sets in memory, measures each change and liveness, and writes the report.
    python -m kiosk evaluate --liveness --faces DIR [--video FILE --video-frames START:END] [--json]
        APCER per attack species and BPCER, on attacks synthesised from the photos (and the video).
    python -m kiosk evaluate --make-chip-like PHOTO --out PORTRAIT.jp2
        an ICAO-style crop, <= 240x320, JPEG 2000 at 8-20 KB, as a chip's DG2 would hold.
    python -m kiosk evaluate --build-pairs PHOTO_DIR --out DIR [--variants N]
        chip-like portraits and camera-like live variants of photos named person_N.jpg, and DIR/pairs.csv.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.cli import error_line
from kiosk.commands.arguments import check_camera, integer
from kiosk.commands.verify import EXIT_MODELS
from kiosk.errors import UsageError
from kiosk.files import readable_file, readable_tree, writable_file, writable_folder


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure FAR/FRR/EER on labelled pairs; make chip-like portraits")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--pairs", help="CSV of portrait,live,same rows")
    mode.add_argument("--make-chip-like", metavar="PHOTO", help="write a chip-like JPEG 2000 portrait")
    mode.add_argument("--build-pairs", metavar="PHOTO_DIR", help="build a chip-like pair set from photos")
    mode.add_argument("--calibration-report", metavar="FILE.md", help="measure and write the calibration report")
    mode.add_argument("--liveness", action="store_true", help="APCER/BPCER of the liveness check")
    p.add_argument("--faces", help="folder of photos named person_N.jpg (--calibration-report, --liveness)")
    p.add_argument("--video", help="a video of one person (--calibration-report, --liveness)")
    p.add_argument("--video-person", help="who is in the video, as in the photo names (e.g. lin_manuel_miranda)")
    p.add_argument("--video-frames", default="0:100000", help="START:END frames of the video to use")
    p.add_argument("--no-liveness", action="store_true", help="leave liveness out of the report")
    p.add_argument("--out", help="output file (--make-chip-like) or folder (--build-pairs)")
    p.add_argument("--variants", type=integer(1, 100), default=2, help="camera-like variants per photo (--build-pairs)")
    p.add_argument("--threshold", type=float, help="accept at or below this distance (default: the calibrated one)")
    p.add_argument("--refer-threshold", type=float, help="refer up to this distance (default: the calibrated one)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _evaluate(matcher, pairs) -> dict[str, Any]:
    from biometrics import errors
    from biometrics.portrait import load_portrait, read_image_rgb
    from biometrics.rates import banded, distribution, equal_error_rate

    templates: dict[str, Any] = {}
    samples: dict[str, Any] = {}

    def cached(cache: dict[str, Any], key: str, make) -> Any:
        if key not in cache:
            try:
                cache[key] = make()
            except (errors.NoUsableFace, errors.PortraitUndecodable, errors.ImageUndecodable) as exc:
                cache[key] = exc
        return cache[key]

    rows = []
    genuine: list[float] = []
    impostor: list[float] = []
    fta = {"genuine": 0, "impostor": 0}
    for pair in pairs:
        if pair.same is None:
            raise UsageError(f"pair {pair.portrait},{pair.live} has no same=yes/no label")
        kind = "genuine" if pair.same else "impostor"
        tpl = cached(templates, pair.portrait, lambda p=pair.portrait: matcher.enroll(load_portrait(p)))
        smp = cached(samples, pair.live, lambda p=pair.live: matcher.observe(read_image_rgb(p)))
        bad = tpl if isinstance(tpl, Exception) else smp if isinstance(smp, Exception) else None
        if bad is not None:
            fta[kind] += 1
            reason = getattr(bad, "reason", "undecodable")
            rows.append({"portrait": pair.portrait, "live": pair.live, "same": pair.same, "status": 5,
                         "reason": reason, "where": getattr(bad, "where", bad.step)})
            continue
        v = matcher.compare(tpl, smp)
        (genuine if pair.same else impostor).append(v.distance)
        rows.append({"portrait": pair.portrait, "live": pair.live, "same": pair.same,
                     "decision": v.decision.value, "match": v.match, "distance": round(v.distance, 4),
                     "correct": v.match == pair.same})
    rates = banded(genuine, impostor, matcher.bands, fta["genuine"], fta["impostor"])
    eer, eer_thr = equal_error_rate(genuine, impostor)
    return {
        "bands": {"match_max": matcher.bands.match_max, "refer_max": matcher.bands.refer_max},
        "pairs": {"genuine": len(genuine), "impostor": len(impostor), "failed_to_acquire": fta},
        **rates.as_dict(),
        "eer": eer, "eer_threshold": eer_thr,
        "distances": {"genuine": distribution(genuine), "impostor": distribution(impostor)},
        "results": rows,
    }


def _print_report(r: dict[str, Any]) -> None:
    for row in r["results"]:
        if row["status"] == 5:
            print(f"  FTA      {row['portrait']} | {row['live']}: {row['where']} {row['reason']}")
        else:
            mark = "ok " if row["correct"] else "ERR"
            kind = "gen" if row["same"] else "imp"
            print(f"  {mark} {kind} {row['decision']:<8} {row['distance']:.4f} {row['portrait']} | {row['live']}")
    p = r["pairs"]
    print(f"pairs: {p['genuine']} genuine, {p['impostor']} impostor, failed to acquire {p['failed_to_acquire']}")
    for kind in ("genuine", "impostor"):
        d = r["distances"][kind]
        if d["n"]:
            print(f"{kind:9s} distance: min {d['min']:.3f} p5 {d['p5']:.3f} median {d['median']:.3f} "
                  f"p95 {d['p95']:.3f} max {d['max']:.3f}")
    g, i = r["genuine"], r["impostor"]
    print(f"bands: match <= {r['match_max']:.3f} < refer <= {r['refer_max']:.3f} < no_match")
    print(f"  genuine:  {g['match']} match, {g['refer']} refer, {g['no_match']} no_match, "
          f"{g['no_usable_face']} no usable face")
    print(f"  impostor: {i['match']} match, {i['refer']} refer, {i['no_match']} no_match, "
          f"{i['no_usable_face']} no usable face")
    lo, hi = r["frr_ci95"]
    print(f"FRR (refer and no usable face count against it) {r['frr']:.2%} (95% CI {lo:.2%}-{hi:.2%}), "
          f"of which referred {r['genuine_refer_rate']:.2%}")
    lo, hi = r["far_ci95"]
    print(f"FAR (accepted impostors) {r['far']:.2%} (95% CI {lo:.2%}-{hi:.2%})")
    print(f"EER {r['eer']:.2%} at threshold {r['eer_threshold']:.3f}")


def _frames_range(spec: str) -> tuple[int, int]:
    try:
        start, end = (int(x) for x in spec.split(":"))
    except ValueError as exc:
        raise UsageError(f"--video-frames {spec}: expected START:END") from exc
    if not 0 <= start < end:
        raise UsageError(f"--video-frames {spec}: expected 0 <= START < END")
    return start, end


def _inputs(args: argparse.Namespace) -> tuple[Path, Path | None]:
    if not args.faces or not Path(args.faces).is_dir():
        raise UsageError("--faces DIR (a folder of photos named person_N.jpg) is required")
    readable_tree(args.faces, "--faces")
    video = readable_file(args.video, "--video") if args.video else None
    if video is not None:
        check_camera(str(video), "--video")  # opened and a first frame read before minutes of work
    return Path(args.faces), video


def _liveness(args: argparse.Namespace, faces: Path, video: Path | None) -> dict[str, Any]:
    from biometrics import pad_eval
    from biometrics.engine import FaceEngine
    from biometrics.frames import IMAGE_SUFFIXES
    from biometrics.portrait import demo_face_rgb, read_image_rgb

    names = sorted(p.name for p in faces.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and "group" not in p.name
                   and p.stem.endswith("_1"))  # one photo a person
    photos = [demo_face_rgb()] + [read_image_rgb(faces / n) for n in names]
    trials = pad_eval.evaluate(FaceEngine.default(), photos, video=video,
                               video_range=_frames_range(args.video_frames), names=["astronaut", *names])
    return pad_eval.summarise(trials)


def _shown(path: Path) -> str:
    """A path as the report shows it: the team's photos as they lie beside a checkout (``../shared/faces``)."""
    parts = path.resolve().parts
    if "shared" in parts:
        return str(Path("..", *parts[parts.index("shared"):]))
    return str(path)


def _calibration_report(args: argparse.Namespace) -> int:
    import shlex

    from biometrics.calibration import run_all
    from biometrics.chiplike import photo_set, video_set
    from biometrics.engine import FaceEngine
    from biometrics.matcher import Matcher
    from kiosk.commands.face_report import render

    writable_file(args.calibration_report, "--calibration-report")  # before minutes of measuring, not after
    faces, video = _inputs(args)
    if video is not None and not args.video_person:
        raise UsageError("--video needs --video-person NAME")
    engine = FaceEngine.default()
    sets = [photo_set(faces, engine)]
    described = {"photos": (f"every photo of `{_shown(faces)}/` (group photos left out) as a chip portrait (ICAO crop "
                            "240×320, JPEG 2000 ~10 KB) against 5 webcam-like frames (480–640 px, exposure, white "
                            "balance, rotation, blur, noise, JPEG) of each *other* photo; genuine when the "
                            "person is the same")}
    if video is not None:
        start, end = _frames_range(args.video_frames)
        sets.append(video_set(faces, video, args.video_person, engine, frame_range=(start, end), frames=5))
        described["video"] = (f"every chip portrait against runs of 5 consecutive frames (every 3rd) of "
                              f"`{video.name}` frames {start}–{end}, a real camera recording of "
                              f"{args.video_person} (genuine for his portrait, impostor for the others)")
    results = run_all(sets, Matcher(engine))
    from biometrics.decision import DecisionBands

    summaries = [r.summary(DecisionBands()) for r in results]
    pad = None if args.no_liveness else _liveness(args, faces, video)
    command = "python -m kiosk evaluate " + " ".join(
        shlex.quote(a) for a in (["--calibration-report", args.calibration_report, "--faces", _shown(faces)]
                                 + (["--video", _shown(video), "--video-person", args.video_person, "--video-frames",
                                     args.video_frames] if video else [])))
    Path(args.calibration_report).write_text(render(summaries, pad, command=command, sets=described),
                                             encoding="utf-8")
    print(f"{args.calibration_report}: written")
    return 0


def run(args: argparse.Namespace) -> int:
    from biometrics.errors import BiometricsError, ModelsUnavailable

    try:
        if args.calibration_report:
            return _calibration_report(args)
        if args.liveness:
            summary = _liveness(args, *_inputs(args))
            if args.json:
                print(json.dumps(summary))
            else:
                for species, v in summary.items():
                    word = "APCER" if v["kind"] == "attack" else "BPCER"
                    lo, hi = v["ci95"]
                    print(f"{species:<22} {word} {v['rate']:.1%} ({v['errors']}/{v['presentations']}, 95% CI "
                          f"{lo:.1%}-{hi:.1%})  {v['reasons']}")
            return 0
        if args.make_chip_like:
            from biometrics.portrait import make_chip_like, read_image_rgb

            if not args.out:
                raise UsageError("--make-chip-like needs --out FILE.jp2")
            readable_file(args.make_chip_like, "--make-chip-like")
            writable_file(args.out, "--out")
            try:
                data = make_chip_like(read_image_rgb(args.make_chip_like))
            except BiometricsError as exc:
                print(error_line(exc.message_key, exc.step, exc.detail or str(exc)), file=sys.stderr)
                return 5
            Path(args.out).write_bytes(data)
            print(json.dumps({"out": args.out, "bytes": len(data)}) if args.json else f"{args.out}: {len(data)} bytes")
            return 0
        if args.build_pairs:
            from biometrics.evaluation import build_pairs
            from biometrics.frames import IMAGE_SUFFIXES

            if not args.out:
                raise UsageError("--build-pairs needs --out DIR")
            if not Path(args.build_pairs).is_dir():
                raise UsageError(f"{args.build_pairs}: not a folder")
            readable_tree(args.build_pairs, "--build-pairs")
            if not any(p.suffix.lower() in IMAGE_SUFFIXES for p in Path(args.build_pairs).iterdir()):
                raise UsageError(f"--build-pairs {args.build_pairs}: the folder holds no photo")
            writable_folder(args.out, "--out")
            csv_path, counts = build_pairs(args.build_pairs, args.out, variants=args.variants)
            print(json.dumps({"pairs": str(csv_path), **counts}) if args.json else f"{csv_path}: {counts}")
            return 0
        from biometrics.evaluation import read_pairs_csv
        from kiosk.commands.verify import make_matcher

        try:
            pairs = read_pairs_csv(readable_file(args.pairs, "--pairs"))
        except (OSError, ValueError, csv.Error) as exc:  # csv.Error: a field over the size limit
            raise UsageError(f"--pairs: {exc}") from exc
        args.frames = None
        report = _evaluate(make_matcher(args), pairs)
    except ModelsUnavailable as exc:
        print(error_line(exc.message_key, exc.step, f"face models unavailable: {exc.detail}"), file=sys.stderr)
        return EXIT_MODELS
    except BiometricsError as exc:  # a photo or the video of --faces / --video that cannot be used
        raise UsageError(f"{exc.step}: {exc.detail or exc}") from exc
    if args.json:
        print(json.dumps(report))
    else:
        _print_report(report)
    return 0
