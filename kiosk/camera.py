"""Frames for the screen's live preview and the face box in them, so ``ui/`` never reaches into
:mod:`biometrics` itself: the demo face gently moving, any camera spec's frames, the detector the
matcher uses, and :class:`SharedCamera`, the one owner of a real camera that the session (QR code, face,
liveness) and the preview read from at the same time (a camera index cannot be opened twice)."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from biometrics.errors import FrameSourceError, ModelsUnavailable

if TYPE_CHECKING:  # biometrics.frames loads OpenCV: only when frames are really read
    from biometrics.frames import Frame, FrameSource

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
        if spec.isascii() and spec.isdigit():
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


# -- one camera, many readers ---------------------------------------------------------------------------
@dataclass(eq=False)
class _Capture:
    """One opening of the device: its reader thread and how it ended."""

    thread: threading.Thread | None = None
    ended: bool = False
    error: BaseException | None = None
    frames: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


class SharedCamera:
    """One frame source (a camera) read on a background thread; any number of consumers get its frames.

    The device is opened when the first consumer asks for frames and released ``linger_s`` after the last
    one stopped (so the face step followed by the liveness step, or the preview starting a moment after the
    session, do not reopen it), or at :meth:`close`. The latest frame is kept with the time it arrived; each
    consumer's iterator (:meth:`frames`) yields only frames newer than the one it had, so every consumer
    gets fresh frames at the camera's own rate and a slow consumer simply skips frames.

    A consumer's iterator ends when it reaches ``max_frames``, when the consumer stops iterating (closes the
    generator), when the device ends, or at :meth:`close`. A camera that cannot be opened or delivers no frame
    raises :class:`~biometrics.errors.FrameSourceError` (message key ``face.camera_unavailable``) to a
    consumer that got nothing yet, and a camera that stalls for ``frame_timeout_s`` does the same; a consumer
    that already had frames just ends (the matcher then decides on what it saw, or reports no face).
    """

    def __init__(self, open_source: Callable[[], FrameSource], *, frame_timeout_s: float = 5.0,
                 linger_s: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._open_source = open_source
        self._frame_timeout_s = frame_timeout_s
        self._linger_s = linger_s
        self._clock = clock
        self._cond = threading.Condition()
        self._capture: _Capture | None = None
        self._latest: Frame | None = None
        self._latest_at = 0.0
        self._seq = 0
        self._consumers = 0
        self._idle_since: float | None = None
        self._closed = False

    @classmethod
    def from_spec(cls, spec: str | int, **kwargs) -> SharedCamera:
        """A shared camera over :func:`biometrics.frames.open_source` (a camera index, usually)."""
        from biometrics.frames import open_source

        return cls(lambda: open_source(spec), **kwargs)

    # -- state ---------------------------------------------------------------------------------------
    @property
    def consumers(self) -> int:
        with self._cond:
            return self._consumers

    @property
    def running(self) -> bool:
        """True while the device is open (or being opened) by the reader thread."""
        with self._cond:
            capture = self._capture
        return capture is not None and capture.thread is not None and capture.thread.is_alive()

    def latest(self) -> tuple[Frame, float] | None:
        """The newest frame and when it arrived (on ``clock``), or None before the first frame."""
        with self._cond:
            return None if self._latest is None else (self._latest, self._latest_at)

    # -- consumers -----------------------------------------------------------------------------------
    def frames(self, max_frames: int | None = None) -> Iterator[Frame]:
        """Fresh frames for one consumer (see the class documentation for how the iterator ends)."""
        with self._cond:
            if self._closed:
                raise FrameSourceError("the camera is closed")
            self._consumers += 1
            self._idle_since = None
            try:
                capture = self._ensure_capture()
            except BaseException:
                self._release_consumer()
                raise
            seen = self._seq
        count = 0
        try:
            while max_frames is None or count < max_frames:
                with self._cond:
                    deadline = self._clock() + self._frame_timeout_s
                    while self._seq == seen and not capture.ended and not self._closed:
                        remaining = deadline - self._clock()
                        if remaining <= 0:
                            break
                        self._cond.wait(remaining)
                    if self._seq != seen and not self._closed:
                        frame, seen = self._latest, self._seq
                    elif self._closed:
                        return
                    elif count:
                        return  # the device ended or stalled after this consumer had frames
                    elif capture.error is not None:
                        raise FrameSourceError(f"camera: {capture.error}") from capture.error
                    elif capture.ended:
                        return  # the device ended without a frame: nothing to see
                    else:
                        raise FrameSourceError(f"the camera delivered no frame in {self._frame_timeout_s:g} s")
                yield frame
                count += 1
        finally:
            with self._cond:
                self._release_consumer()

    def rgb_frames(self, max_frames: int | None = None) -> Iterator[np.ndarray]:
        """:meth:`frames` as plain RGB arrays (for the screen's preview)."""
        for frame in self.frames(max_frames):
            yield frame.rgb

    def close(self, timeout_s: float = 3.0) -> None:
        """Release the device and end every consumer's iterator; later :meth:`frames` calls raise."""
        with self._cond:
            self._closed = True
            capture = self._capture
            if capture is not None:
                capture.stop.set()
            self._cond.notify_all()
        if capture is not None and capture.thread is not None and capture.thread is not threading.current_thread():
            capture.thread.join(timeout_s)

    def __enter__(self) -> SharedCamera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals (with self._cond held) ------------------------------------------------------------
    def _release_consumer(self) -> None:
        self._consumers -= 1
        if self._consumers == 0:
            self._idle_since = self._clock()
        self._cond.notify_all()

    def _ensure_capture(self) -> _Capture:
        capture = self._capture
        if capture is not None and not capture.ended and not capture.stop.is_set():
            return capture
        previous = capture
        capture = _Capture()
        thread = threading.Thread(target=self._read, args=(capture, previous), name="kiosk-camera", daemon=True)
        capture.thread = thread
        self._capture = capture
        thread.start()
        return capture

    def _should_stop(self, capture: _Capture) -> bool:
        if self._closed or capture.stop.is_set():
            return True
        idle = self._consumers == 0 and self._idle_since is not None
        return idle and self._clock() - self._idle_since >= self._linger_s

    # -- reader thread -------------------------------------------------------------------------------
    def _read(self, capture: _Capture, previous: _Capture | None) -> None:
        if previous is not None and previous.thread is not None:
            previous.thread.join()  # the device is released before it is opened again
        source: FrameSource | None = None
        try:
            if not capture.stop.is_set() and not self._closed:
                source = self._open_source()
                for frame in source.frames():
                    with self._cond:
                        self._latest, self._latest_at = frame, self._clock()
                        self._seq += 1
                        capture.frames += 1
                        self._cond.notify_all()
                        if self._should_stop(capture):
                            capture.stop.set()
                            break
        except Exception as exc:  # noqa: BLE001 (an OpenCV or device error is handed to the consumers)
            log.warning("camera stopped: %s", exc)
            with self._cond:
                capture.error = exc
        finally:
            try:
                if source is not None:
                    source.close()
            finally:
                with self._cond:
                    capture.ended = True
                    self._cond.notify_all()
