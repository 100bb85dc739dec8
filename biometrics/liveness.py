"""Liveness (presentation-attack detection) without extra model weights.

An active challenge: the person is asked to turn the head left or right (chosen at random by the injected
RNG). Over the frames, the 5-point landmarks must show the yaw ratio (nose offset from the eyes' midpoint
over the eye distance) moving the asked way by at least ``min_turn``. A flat picture cannot do that: any
rigid motion of a plane maps the landmarks by a homography, which keeps the nose almost on the same place
relative to the eyes. A second test tracks corner points on the face from the frontal frame to the turned
frame: if one homography explains their motion (a rigid plane: printed photo, phone screen), the attempt
is rejected as planar.

"Left"/"right" are the person's own, for an unmirrored camera image (the person's left is the image's
right). Set ``mirrored=True`` when frames come mirrored.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from biometrics.engine import FaceEngine
from biometrics.errors import NoUsableFace
from biometrics.faces import find_main_face
from biometrics.frames import Frame
from biometrics.quality import pose


class Challenge(enum.Enum):
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"

    @property
    def message_key(self) -> str:
        return f"face.liveness.{self.value}"


@dataclass(frozen=True)
class LivenessConfig:
    enabled: bool = True  # profiles turn the check on or off
    min_turn: float = 0.20  # yaw-ratio change needed in the asked direction (a ~30 degree turn)
    max_frames: int = 40
    planar_residual: float = 0.018  # median homography residual / face width below which motion is planar
    min_points: int = 12
    mirrored: bool = False


@dataclass(frozen=True)
class LivenessResult:
    """``passed`` and why: reason is ok, disabled, no_face, no_turn, wrong_direction, planar_motion or
    tracking_lost. ``turn`` is the largest yaw-ratio change in the asked direction; ``planar_residual`` the
    median residual of the best homography over the tracked points, as a fraction of face width."""

    passed: bool
    challenge: Challenge
    reason: str
    turn: float
    planar_residual: float
    frames_seen: int
    frames_with_face: int

    @property
    def message_key(self) -> str:
        return "face.liveness.ok" if self.passed else f"face.liveness.{self.reason}"


def choose_challenge(rng: random.Random) -> Challenge:
    return rng.choice([Challenge.TURN_LEFT, Challenge.TURN_RIGHT])


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


class LivenessChecker:
    def __init__(self, engine: FaceEngine | None = None, config: LivenessConfig | None = None,
                 rng: random.Random | None = None) -> None:
        self.engine = engine or FaceEngine.default()
        self.config = config or LivenessConfig()
        self._rng = rng or random.Random()

    def new_challenge(self) -> Challenge:
        return choose_challenge(self._rng)

    def check(self, frames: Iterable[Frame | np.ndarray], challenge: Challenge) -> LivenessResult:
        cfg = self.config
        if not cfg.enabled:
            return LivenessResult(True, challenge, "disabled", 0.0, 0.0, 0, 0)
        sign = 1.0 if challenge is Challenge.TURN_LEFT else -1.0
        if cfg.mirrored:
            sign = -sign
        images: list[np.ndarray] = []
        yaws: list[float | None] = []
        boxes: list[tuple[int, int, int, int] | None] = []
        for i, f in enumerate(frames):
            if i >= cfg.max_frames:
                break
            rgb = f.rgb if isinstance(f, Frame) else np.asarray(f)
            images.append(rgb)
            try:
                obs = find_main_face(self.engine, rgb, allow_several=True)
            except NoUsableFace:
                yaws.append(None)
                boxes.append(None)
                continue
            yaws.append(pose(obs.landmarks)[0])
            boxes.append(obs.detection.css)
        seen = len(images)
        with_face = sum(y is not None for y in yaws)
        if with_face < 2 or yaws[0] is None:
            return LivenessResult(False, challenge, "no_face", 0.0, 0.0, seen, with_face)
        base = float(yaws[0])
        moves = [sign * (y - base) if y is not None else -np.inf for y in yaws]
        peak = int(np.argmax(moves))
        turn = float(moves[peak])
        against = max((-m for m in moves if np.isfinite(m)), default=0.0)
        if turn < cfg.min_turn:
            reason = "wrong_direction" if against >= cfg.min_turn else "no_turn"
            return LivenessResult(False, challenge, reason, turn, 0.0, seen, with_face)
        resid = planar_residual(images, boxes[0], peak, cfg.min_points)  # type: ignore[arg-type]
        if resid is None:
            return LivenessResult(False, challenge, "tracking_lost", turn, 0.0, seen, with_face)
        if resid < cfg.planar_residual:
            return LivenessResult(False, challenge, "planar_motion", turn, resid, seen, with_face)
        return LivenessResult(True, challenge, "ok", turn, resid, seen, with_face)
