"""Liveness (presentation-attack detection) without extra model weights.

An active challenge that a recording cannot anticipate: two head turns, each left or right at random, the
first asked after a random delay and the second a random time later (:func:`plan_challenge`, with the
injected RNG). For each prompt, over the frames' timestamps:

- the yaw ratio (nose offset from the eyes' midpoint over the eye distance, from the 5-point landmarks)
  must move the asked way by at least ``min_turn`` within ``response_s`` of the prompt;
- the head must be still from ``baseline_s`` before the prompt until ``reaction_min_s`` after it (yaw range
  below ``max_pre_motion``, else ``early_turn``): a replayed video turns when it was recorded to, not
  when asked;
- the motion of corner points tracked on the face from the prompt to the turn must not be explained by one
  homography (``planar_motion``): a printed photo or a screen turned on cue is a rigid plane.

A replay of the owner answering another challenge passes only if its turns happen to fall in the same
directions and time windows; ``python -m kiosk evaluate --liveness`` measures how often.

"Left"/"right" are the person's own, for an unmirrored camera image (the person's left is the image's
right). Set ``mirrored=True`` when frames come mirrored.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from biometrics.engine import FaceEngine
from biometrics.errors import NoUsableFace
from biometrics.faces import find_main_face
from biometrics.frames import Frame
from biometrics.quality import pose


class Challenge(enum.StrEnum):
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"

    @property
    def message_key(self) -> str:
        return f"face.liveness.{self.value}"


class LivenessReason(enum.StrEnum):
    OK = "ok"
    DISABLED = "disabled"
    NO_FACE = "no_face"
    NO_TURN = "no_turn"
    WRONG_DIRECTION = "wrong_direction"
    EARLY_TURN = "early_turn"
    PLANAR_MOTION = "planar_motion"
    TRACKING_LOST = "tracking_lost"


@dataclass(frozen=True)
class Prompt:
    """Ask for ``challenge`` at ``at_s`` seconds after the first frame."""

    challenge: Challenge
    at_s: float


@dataclass(frozen=True)
class ChallengePlan:
    prompts: tuple[Prompt, ...]

    @property
    def duration_s(self) -> float:
        return self.prompts[-1].at_s if self.prompts else 0.0

    def describe(self) -> str:
        return " ".join(f"{p.challenge.value}@{p.at_s:.2f}s" for p in self.prompts)


@dataclass(frozen=True)
class LivenessConfig:
    enabled: bool = True  # profiles turn the check on or off
    turns: int = 2
    start_s: tuple[float, float] = (0.5, 1.5)  # the first prompt, uniformly in this range
    gap_s: tuple[float, float] = (2.0, 2.8)  # between prompts (a turn and back takes a person ~1.5 s)
    min_turn: float = 0.20  # yaw-ratio change needed in the asked direction (a ~30 degree turn)
    reaction_min_s: float = 0.15  # a turn already made this soon after the prompt was not a reaction
    response_s: float = 1.6  # the turn must be reached within this long after the prompt
    baseline_s: float = 0.35  # the yaw just before a prompt is the reference for its turn ...
    max_pre_motion: float = 0.12  # ... and the head must be about still then (yaw-ratio range)
    max_frames: int = 90
    planar_residual: float = 0.012  # median homography residual / face width below which motion is planar
    min_points: int = 12
    mirrored: bool = False


@dataclass(frozen=True)
class LivenessResult:
    """``passed`` and why. ``turn`` is the smallest, over the prompts, of the largest yaw-ratio change in the
    asked direction; ``planar_residual`` the smallest median homography residual (fraction of face width);
    ``failed_prompt`` the index of the prompt that failed (None when passed)."""

    passed: bool
    plan: ChallengePlan
    reason: LivenessReason
    turn: float
    planar_residual: float
    frames_seen: int
    frames_with_face: int
    failed_prompt: int | None = None

    @property
    def message_key(self) -> str:
        return "face.liveness.ok" if self.passed else f"face.liveness.{self.reason.value}"


def plan_challenge(rng: random.Random, config: LivenessConfig | None = None) -> ChallengePlan:
    """Random directions (each turn independently) at random times."""
    cfg = config or LivenessConfig()
    at = rng.uniform(*cfg.start_s)
    prompts = []
    for _ in range(max(1, cfg.turns)):
        prompts.append(Prompt(rng.choice([Challenge.TURN_LEFT, Challenge.TURN_RIGHT]), round(at, 3)))
        at += rng.uniform(*cfg.gap_s)
    return ChallengePlan(tuple(prompts))


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def planar_residual(frames: list[np.ndarray], box: tuple[int, int, int, int], end: int,
                    min_points: int = 12) -> float | None:
    """Track corners inside ``box`` (top, right, bottom, left) from frame 0 to frame ``end`` and return the
    median residual of the best-fitting homography over the surviving points, divided by the box width.
    ``None`` when too few points survive."""
    top, right, bottom, left = box
    width = max(right - left, 1)
    g0 = _gray(frames[0])
    mask = np.zeros_like(g0)
    pad = int(0.05 * width)
    mask[max(top - pad, 0): bottom + pad, max(left - pad, 0): right + pad] = 255
    pts = cv2.goodFeaturesToTrack(g0, maxCorners=150, qualityLevel=0.01, minDistance=max(3, width // 30),
                                  mask=mask)
    if pts is None or len(pts) < min_points:
        return None
    start = pts.reshape(-1, 2).astype(np.float32)
    cur = start.copy()
    alive = np.ones(len(start), bool)
    prev = g0
    for k in range(1, end + 1):
        g = _gray(frames[k])
        nxt, st, _ = cv2.calcOpticalFlowPyrLK(prev, g, cur.reshape(-1, 1, 2), None, winSize=(21, 21), maxLevel=3)
        back, st2, _ = cv2.calcOpticalFlowPyrLK(g, prev, nxt, None, winSize=(21, 21), maxLevel=3)
        fb = np.linalg.norm(back.reshape(-1, 2) - cur, axis=1)
        alive &= (st.ravel() == 1) & (st2.ravel() == 1) & (fb < 1.0)
        cur = nxt.reshape(-1, 2)
        prev = g
        if alive.sum() < min_points:
            return None
    src, dst = start[alive], cur[alive]
    h, _ = cv2.findHomography(src, dst, cv2.RANSAC, 0.01 * width)
    if h is None:
        return None
    proj = cv2.perspectiveTransform(src.reshape(-1, 1, 2), h).reshape(-1, 2)
    return float(np.median(np.linalg.norm(proj - dst, axis=1))) / width


@dataclass(frozen=True, eq=False)
class _Track:
    """Per frame: the image, its time, and the main face's yaw and box (None where no face)."""

    images: list[np.ndarray]
    times: np.ndarray
    yaws: list[float | None]
    boxes: list[tuple[int, int, int, int] | None]


