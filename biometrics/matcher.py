"""1:1 decision: chip portrait against live frames, banded into match / refer / no_match.

    matcher = Matcher()                                  # models loaded once per process
    verdict = matcher.decide(decode_portrait(dg2_bytes), frames)
    verdict.decision, verdict.distance, verdict.quality

Several live frames are looked at (up to ``max_frames`` within ``window_s``); those passing the quality
gates are ranked by quality, the best ``top_k`` are encoded and their distances to the portrait are
averaged (a fused score: one lucky frame cannot make a match). A distance in the refer band takes up to
``refer_rounds`` more rounds of frames before the decision stands. Small faces (either side) are detected
with upsampling and encoded from an upscaled crop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from biometrics.capture import CaptureConfig, CaptureLoop, LiveCapture, LiveSample
from biometrics.decision import DecisionBands, FaceDecision
from biometrics.engine import FaceEngine
from biometrics.errors import ModelsUnavailable
from biometrics.faces import SMALL_FACE_PX, encoding_view, find_main_face
from biometrics.frames import Frame
from biometrics.portrait import Portrait, as_rgb
from biometrics.quality import FaceQuality, QualityGates, check, measure


@dataclass(frozen=True)
class MatcherConfig:
    bands: DecisionBands = field(default_factory=DecisionBands)
    portrait_gates: QualityGates = field(default_factory=QualityGates.portrait)
    live_gates: QualityGates = field(default_factory=QualityGates)
    max_frames: int = 8  # live frames examined in one round
    window_s: float = 3.0  # ... within this many seconds of the round's first
    top_k: int = 3  # best-quality frames encoded and fused
    # Jitter was measured (docs/face-calibration.md): no better separation on our sets, ~0.1-0.3 s a copy.
    portrait_jitters: int = 1
    live_jitters: int = 1
    refer_rounds: int = 1  # further rounds of frames taken when the first round is referred
    small_faces: bool = True  # upsampled detection and an upscaled crop for small faces (both sides)

    @property
    def capture(self) -> CaptureConfig:
        return CaptureConfig(self.live_gates, self.top_k, self.live_jitters, self.small_faces)


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
    ``decision`` is the band it falls in; ``match`` is true only for an accept. ``threshold`` is the
    accept limit and ``refer_threshold`` the refer band's upper limit. ``frame_index`` /
    ``frame_timestamp_s`` name the best-quality frame used; ``rounds`` how many rounds of frames were
    taken. ``timings`` are (step, seconds) pairs; ``notes`` are short quality remarks (no personal data).
    ``rejected`` counts the examined frames that failed a gate, by reason.
    """

    decision: FaceDecision
    distance: float
    threshold: float
    refer_threshold: float
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
    rounds: int = 1

    @property
    def match(self) -> bool:
        return self.decision is FaceDecision.MATCH

    @property
    def frames_used(self) -> int:
        return len(self.distances)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "match": self.match,
            "distance": round(self.distance, 4),
            "threshold": self.threshold,
            "refer_threshold": self.refer_threshold,
            "quality": self.quality.as_dict(),
            "portrait_quality": self.portrait_quality.as_dict(),
            "frame_index": self.frame_index,
            "frame_timestamp_s": round(self.frame_timestamp_s, 3),
            "frames_seen": self.frames_seen,
            "frames_used": self.frames_used,
            "rounds": self.rounds,
            "distances": [round(d, 4) for d in self.distances],
            "rejected": dict(self.rejected),
            "timings": {k: round(v, 4) for k, v in self.timings},
            "elapsed_s": round(self.elapsed_s, 4),
            "notes": list(self.notes),
        }


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
    if q.face_px < max(1.5 * gates.min_face_px, SMALL_FACE_PX):
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
                 clock: Callable[[], float] = time.perf_counter,
                 capture_factory: Callable[[CaptureConfig], CaptureLoop] | None = None) -> None:
        self.engine = engine or FaceEngine.default()
        self.config = config or MatcherConfig()
        self._clock = clock
        self._capture_factory = capture_factory  # e.g. biometrics.capture_worker.worker_capture

    @property
    def bands(self) -> DecisionBands:
        return self.config.bands

    def enroll(self, portrait: Portrait | np.ndarray) -> PortraitTemplate:
        """Encode the chip portrait. Raises :class:`~biometrics.errors.NoUsableFace` (``where="portrait"``)."""
        t0 = self._clock()
        rgb = portrait.rgb if isinstance(portrait, Portrait) else as_rgb(portrait)
        # an ICAO portrait's face is frontal and centred: the first box found is good enough for the
        # landmarks (no second, upsampled detection: the portrait is encoded after the read, on the clock)
        obs = find_main_face(self.engine, rgb, where="portrait", small_faces=False)
        q = measure(rgb, obs)
        check(q, self.config.portrait_gates, where="portrait")
        view, box = encoding_view(rgb, obs.detection, self.config.small_faces)
        enc = self.engine.encode(view, box, self.config.portrait_jitters)
        return PortraitTemplate(enc, q, self._clock() - t0)

    def capture(self) -> LiveCapture | CaptureLoop:
        """A fresh live capture with this matcher's gates, ranking and encoding settings (in this process,
        or where ``capture_factory`` puts it)."""
        if self._capture_factory is not None:
            try:
                return self._capture_factory(self.config.capture)
            except (ModelsUnavailable, OSError):
                pass  # no worker to be had: the capture runs on a thread here, as it can
        return LiveCapture(self.engine, self.config.capture, self._clock)

    def observe(self, live: LiveInput) -> LiveSample:
        """Detect, gate, rank and encode one round of live frames (independent of any portrait).

        Raises :class:`~biometrics.errors.NoUsableFace` (``where="live"``), with the commonest reason,
        when no examined frame passes the gates."""
        cap = self.capture()
        cap.consume(_as_frames(live), max_frames=self.config.max_frames, window_s=self.config.window_s)
        return cap.sample()

    def compare(self, template: PortraitTemplate, sample: LiveSample, rounds: int = 1) -> Verdict:
        """The decision from an enrolled portrait and an observed live sample (fused distance)."""
        cfg = self.config
        dists = tuple(self.engine.distance(template.encoding, e) for e in sample.encodings)
        fused = float(np.mean(dists))
        best_q = sample.qualities[0]
        notes = _notes(best_q, cfg.live_gates) + [f"portrait_{n}" for n in _notes(template.quality, cfg.portrait_gates)]
        return Verdict(
            decision=cfg.bands.decide(fused),
            distance=fused,
            threshold=cfg.bands.match_max,
            refer_threshold=cfg.bands.refer_max,
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
            rounds=rounds,
        )

    def conclude(self, template: PortraitTemplate, capture: LiveCapture | CaptureLoop,
                 frames: Iterator[Frame]) -> Verdict:
        """Compare what ``capture`` holds; while the result is referred, take up to ``refer_rounds`` more
        rounds of ``frames`` (the best frames of all rounds are fused) and compare again."""
        cfg = self.config
        verdict = self.compare(template, capture.sample())
        rounds = 1
        while verdict.decision is FaceDecision.REFER and rounds <= cfg.refer_rounds and not capture.stopped:
            if not capture.consume(frames, max_frames=cfg.max_frames, window_s=cfg.window_s):
                break
            rounds += 1
            verdict = self.compare(template, capture.sample(), rounds)
        return verdict

    def decide(self, portrait: Portrait | PortraitTemplate | np.ndarray, live: LiveInput) -> Verdict:
        """Match the portrait against one live image/frame or several frames (a source or a list).

        Raises :class:`~biometrics.errors.NoUsableFace` (``where`` says which side) when either side has
        no usable face."""
        t0 = self._clock()
        template = portrait if isinstance(portrait, PortraitTemplate) else self.enroll(portrait)
        frames = iter(_as_frames(live))
        cap = self.capture()
        cap.consume(frames, max_frames=self.config.max_frames, window_s=self.config.window_s)
        verdict = self.conclude(template, cap, frames)
        return replace(verdict, elapsed_s=self._clock() - t0)
