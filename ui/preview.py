"""The live camera preview, on its own thread; the face box from a detector on a third thread.

The preview reads the frames it is given: for a camera index, the same device the session reads (one
:class:`kiosk.camera.SharedCamera`, since a camera cannot be opened twice); for a video file or image
folder, its own looped copy; in the demo, the built-in demo face animated so the picture moves. Frames
are turned into ``QImage`` copies on the preview thread and handed to the screen by a queued signal; the
UI thread only paints. Face detection (HOG on a 320 px copy, about 8 ms here) runs on a separate plain
thread on the latest frame only, so a slow detector never slows the preview; where no detector is
installed the screen shows plain guidance without a box.

The preview only runs after the person agreed to the camera step (Decree 13/2023), and nothing of it is
stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from kiosk.camera import face_detector

log = logging.getLogger(__name__)

DETECT_WIDTH = 320


@dataclass(frozen=True)
class Guidance:
    """What the preview sees, for the guidance line: face box in frame pixels (or None) and light level."""

    box: tuple[int, int, int, int] | None  # left, top, width, height
    frame_size: tuple[int, int]
    brightness: float  # mean luma 0..255
    faces: int

    def hint(self) -> str:
        """A guidance key: none, closer, further, light, several, ok."""
        if self.brightness < 55:
            return "light"
        if self.faces > 1:
            return "several"
        if self.box is None:
            return "none"
        w, h = self.frame_size
        share = self.box[3] / max(h, 1)
        if share < 0.18:
            return "closer"
        if share > 0.75:
            return "further"
        return "ok"


def to_qimage(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class PreviewWorker(QThread):
    """Emits ``frame(QImage)`` at up to ``fps`` and ``guidance(Guidance)`` when the detector has news."""

    frame = Signal(QImage)
    guidance = Signal(object)
    failed = Signal(str)

    def __init__(self, frames: Callable[[], Iterator[np.ndarray]], *, fps: float = 25.0,
                 detector: Callable[[np.ndarray], list] | None | bool = True) -> None:
        super().__init__()
        self.setObjectName("kiosk-preview")
        self._frames = frames
        self._period = 1.0 / fps
        self._stop = threading.Event()
        self._detector_spec = detector
        self._latest: np.ndarray | None = None
        self._latest_lock = threading.Lock()
        self._have_frame = threading.Event()
        self.frames_emitted = 0

    def stop(self) -> None:
        self._stop.set()
        self._have_frame.set()
        self.wait(3000)

    # -- preview thread ------------------------------------------------------------------------------
    def run(self) -> None:
        self._stop.clear()
        detector = face_detector() if self._detector_spec is True else (self._detector_spec or None)
        detect_thread = None
        if detector is not None:
            detect_thread = threading.Thread(target=self._detect_loop, args=(detector,), name="kiosk-face-box",
                                             daemon=True)
            detect_thread.start()
        try:
            next_at = time.perf_counter()
            for rgb in self._frames():
                if self._stop.is_set():
                    break
                self.frame.emit(to_qimage(rgb))
                self.frames_emitted += 1
                with self._latest_lock:
                    self._latest = rgb
                self._have_frame.set()
                next_at += self._period
                delay = next_at - time.perf_counter()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_at = time.perf_counter()
        except Exception as exc:  # noqa: BLE001 (a camera problem must not take the kiosk down)
            log.warning("preview stopped: %s", exc)
            self.failed.emit(str(exc))
        finally:
            self._stop.set()
            self._have_frame.set()
            if detect_thread is not None:
                detect_thread.join(2.0)

    # -- detector thread -----------------------------------------------------------------------------
    def _detect_loop(self, detector: Callable[[np.ndarray], list]) -> None:
        import cv2

        while not self._stop.is_set():
            self._have_frame.wait(0.5)
            self._have_frame.clear()
            with self._latest_lock:
                rgb, self._latest = self._latest, None
            if rgb is None or self._stop.is_set():
                continue
            h, w = rgb.shape[:2]
            f = min(1.0, DETECT_WIDTH / w)
            small = cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else rgb
            try:
                boxes = detector(small)
            except Exception as exc:  # noqa: BLE001
                log.info("preview face detection stopped: %s", exc)
                return
            brightness = float(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).mean())
            main = max(boxes, key=lambda b: b[2] * b[3]) if boxes else None
            box = None if main is None else tuple(round(v / f) for v in main)
            self.guidance.emit(Guidance(box, (w, h), brightness, len(boxes)))
            self._stop.wait(0.15)  # about 6 boxes a second is plenty, and leaves the CPU to the matcher