class LivenessChecker:
    def __init__(self, engine: FaceEngine | None = None, config: LivenessConfig | None = None,
                 rng: random.Random | None = None) -> None:
        self.engine = engine or FaceEngine.default()
        self.config = config or LivenessConfig()
        self._rng = rng or random.Random()

    def new_plan(self) -> ChallengePlan:
        return plan_challenge(self._rng, self.config)

    def _track(self, frames: Iterable[Frame | np.ndarray], plan: ChallengePlan,
               on_prompt: Callable[[int, Prompt], None]) -> _Track:
        cfg = self.config
        end_s = plan.duration_s + cfg.response_s
        images, times, yaws, boxes = [], [], [], []
        asked = 0
        t0: float | None = None
        for i, f in enumerate(frames):
            if i >= cfg.max_frames:
                break
            rgb = f.rgb if isinstance(f, Frame) else np.asarray(f)
            ts = f.timestamp_s if isinstance(f, Frame) else i / 10.0
            t0 = ts if t0 is None else t0
            t = ts - t0
            while asked < len(plan.prompts) and t >= plan.prompts[asked].at_s:
                on_prompt(asked, plan.prompts[asked])
                asked += 1
            images.append(rgb)
            times.append(t)
            try:
                obs = find_main_face(self.engine, rgb, allow_several=True, small_faces=False)
            except NoUsableFace:
                yaws.append(None)
                boxes.append(None)
            else:
                yaws.append(pose(obs.landmarks)[0])
                boxes.append(obs.detection.css)
            if t > end_s:
                break
        return _Track(images, np.asarray(times, dtype=float), yaws, boxes)

    def check(self, frames: Iterable[Frame | np.ndarray], plan: ChallengePlan | Challenge,
              on_prompt: Callable[[int, Prompt], None] = lambda index, prompt: None) -> LivenessResult:
        """Run ``plan`` over ``frames`` (timestamps from the frames; ``on_prompt`` is called as each prompt's
        time is reached, so the screen can show it). A bare :class:`Challenge` is one turn asked at once."""
        cfg = self.config
        if isinstance(plan, Challenge):
            plan = ChallengePlan((Prompt(plan, 0.0),))
        if not cfg.enabled:
            return LivenessResult(True, plan, LivenessReason.DISABLED, 0.0, 0.0, 0, 0)
        track = self._track(frames, plan, on_prompt)
        seen, with_face = len(track.images), sum(y is not None for y in track.yaws)
        turns, resids = [], []
        for k, prompt in enumerate(plan.prompts):
            reason, turn, resid = self._answer(track, prompt)
            turns.append(turn)
            resids.append(resid)
            if reason is not LivenessReason.OK:
                return LivenessResult(False, plan, reason, min(turns), min(resids), seen, with_face, k)
        return LivenessResult(True, plan, LivenessReason.OK, min(turns), min(resids), seen, with_face)

    def _answer(self, track: _Track, prompt: Prompt) -> tuple[LivenessReason, float, float]:
        """Whether the frames answer one prompt: (reason, turn, planar residual)."""
        cfg = self.config
        sign = 1.0 if prompt.challenge is Challenge.TURN_LEFT else -1.0
        sign = -sign if cfg.mirrored else sign
        t, yaws = track.times, track.yaws
        before = [i for i in range(len(t))
                  if prompt.at_s - cfg.baseline_s <= t[i] <= prompt.at_s and yaws[i] is not None]
        if not before:
            return LivenessReason.NO_FACE, 0.0, 0.0
        base = float(np.median([yaws[i] for i in before]))
        early = [yaws[i] for i in range(len(t)) if yaws[i] is not None
                 and prompt.at_s - cfg.baseline_s <= t[i] < prompt.at_s + cfg.reaction_min_s]
        if max(early) - min(early) >= cfg.max_pre_motion:
            return LivenessReason.EARLY_TURN, 0.0, 0.0
        window = [i for i in range(len(t)) if prompt.at_s + cfg.reaction_min_s <= t[i] <= prompt.at_s + cfg.response_s
                  and yaws[i] is not None]
        if not window:
            return LivenessReason.NO_FACE, 0.0, 0.0
        moves = {i: sign * (yaws[i] - base) for i in window}
        peak = max(moves, key=moves.get)
        turn = float(moves[peak])
        if turn < cfg.min_turn:
            against = max(-m for m in moves.values())
            return (LivenessReason.WRONG_DIRECTION if against >= cfg.min_turn else LivenessReason.NO_TURN), turn, 0.0
        start = before[-1]
        resid = planar_residual(track.images[start:peak + 1], track.boxes[start], peak - start, cfg.min_points)
        if resid is None:
            return LivenessReason.TRACKING_LOST, turn, 0.0
        if resid < cfg.planar_residual:
            return LivenessReason.PLANAR_MOTION, turn, resid
        return LivenessReason.OK, turn, resid
