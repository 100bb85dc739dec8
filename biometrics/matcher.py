"""1:1 decision: chip portrait against live frames, with a calibrated threshold.

    matcher = Matcher()                                  # models loaded once per process
    verdict = matcher.decide(decode_portrait(dg2_bytes), frames)
    verdict.match, verdict.distance, verdict.threshold, verdict.quality

Several live frames are looked at (up to ``max_frames`` within ``window_s``); those passing the quality
gates are ranked by quality, the best ``top_k`` are encoded and their distances to the portrait are
averaged (a fused score: one lucky frame cannot make a match).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from biometrics import errors
from biometrics.engine import FaceEngine
from biometrics.faces import find_main_face
from biometrics.frames import Frame
from biometrics.portrait import Portrait, as_rgb
from biometrics.quality import FaceQuality, QualityGates, check, measure

# Calibrated on chip-like portraits vs. ordinary photos of ../shared/faces (see docs/face-calibration.md).
# face_recognition's default 0.6 is known to accept impostors among East Asian faces; this is stricter.
DEFAULT_THRESHOLD = 0.50


@dataclass(frozen=True)
class MatcherConfig:
    threshold: float = DEFAULT_THRESHOLD
    portrait_gates: QualityGates = field(default_factory=QualityGates.portrait)
    live_gates: QualityGates = field(default_factory=QualityGates)
    max_frames: int = 8  # live frames examined
    window_s: float = 3.0  # ... within this many seconds of the first
    top_k: int = 3  # best-quality frames encoded and fused
    num_jitters: int = 1


@dataclass(frozen=True, eq=False)
class PortraitTemplate:
    """A portrait's encoding and quality, computed once per card read."""

    encoding: np.ndarray = field(repr=False)
    quality: FaceQuality
    elapsed_s: float


@dataclass(frozen=True)
class Verdict:
    """The face step's outcome.

    ``distance`` is the fused distance (mean over ``distances``, one per used frame, best quality first);
    ``match`` is ``distance <= threshold``. ``frame_index`` / ``frame_timestamp_s`` name the best-quality
    frame used. ``timings`` are (step, seconds) pairs; ``notes`` are short quality remarks (no personal
    data). ``rejected`` counts the examined frames that failed a gate, by reason.
    """

    match: bool
    distance: float
    threshold: float
    quality: FaceQuality
    portrait_quality: FaceQuality
    frame_index: int
    frame_timestamp_s: float
    frames_seen: int
    distances: tuple[float, ...]
    rejected: tuple[tuple[str, int], ...]
    timings: tuple[tuple[str, float], ...]
    elapsed_s: float
    notes: tuple[str, ...] = ()

    @property
    def frames_used(self) -> int:
        return len(self.distances)

    def as_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "distance": round(self.distance, 4),
            "threshold": self.threshold,
            "quality": self.quality.as_dict(),
            "portrait_quality": self.portrait_quality.as_dict(),
            "frame_index": self.frame_index,
            "frame_timestamp_s": round(self.frame_timestamp_s, 3),
            "frames_seen": self.frames_seen,
            "frames_used": self.frames_used,
            "distances": [round(d, 4) for d in self.distances],
            "rejected": dict(self.rejected),
            "timings": {k: round(v, 4) for k, v in self.timings},
            "elapsed_s": round(self.elapsed_s, 4),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class LiveSample:
    """The best live frames' encodings and qualities (best first), and what was rejected."""

    encodings: tuple[np.ndarray, ...] = field(repr=False)
    qualities: tuple[FaceQuality, ...]
    frame_indexes: tuple[int, ...]
    frame_timestamps: tuple[float, ...]
    frames_seen: int
    rejected: tuple[tuple[str, int], ...]
    detect_s: float
    encode_s: float


LiveInput = np.ndarray | Frame | Iterable[Frame] | Iterable[np.ndarray]


def _as_frames(live: LiveInput) -> Iterable[Frame]:
    if isinstance(live, Frame):
        return [live]
    if isinstance(live, np.ndarray):
        return [Frame(as_rgb(live), 0, 0.0)]

    def gen() -> Iterable[Frame]:
        for i, item in enumerate(live):
            yield item if isinstance(item, Frame) else Frame(as_rgb(item), i, float(i))

    return gen()


def _notes(q: FaceQuality, gates: QualityGates) -> list[str]:
    notes = []
    if q.face_px < 1.5 * gates.min_face_px:
        notes.append("face_small")
    if q.sharpness < 2 * gates.min_sharpness:
        notes.append("soft")
    if abs(q.yaw) > gates.max_abs_yaw / 2:
        notes.append("turned")
    if q.brightness < 70 or q.brightness > 200:
        notes.append("lighting")
    return notes


