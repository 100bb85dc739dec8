"""Finding the one face to decide on, at a resolution that suits the image."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from biometrics.engine import Detection, FaceEngine
from biometrics.errors import NoFaceFound, SeveralFaces

DETECT_MAX_SIDE = 800  # larger images are shrunk before HOG detection (speed); boxes are mapped back
SECOND_FACE_MIN_SCORE = 0.5  # weaker detections are ignored when counting faces (HOG false positives)
SECOND_FACE_SIZE_RATIO = 0.6  # a second face this big relative to the main one makes the scene ambiguous


@dataclass(frozen=True, eq=False)
class FaceObservation:
    """The main face of one image: its box, its 5-point landmarks, and how many faces were seen."""

    detection: Detection
    landmarks: np.ndarray = field(repr=False)  # (5, 2), see FaceEngine.landmarks5
    faces_seen: int
    upsample: int


def detect_faces(engine: FaceEngine, rgb: np.ndarray) -> tuple[list[Detection], int]:
    """All faces, in original-image pixels, with the upsampling that found them.

    Big images are shrunk to :data:`DETECT_MAX_SIDE`; small ones (portraits) are upsampled once or twice
    by the detector when nothing is found at native size.
    """
    h, w = rgb.shape[:2]
    side = max(h, w)
    if side > DETECT_MAX_SIDE:
        f = DETECT_MAX_SIDE / side
        small = cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        found = engine.detect(small, 0)
        if not found:
            found = engine.detect(small, 1)
        return [d.scaled(1 / f) for d in found], 0
    tries = [0, 1] + ([2] if side <= 400 else [])
    for up in tries:
        found = engine.detect(rgb, up)
        if found:
            return found, up
    return [], tries[-1]


def find_main_face(engine: FaceEngine, rgb: np.ndarray, *, where: str = "live",
                   allow_several: bool = False) -> FaceObservation:
    """The largest face, with landmarks. Raises :class:`NoFaceFound` or :class:`SeveralFaces`."""
    found, up = detect_faces(engine, rgb)
    if not found:
        raise NoFaceFound("no face found", where=where)
    main = max(found, key=lambda d: d.height * d.width)
    rivals = [
        d for d in found
        if d is not main and d.score >= SECOND_FACE_MIN_SCORE and d.height >= SECOND_FACE_SIZE_RATIO * main.height
    ]
    if rivals and not allow_several:
        raise SeveralFaces(f"{len(rivals) + 1} faces of similar size", where=where)
    strong = sum(1 for d in found if d is main or d.score >= SECOND_FACE_MIN_SCORE)
    return FaceObservation(main, engine.landmarks5(rgb, main), strong, up)
