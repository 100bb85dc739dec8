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


# --- building chip-like pair sets from ordinary photos ------------------------------------------


def person_of(path: str | os.PathLike[str]) -> str:
    """Identity from a file name: ``obama_4_small.jpg`` -> ``obama``; ``rose_leslie_2.jpg`` -> ``rose_leslie``."""
    stem = Path(path).stem.lower()
    return re.split(r"_\d+", stem, maxsplit=1)[0]


def camera_like(rgb: np.ndarray, rng: random.Random, max_side: int = 960) -> np.ndarray:
    """A live-camera-like variant: resized to <= ``max_side`` px, exposure and white balance shifted,
    slightly rotated and blurred, sensor noise, JPEG-compressed."""
    h, w = rgb.shape[:2]
    f = min(1.0, max_side / max(h, w)) * rng.uniform(0.75, 1.0)
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
