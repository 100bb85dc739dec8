"""Measuring liveness: APCER on synthesised attacks and BPCER on genuine presentations, per species.

Attack species (ISO/IEC 30107-3 terms: APCER is the share of attack presentations accepted, BPCER the
share of genuine presentations refused):

- ``replay_of_an_answer``: a recording of the synthetic head answering one random challenge, replayed
  against another (an attacker who filmed the owner at an earlier check-in);
- ``screen_replay_video``: the real video clip (a person moving naturally) shown on a phone screen held in
  front of the camera, against random challenges;
- ``photo_on_cue``: a printed photo, flat or bent, turned left or right on each prompt;
- ``photo_moved``: a printed photo tilted, bent, rolled or drifting, not following the prompts.

Genuine: ``head_answering`` is the synthetic 3D head answering its own challenge in time (a stand-in for a
person, not a measurement of people); ``video_head_turns`` runs the planar-motion test alone on the real
video wherever the person's head turns by ``min_turn`` (how often a real 3D face is called flat).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from biometrics import synth
from biometrics.engine import FaceEngine
from biometrics.errors import NoUsableFace
from biometrics.faces import FaceObservation, find_main_face
from biometrics.frames import ArraySource, Frame, VideoFileSource
from biometrics.liveness import LivenessChecker, plan_challenge, planar_residual
from biometrics.quality import pose
from biometrics.rates import clopper_pearson

CROP_PX = 300
ATTACKS = ("replay_of_an_answer", "screen_replay_video", "photo_on_cue", "photo_moved")
GENUINE = ("head_answering", "video_head_turns")


@dataclass(frozen=True)
class Trial:
    species: str
    source: str
    passed: bool
    reason: str
    planar_residual: float = 0.0


def face_crop(engine: FaceEngine, rgb: np.ndarray) -> tuple[np.ndarray, FaceObservation] | None:
    """A square head-and-shoulders crop of the main face, ``CROP_PX`` wide, with its observation."""
    try:
        obs = find_main_face(engine, rgb, allow_several=True, small_faces=False)
    except NoUsableFace:
        return None
    d = obs.detection
    side = int(3.2 * d.height)
    cx, cy = (d.left + d.right) // 2, (d.top + d.bottom) // 2 + d.height // 4
    pad = side
    big = cv2.copyMakeBorder(np.ascontiguousarray(rgb), pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    crop = big[cy - side // 2 + pad: cy + side // 2 + pad, cx - side // 2 + pad: cx + side // 2 + pad]
    crop = np.ascontiguousarray(cv2.resize(crop, (CROP_PX, CROP_PX), interpolation=cv2.INTER_AREA))
    try:
        return crop, find_main_face(engine, crop, allow_several=True, small_faces=False)
    except NoUsableFace:
        return None


def _video_frames(video: Path, start: int, end: int, step: int) -> list[Frame]:
    with VideoFileSource(video, step=step) as source:
        return [f for f in source if start <= f.index < end]


def _retimed(frames: Sequence[np.ndarray], fps: float) -> list[Frame]:
    return list(ArraySource(frames, fps=fps).frames())


def video_head_turns(engine: FaceEngine, frames: Sequence[Frame], checker: LivenessChecker) -> list[Trial]:
    """The planar test on every stretch of the real video where the head turns by ``min_turn``."""
    yaws: list[float | None] = []
    boxes = []
    for f in frames:
        try:
            obs = find_main_face(engine, f.rgb, allow_several=True, small_faces=False)
        except NoUsableFace:
            yaws.append(None)
            boxes.append(None)
            continue
        yaws.append(pose(obs.landmarks)[0])
        boxes.append(obs.detection.css)
    trials, i = [], 0
    cfg = checker.config
    while i < len(frames):
        if yaws[i] is None:
            i += 1
            continue
        j = next((k for k in range(i + 1, min(i + 12, len(frames)))
                  if yaws[k] is not None and abs(yaws[k] - yaws[i]) >= cfg.min_turn), None)
        if j is None:
            i += 1
            continue
        resid = planar_residual([f.rgb for f in frames[i:j + 1]], boxes[i], j - i, cfg.min_points)
        passed = resid is not None and resid >= cfg.planar_residual
        reason = "tracking_lost" if resid is None else ("ok" if passed else "planar_motion")
        trials.append(Trial("video_head_turns", f"frames {frames[i].index}-{frames[j].index}", passed, reason,
                            round(resid or 0.0, 4)))
        i = j + 1
    return trials


def evaluate(engine: FaceEngine, photos: Sequence[np.ndarray], *, video: Path | None = None,
             video_range: tuple[int, int] = (84, 220), seed: int = 0, fps: float = 6.0,
             names: Sequence[str] | None = None) -> list[Trial]:
    """Every species on every usable photo (and the video when given)."""
    rng = random.Random(seed)
    checker = LivenessChecker(engine)
    trials: list[Trial] = []
    names = list(names or [f"photo{k}" for k in range(len(photos))])

    def run(species: str, source: str, frames, plan) -> None:
        r = checker.check(frames, plan)
        trials.append(Trial(species, source, r.passed, r.reason.value, round(r.planar_residual, 4)))

    for name, rgb in zip(names, photos, strict=True):
        got = face_crop(engine, rgb)
        if got is None:
            continue
        crop, obs = got
        plan, other = plan_challenge(rng), plan_challenge(rng)
        head = (crop, obs.landmarks, obs.detection.css)
        run("head_answering", name, synth.answering_head(*head, plan, fps=fps), plan)
        run("replay_of_an_answer", name, synth.answering_head(*head, other, fps=fps), plan)
        for kw in ({}, {"bend": 1.0}, {"pitch": -0.25, "bend": 1.5}):
            run("photo_on_cue", f"{name} {kw or 'flat'}", synth.answering_photo(crop, plan, fps=fps, **kw), plan)
        moved = synth.attack_grid(crop, rng)
        for label, frames in (moved[k] for k in rng.sample(range(len(moved)), 1)):
            run("photo_moved", f"{name} {label}", _retimed(frames, fps / 2), plan_challenge(rng))
    if video is not None and video.is_file():
        clip = _video_frames(video, *video_range, step=3)
        trials += video_head_turns(engine, clip, checker)
        shown = synth.screen_replay([f.rgb for f in clip], rng)
        replay = [Frame(im, f.index, f.timestamp_s - clip[0].timestamp_s) for im, f in zip(shown, clip, strict=True)]
        for k in range(6):
            run("screen_replay_video", f"{video.name} #{k}", replay, plan_challenge(rng))
    return trials


def summarise(trials: Sequence[Trial]) -> dict[str, dict[str, object]]:
    """Per species: presentations, accepted (attacks: APCER) or refused (genuine: BPCER), the 95% CI and
    the reasons seen."""
    out: dict[str, dict[str, object]] = {}
    for species in (*ATTACKS, *GENUINE):
        rows = [t for t in trials if t.species == species]
        if not rows:
            continue
        attack = species in ATTACKS
        errors = sum(1 for t in rows if t.passed == attack)
        reasons: dict[str, int] = {}
        for t in rows:
            reasons[t.reason] = reasons.get(t.reason, 0) + 1
        out[species] = {"kind": "attack" if attack else "genuine", "presentations": len(rows),
                        "errors": errors, "rate": errors / len(rows),
                        "ci95": [round(x, 4) for x in clopper_pearson(errors, len(rows))],
                        "reasons": dict(sorted(reasons.items()))}
    return out


def apcer_bpcer(summary: dict[str, dict[str, object]]) -> tuple[float, float]:
    """The worst species' APCER (ISO/IEC 30107-3 reports the maximum over species) and the synthetic
    genuine BPCER."""
    apcer = max((float(v["rate"]) for v in summary.values() if v["kind"] == "attack"), default=float("nan"))
    genuine = summary.get("head_answering")
    return apcer, float(genuine["rate"]) if genuine else float("nan")



