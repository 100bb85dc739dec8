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
SMALL_FACE_PX = 80  # below this (the HOG window) the box is coarse: detect again upsampled, encode upscaled
ENCODE_FACE_PX = 160  # a small face's crop is upscaled so the face is about this high before encoding


@dataclass(frozen=True, eq=False)
class FaceObservation:
    """The main face of one image: its box, its 5-point landmarks, and how many faces were seen."""

    detection: Detection
    landmarks: np.ndarray = field(repr=False)  # (5, 2), see FaceEngine.landmarks5
    faces_seen: int
    upsample: int


def detect_faces(engine: FaceEngine, rgb: np.ndarray, small_faces: bool = True) -> tuple[list[Detection], int]:
    """All faces, in original-image pixels, with the upsampling that found them.

    Big images are shrunk to :data:`DETECT_MAX_SIDE`; small ones (portraits) are upsampled once or twice
    by the detector when nothing is found at native size, and (``small_faces``) when the face found is
    below :data:`SMALL_FACE_PX`.
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
    for k, up in enumerate(tries):
        found = engine.detect(rgb, up)
        if found and (not small_faces or max(d.height for d in found) >= SMALL_FACE_PX or k == len(tries) - 1):
            return found, up
        if found:  # a small face: one more level of upsampling gives a better box before it is judged
            more = engine.detect(rgb, tries[k + 1])
            return (more or found), (tries[k + 1] if more else up)
    return [], tries[-1]


def encoding_view(rgb: np.ndarray, face: Detection, small_faces: bool = True) -> tuple[np.ndarray, Detection]:
    """The image and box to encode ``face`` from: a small face's surroundings upscaled (bicubic) so the
    landmark model and the encoder's 150-px face chip work from a face about :data:`ENCODE_FACE_PX` high;
    a large face as it is."""
    if not small_faces or face.height >= SMALL_FACE_PX or face.height <= 0:
        return rgb, face
    h, w = rgb.shape[:2]
    m = face.height
    top, left = max(face.top - m, 0), max(face.left - m, 0)
    bottom, right = min(face.bottom + m, h), min(face.right + m, w)
    f = ENCODE_FACE_PX / face.height
    crop = cv2.resize(np.ascontiguousarray(rgb[top:bottom, left:right]),
                      (round((right - left) * f), round((bottom - top) * f)), interpolation=cv2.INTER_CUBIC)
    box = Detection(face.top - top, face.right - left, face.bottom - top, face.left - left, face.score).scaled(f)
    return crop, box


def find_main_face(engine: FaceEngine, rgb: np.ndarray, *, where: str = "live",
                   allow_several: bool = False, small_faces: bool = True) -> FaceObservation:
    """The largest face, with landmarks. Raises :class:`NoFaceFound` or :class:`SeveralFaces`."""
    found, up = detect_faces(engine, rgb, small_faces)
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
