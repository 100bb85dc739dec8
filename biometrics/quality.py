"""Face quality: size, sharpness, exposure and pose from the 5-point landmarks, and the gates on them."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from biometrics.errors import BadExposure, FaceTooBlurred, FaceTooSmall, NotFrontal
from biometrics.faces import FaceObservation

SHARPNESS_SIZE = 128  # the face crop is resized to this before measuring sharpness


@dataclass(frozen=True)
class FaceQuality:
    """Measures of one face. ``yaw`` is the nose's sideways offset from the eyes' midpoint divided by the
    eye distance (0 frontal; positive = nose towards the image's right); ``roll`` is the eye line's angle
    in degrees; ``sharpness`` the variance of the Laplacian of the face resized to 128 px; ``brightness``
    the face's mean grey level (0-255); ``clipped`` the fraction of face pixels at ≤5 or ≥250."""

    face_px: int
    sharpness: float
    brightness: float
    clipped: float
    yaw: float
    roll: float

    @property
    def score(self) -> float:
        """Higher is better; ranks frames of one person (size, sharpness, frontalness)."""
        size = min(self.face_px, 200) / 200.0
        sharp = min(self.sharpness, 400.0) / 400.0
        frontal = max(0.0, 1.0 - abs(self.yaw) / 0.35)
        expo = 1.0 - min(abs(self.brightness - 128.0) / 128.0, 1.0)
        return round(0.35 * size + 0.3 * sharp + 0.25 * frontal + 0.1 * expo, 4)

    def as_dict(self) -> dict[str, float]:
        d = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}
        d["score"] = self.score
        return d


@dataclass(frozen=True)
class QualityGates:
    """Thresholds a face must meet. Defaults suit a live kiosk frame; :meth:`portrait` suits a chip image.

    ``min_face_px`` is what dlib can still encode from an upscaled crop (HOG finds faces down to about 40 px
    with one level of upsampling); a kiosk guides the person closer long before that (note ``face_small``).
    """

    min_face_px: int = 40
    min_sharpness: float = 10.0
    min_brightness: float = 40.0
    max_brightness: float = 220.0
    max_clipped: float = 0.35
    max_abs_yaw: float = 0.30
    max_abs_roll: float = 25.0

    @classmethod
    def portrait(cls) -> QualityGates:
        # Chip portraits are small, soft (JPEG 2000 at ~15 KB) but frontal by law: size/sharpness relaxed.
        return cls(min_face_px=40, min_sharpness=3.0, max_abs_yaw=0.35)

    @classmethod
    def off(cls) -> QualityGates:
        return cls(0, 0.0, 0.0, 255.0, 1.0, 10.0, 180.0)


def pose(landmarks: np.ndarray) -> tuple[float, float]:
    """(yaw ratio, roll degrees) from the 5-point landmarks."""
    pts = np.asarray(landmarks, dtype=np.float64)
    image_left_eye = pts[2:4].mean(axis=0)
    image_right_eye = pts[0:2].mean(axis=0)
    nose = pts[4]
    axis = image_right_eye - image_left_eye
    dist = float(np.hypot(*axis)) or 1.0
    u = axis / dist
    mid = (image_left_eye + image_right_eye) / 2.0
    yaw = float(np.dot(nose - mid, u)) / dist
    roll = float(np.degrees(np.arctan2(axis[1], axis[0])))
    return yaw, roll


def measure(rgb: np.ndarray, obs: FaceObservation) -> FaceQuality:
    d = obs.detection
    h, w = rgb.shape[:2]
    top, bottom = max(d.top, 0), min(d.bottom, h)
    left, right = max(d.left, 0), min(d.right, w)
    crop = rgb[top:bottom, left:right]
    if crop.size == 0:
        return FaceQuality(0, 0.0, 0.0, 1.0, 0.0, 0.0)
    gray = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)
    norm = cv2.resize(gray, (SHARPNESS_SIZE, SHARPNESS_SIZE), interpolation=cv2.INTER_AREA)
    sharp = float(cv2.Laplacian(norm, cv2.CV_64F).var())
    clipped = float(np.mean((gray <= 5) | (gray >= 250)))
    yaw, roll = pose(obs.landmarks)
    return FaceQuality(int(min(d.height, d.width)), sharp, float(gray.mean()), clipped, yaw, roll)


def check(q: FaceQuality, gates: QualityGates, where: str = "live") -> None:
    """Raise the typed :class:`~biometrics.errors.NoUsableFace` for the first gate ``q`` fails."""
    if q.face_px < gates.min_face_px:
        raise FaceTooSmall(f"face is {q.face_px}px; needs {gates.min_face_px}px", where=where)
    if q.brightness < gates.min_brightness or q.brightness > gates.max_brightness or q.clipped > gates.max_clipped:
        raise BadExposure(f"face brightness {q.brightness:.0f}, clipped {q.clipped:.0%}", where=where)
    if q.sharpness < gates.min_sharpness:
        raise FaceTooBlurred(f"face sharpness {q.sharpness:.1f}; needs {gates.min_sharpness}", where=where)
    if abs(q.yaw) > gates.max_abs_yaw or abs(q.roll) > gates.max_abs_roll:
        raise NotFrontal(f"face turned (yaw {q.yaw:+.2f}, roll {q.roll:+.0f} deg)", where=where)
