"""Calibration and evaluation: pair lists, FAR/FRR/EER, and chip-like pair sets built from photos."""

from __future__ import annotations

import csv
import os
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from biometrics.engine import FaceEngine
from biometrics.errors import BiometricsError
from biometrics.frames import IMAGE_SUFFIXES
from biometrics.portrait import make_chip_like, read_image_rgb

YES = {"yes", "y", "1", "true", "genuine"}
NO = {"no", "n", "0", "false", "different", "impostor"}


@dataclass(frozen=True)
class Pair:
    portrait: str
    live: str
    same: bool | None  # None when the row gives no label


def read_pairs_csv(path: str | os.PathLike[str]) -> list[Pair]:
    """Rows ``portrait,live[,same]`` (same = yes/no); relative paths are taken from the CSV's folder.
    A first row whose third field is not yes/no (a header) is skipped. Raises ValueError on a bad row."""
    base = Path(path).parent
    pairs: list[Pair] = []
    with open(path, newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.reader(fh), start=1):
            row = [c.strip() for c in row]
            if not row or not any(row) or row[0].startswith("#"):
                continue
            if len(row) < 2:
                raise ValueError(f"line {n}: expected portrait,live[,same]")
            label: bool | None = None
            if len(row) >= 3 and row[2]:
                word = row[2].lower()
                if word in YES:
                    label = True
                elif word in NO:
                    label = False
                elif n == 1:
                    continue  # header
                else:
                    raise ValueError(f"line {n}: same must be yes or no, not {row[2]!r}")
            elif n == 1 and row[0].lower() == "portrait":
                continue
            p, q = (str(c if Path(c).is_absolute() else base / c) for c in row[:2])
            pairs.append(Pair(p, q, label))
    return pairs


def error_rates(genuine: Sequence[float], impostor: Sequence[float], threshold: float) -> tuple[float, float]:
    """(FAR, FRR) at ``threshold``: a pair is accepted when its distance is <= threshold."""
    g = np.asarray(genuine, dtype=float)
    i = np.asarray(impostor, dtype=float)
    far = float(np.mean(i <= threshold)) if i.size else float("nan")
    frr = float(np.mean(g > threshold)) if g.size else float("nan")
    return far, frr


def equal_error_rate(genuine: Sequence[float], impostor: Sequence[float]) -> tuple[float, float]:
    """(EER, threshold at which FAR and FRR are closest). With separable data the EER is 0 and the
    threshold is the midpoint of the gap."""
    g = np.sort(np.asarray(genuine, dtype=float))
    i = np.sort(np.asarray(impostor, dtype=float))
    if not g.size or not i.size:
        return float("nan"), float("nan")
    if g[-1] < i[0]:
        return 0.0, float((g[-1] + i[0]) / 2)
    best = (2.0, 0.0, 0.0)
    for t in np.unique(np.concatenate([g, i])):
        far, frr = error_rates(g, i, t)
        gap = abs(far - frr)
        if gap < best[0]:
            best = (gap, (far + frr) / 2, float(t))
    return best[1], best[2]


def distribution(values: Sequence[float]) -> dict[str, float | int]:
    v = np.asarray(values, dtype=float)
    if not v.size:
        return {"n": 0}
    pct = np.percentile(v, [5, 50, 95])
    return {"n": int(v.size), "min": round(float(v.min()), 4), "p5": round(float(pct[0]), 4),
            "median": round(float(pct[1]), 4), "p95": round(float(pct[2]), 4), "max": round(float(v.max()), 4)}


def upper_bound_95(errors: int, trials: int) -> float:
    """One-sided 95% upper bound on an error rate (rule of three when there is no error)."""
    if trials == 0:
        return float("nan")
    if errors == 0:
        return 3.0 / trials
    p = errors / trials
    return min(1.0, p + 1.645 * float(np.sqrt(p * (1 - p) / trials)))


# --- building chip-like pair sets from ordinary photos ------------------------------------------


def person_of(path: str | os.PathLike[str]) -> str:
    """Identity from a file name: ``obama_4_small.jpg`` -> ``obama``; ``rose_leslie_2.jpg`` -> ``rose_leslie``."""
    stem = Path(path).stem.lower()
    return re.split(r"_\d+", stem, maxsplit=1)[0]


def camera_like(rgb: np.ndarray, rng: random.Random) -> np.ndarray:
    """A live-camera-like variant: resized to <= 960 px, exposure and white balance shifted, slightly
    rotated and blurred, sensor noise, JPEG-compressed."""
    h, w = rgb.shape[:2]
    f = min(1.0, 960.0 / max(h, w)) * rng.uniform(0.75, 1.0)
    img = cv2.resize(rgb, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    img = img.astype(np.float32)
    img = img * np.array([rng.uniform(0.9, 1.1) for _ in range(3)], np.float32) * rng.uniform(0.75, 1.2)
    img += rng.uniform(-15, 15)
    ang = rng.uniform(-8, 8)
    m = cv2.getRotationMatrix2D((img.shape[1] / 2, img.shape[0] / 2), ang, 1.0)
    img = cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT)
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.0))
    nrng = np.random.default_rng(rng.randrange(2**32))
    img += nrng.normal(0, rng.uniform(2, 6), img.shape).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    quality = [cv2.IMWRITE_JPEG_QUALITY, rng.randint(60, 85)]
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), quality)
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def build_pairs(photos: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, variants: int = 2,
                seed: int = 0, engine: FaceEngine | None = None,
                exclude: Sequence[str] = ("group",)) -> tuple[Path, dict[str, int]]:
    """From a folder of photos named ``person_N.ext``: a chip-like JP2 portrait of each photo, ``variants``
    camera-like versions of each photo, and ``pairs.csv`` with every (portrait, live) combination except a
    portrait against its own source photo. Returns the CSV's path and counts."""
    engine = engine or FaceEngine.default()
    rng = random.Random(seed)
    out = Path(out_dir)
    (out / "chip").mkdir(parents=True, exist_ok=True)
    (out / "live").mkdir(parents=True, exist_ok=True)
    srcs = sorted(p for p in Path(photos).iterdir()
                  if p.suffix.lower() in IMAGE_SUFFIXES and not any(x in p.name for x in exclude))
    chips: list[tuple[str, Path]] = []
    lives: list[tuple[str, Path, str]] = []
    skipped = 0
    for src in srcs:
        rgb = read_image_rgb(src)
        who = person_of(src)
        try:
            data = make_chip_like(rgb, engine)
        except BiometricsError:
            skipped += 1
            continue
        chip = out / "chip" / f"{src.stem}.jp2"
        chip.write_bytes(data)
        chips.append((who, chip))
        for k in range(variants + 1):
            img = rgb if k == 0 else camera_like(rgb, rng)
            live = out / "live" / f"{src.stem}_v{k}.jpg"
            cv2.imwrite(str(live), cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2BGR))
            lives.append((who, live, src.stem))
    counts = {"genuine": 0, "impostor": 0, "portraits": len(chips), "lives": len(lives), "skipped": skipped}
    csv_path = out / "pairs.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["portrait", "live", "same"])
        for who, chip in chips:
            for other, live, stem in lives:
                if stem == chip.stem:
                    continue  # same source photo: too easy to count as genuine
                same = who == other
                counts["genuine" if same else "impostor"] += 1
                w.writerow([os.path.relpath(chip, out), os.path.relpath(live, out), "yes" if same else "no"])
    return csv_path, counts
