"""Frames for the screen's live preview and the face box in them, so ``ui/`` never reaches into
:mod:`biometrics` itself: the demo face gently moving, any camera spec's frames, and the detector the
matcher uses."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator

import numpy as np

from biometrics.errors import ModelsUnavailable

log = logging.getLogger(__name__)


def demo_frames(fps: float = 25.0) -> Iterator[np.ndarray]:
    """The demo face, gently moving (a slow sway and breathing zoom), forever."""
    import cv2

    from biometrics.portrait import demo_face_rgb

    base = np.ascontiguousarray(demo_face_rgb())
    h, w = base.shape[:2]
    t = 0.0
    while True:
        angle = 2.5 * math.sin(t * 1.3)
        scale = 1.0 + 0.03 * math.sin(t * 0.8)
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        matrix[0, 2] += 6 * math.sin(t * 0.9)
        yield cv2.warpAffine(base, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)
        t += 1.0 / fps


def source_frames(spec: str) -> Iterator[np.ndarray]:
    """Frames from a camera index, video (looped), image folder or image, as RGB arrays."""
    from biometrics.frames import open_source

    while True:
        source = open_source(spec)
        count = 0
        try:
            for frame in source.frames():
                count += 1
                yield frame.rgb
        finally:
            source.close()
        if count == 0:
            return
        if spec.isdigit():
            return  # a camera that stopped delivering: do not spin


def face_detector() -> Callable[[np.ndarray], list[tuple[int, int, int, int]]] | None:
    """HOG face detection from biometrics (the one the matcher uses), or None when not installed."""
    try:
        from biometrics.engine import FaceEngine

        engine = FaceEngine.default()
    except (ImportError, ModelsUnavailable) as exc:  # no models: the preview goes on without a box
        log.info("no face detector for the preview: %s", exc)
        return None

    def detect(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
        return [(d.left, d.top, d.right - d.left, d.bottom - d.top) for d in engine.detect(rgb, 0)]

    return detect
