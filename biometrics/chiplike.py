"""A chip-like evaluation set built in memory from ordinary photos (and a video) of a few people.

The independent set a kiosk should be calibrated on pairs a real chip portrait with webcam frames taken
years later. Without one, this is the most honest imitation we can make from ``../shared/faces``:

- **portrait**: one photo of a person, ICAO-cropped to 240×320 and encoded as JPEG 2000 at about 10 KB;
- **live attempt**: a *different* photo of the same person (never the portrait's own photo), turned into
  ``frames`` webcam-like frames (480–640 px, exposure, white balance, small rotation, blur, noise, JPEG)
  with independent degradations; or a run of consecutive frames of a real video;
- **impostor**: every portrait against every other person's attempts.

What it is not: the photos of one person were not taken years apart, the webcam degradation is
synthesised, the frames of one attempt come from one photo (so they are more alike than a real camera's),
and the people are few and mostly Western.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from biometrics.engine import FaceEngine
from biometrics.errors import BiometricsError
from biometrics.evaluation import camera_like, person_of
from biometrics.frames import IMAGE_SUFFIXES, Frame, VideoFileSource
from biometrics.portrait import make_chip_like, read_image_rgb

CHIP_LIKE_BYTES = 10_000
WEBCAM_SIDE = 640


@dataclass(frozen=True, eq=False)
class Attempt:
    """One live attempt: the frames a camera would give for one person at one time."""

    name: str
    person: str
    frames: tuple[Frame, ...] = field(repr=False)
    source: str  # the photo or video it comes from (a portrait is never paired with its own source)


@dataclass(frozen=True, eq=False)
class ChipLikeSet:
    name: str
    portraits: dict[str, bytes] = field(repr=False)  # source name -> JP2 bytes
    people: dict[str, str]  # portrait source name -> person
    attempts: tuple[Attempt, ...]
    skipped: tuple[str, ...] = ()

    def pairs(self) -> Iterator[tuple[str, Attempt, bool]]:
        """(portrait name, attempt, same person) for every portrait and every attempt of another source."""
        for portrait, person in self.people.items():
            for attempt in self.attempts:
                if attempt.source != portrait:
                    yield portrait, attempt, attempt.person == person


def _photos(folder: Path, exclude: Sequence[str]) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in IMAGE_SUFFIXES and not any(x in p.name for x in exclude))


def _portraits(photos: list[Path], engine: FaceEngine) -> tuple[dict[str, bytes], dict[str, str], list[str]]:
    portraits, people, skipped = {}, {}, []
    for src in photos:
        try:
            portraits[src.stem] = make_chip_like(read_image_rgb(src), engine, target_bytes=CHIP_LIKE_BYTES)
        except BiometricsError:
            skipped.append(src.name)
            continue
        people[src.stem] = person_of(src)
    return portraits, people, skipped


def photo_set(folder: str | Path, engine: FaceEngine, *, frames: int = 5, seed: int = 0,
              exclude: Sequence[str] = ("group",)) -> ChipLikeSet:
    """Portraits and webcam-like attempts from a folder of photos named ``person_N.ext``."""
    rng = random.Random(seed)
    photos = _photos(Path(folder), exclude)
    portraits, people, skipped = _portraits(photos, engine)
    attempts = []
    for src in photos:
        rgb = read_image_rgb(src)
        shots = tuple(Frame(camera_like(rgb, rng, WEBCAM_SIDE), k, k / 10.0) for k in range(frames))
        attempts.append(Attempt(src.stem, person_of(src), shots, src.stem))
    return ChipLikeSet("photos", portraits, people, tuple(attempts), tuple(skipped))


def video_set(folder: str | Path, video: str | Path, person: str, engine: FaceEngine, *,
              frame_range: tuple[int, int], frames: int = 8, step: int = 3,
              exclude: Sequence[str] = ("group",)) -> ChipLikeSet:
    """Every photo's portrait against runs of ``frames`` consecutive video frames (every ``step``-th) in
    ``frame_range``, all labelled as ``person`` (the caller knows who is in front of the camera there)."""
    portraits, people, skipped = _portraits(_photos(Path(folder), exclude), engine)
    start, end = frame_range
    with VideoFileSource(video, step=step) as source:
        shots = [f for f in source if start <= f.index < end]
    attempts = tuple(
        Attempt(f"{Path(video).stem}@{shots[i].index}", person, tuple(shots[i:i + frames]), Path(video).stem)
        for i in range(0, len(shots) - frames + 1, frames)
    )
    return ChipLikeSet("video", portraits, people, attempts, tuple(skipped))