class Matcher:
    """Decides whether live frames show the portrait's person. Reuse one per process."""

    def __init__(self, engine: FaceEngine | None = None, config: MatcherConfig | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.engine = engine or FaceEngine.default()
        self.config = config or MatcherConfig()
        self._clock = clock

    def enroll(self, portrait: Portrait | np.ndarray) -> PortraitTemplate:
        """Encode the chip portrait. Raises :class:`~biometrics.errors.NoUsableFace` (``where="portrait"``)."""
        t0 = self._clock()
        rgb = portrait.rgb if isinstance(portrait, Portrait) else as_rgb(portrait)
        obs = find_main_face(self.engine, rgb, where="portrait")
        q = measure(rgb, obs)
        check(q, self.config.portrait_gates, where="portrait")
        enc = self.engine.encode(rgb, obs.detection, self.config.num_jitters)
        return PortraitTemplate(enc, q, self._clock() - t0)

    def observe(self, live: LiveInput) -> LiveSample:
        """Detect, gate, rank and encode the live frames (independent of any portrait).

        Raises :class:`~biometrics.errors.NoUsableFace` (``where="live"``), with the commonest reason,
        when no examined frame passes the gates."""
        cfg = self.config
        t0 = self._clock()
        candidates: list[tuple[FaceQuality, Frame, Any]] = []
        failures: list[errors.NoUsableFace] = []
        seen = 0
        first_ts: float | None = None
        for frame in _as_frames(live):
            if seen >= cfg.max_frames:
                break
            first_ts = frame.timestamp_s if first_ts is None else first_ts
            if frame.timestamp_s - first_ts > cfg.window_s:
                break
            seen += 1
            try:
                obs = find_main_face(self.engine, frame.rgb, where="live")
                q = measure(frame.rgb, obs)
                check(q, cfg.live_gates, where="live")
            except errors.NoUsableFace as exc:
                failures.append(exc)
                continue
            candidates.append((q, frame, obs))
        t_detect = self._clock()
        if not candidates:
            if not failures:
                raise errors.NoFaceFound("no live frame", where="live")
            common = Counter(f.reason for f in failures).most_common(1)[0][0]
            raise next(f for f in failures if f.reason == common)
        candidates.sort(key=lambda c: -c[0].score)
        used = candidates[: max(1, cfg.top_k)]
        encs = tuple(self.engine.encode(fr.rgb, obs.detection, cfg.num_jitters) for _, fr, obs in used)
        t_end = self._clock()
        return LiveSample(
            encodings=encs,
            qualities=tuple(q for q, _, _ in used),
            frame_indexes=tuple(fr.index for _, fr, _ in used),
            frame_timestamps=tuple(fr.timestamp_s for _, fr, _ in used),
            frames_seen=seen,
            rejected=tuple(sorted(Counter(f.reason for f in failures).items())),
            detect_s=t_detect - t0,
            encode_s=t_end - t_detect,
        )

    def compare(self, template: PortraitTemplate, sample: LiveSample) -> Verdict:
        """The decision from an enrolled portrait and an observed live sample (fused distance)."""
        cfg = self.config
        dists = tuple(self.engine.distance(template.encoding, e) for e in sample.encodings)
        fused = float(np.mean(dists))
        best_q = sample.qualities[0]
        notes = _notes(best_q, cfg.live_gates) + [f"portrait_{n}" for n in _notes(template.quality, cfg.portrait_gates)]
        return Verdict(
            match=bool(fused <= cfg.threshold),
            distance=fused,
            threshold=cfg.threshold,
            quality=best_q,
            portrait_quality=template.quality,
            frame_index=sample.frame_indexes[0],
            frame_timestamp_s=sample.frame_timestamps[0],
            frames_seen=sample.frames_seen,
            distances=dists,
            rejected=sample.rejected,
            timings=(("portrait", template.elapsed_s), ("live_detect", sample.detect_s),
                     ("live_encode", sample.encode_s)),
            elapsed_s=template.elapsed_s + sample.detect_s + sample.encode_s,
            notes=tuple(notes),
        )

    def decide(self, portrait: Portrait | PortraitTemplate | np.ndarray, live: LiveInput) -> Verdict:
        """Match the portrait against one live image/frame or several frames (a source or a list).

        Raises :class:`~biometrics.errors.NoUsableFace` (``where`` says which side) when either side has
        no usable face."""
        t0 = self._clock()
        template = portrait if isinstance(portrait, PortraitTemplate) else self.enroll(portrait)
        verdict = self.compare(template, self.observe(live))
        return replace(verdict, elapsed_s=self._clock() - t0)
