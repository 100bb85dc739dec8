"""``python -m kiosk evaluate``: FAR, FRR and EER of the face matcher on labelled pairs.

    python -m kiosk evaluate --pairs FILE.csv [--json] [--threshold T]
        rows portrait,live,same (same = yes/no); prints per-pair results, the genuine and impostor
        distance distributions, FAR/FRR at the threshold and the EER.
    python -m kiosk evaluate --make-chip-like PHOTO --out PORTRAIT.jp2
        an ICAO-style crop, <= 240x320, JPEG 2000 at 8-20 KB, as a chip's DG2 would hold.
    python -m kiosk evaluate --build-pairs PHOTO_DIR --out DIR [--variants N]
        chip-like portraits and camera-like live variants of photos named person_N.jpg, and DIR/pairs.csv.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.commands.verify import EXIT_MODELS
from kiosk.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure FAR/FRR/EER on labelled pairs; make chip-like portraits")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--pairs", help="CSV of portrait,live,same rows")
    mode.add_argument("--make-chip-like", metavar="PHOTO", help="write a chip-like JPEG 2000 portrait")
    mode.add_argument("--build-pairs", metavar="PHOTO_DIR", help="build a chip-like pair set from photos")
    p.add_argument("--out", help="output file (--make-chip-like) or folder (--build-pairs)")
    p.add_argument("--variants", type=int, default=2, help="camera-like variants per photo (--build-pairs)")
    p.add_argument("--threshold", type=float, help="decision threshold (default: the calibrated one)")
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


def run(args: argparse.Namespace) -> int:
    from biometrics.errors import BiometricsError, ModelsUnavailable

    try:
        if args.make_chip_like:
            from biometrics.portrait import make_chip_like, read_image_rgb

            if not args.out:
                raise UsageError("--make-chip-like needs --out FILE.jp2")
            if not Path(args.make_chip_like).is_file():
                raise UsageError(f"{args.make_chip_like}: no such file")
            try:
                data = make_chip_like(read_image_rgb(args.make_chip_like))
            except BiometricsError as exc:
                print(f"error: {exc.detail or exc}", file=sys.stderr)
                return 5
            Path(args.out).write_bytes(data)
            print(json.dumps({"out": args.out, "bytes": len(data)}) if args.json else f"{args.out}: {len(data)} bytes")
            return 0
        if args.build_pairs:
            from biometrics.evaluation import build_pairs

            if not args.out:
                raise UsageError("--build-pairs needs --out DIR")
            if not Path(args.build_pairs).is_dir():
                raise UsageError(f"{args.build_pairs}: not a folder")
            csv_path, counts = build_pairs(args.build_pairs, args.out, variants=args.variants)
            print(json.dumps({"pairs": str(csv_path), **counts}) if args.json else f"{csv_path}: {counts}")
            return 0
        from biometrics.evaluation import read_pairs_csv
        from kiosk.commands.verify import make_matcher

        try:
            pairs = read_pairs_csv(args.pairs)
        except (OSError, ValueError) as exc:
            raise UsageError(f"--pairs: {exc}") from exc
        args.frames = None
        report = _evaluate(make_matcher(args), pairs)
    except ModelsUnavailable as exc:
        print(f"error: face models unavailable: {exc.detail}", file=sys.stderr)
        return EXIT_MODELS
    if args.json:
        print(json.dumps(report))
    else:
        _print_report(report)
    return 0
