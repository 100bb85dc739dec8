"""Frame sources: one interface over a camera index, a video file, an image folder or still images.

Every frame carries a timestamp in seconds: a camera's from the injected clock, a video's from its
position, an image folder's or a still's from a nominal frame rate (so tests are exact).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from biometrics.errors import FrameSourceError
from biometrics.portrait import as_rgb, read_image_rgb

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".jp2", ".j2k", ".tif", ".tiff", ".webp")


@dataclass(frozen=True, eq=False)
class Frame:
    """One RGB frame (read-only array), its index in the source and its timestamp in seconds."""

    rgb: np.ndarray = field(repr=False)
    index: int
    timestamp_s: float


class FrameSource:
    """Base class: iterate :meth:`frames`; use as a context manager to release the device or file."""

    def frames(self) -> Iterator[Frame]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def close(self) -> None:
        """Release the device or file (idempotent)."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bgr_to_rgb(bgr: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    rgb.setflags(write=False)
    return rgb


class _CaptureSource(FrameSource):
    def __init__(self, target: int | str, max_frames: int | None) -> None:
        self._target = target
        self._max = max_frames
        self._cap: cv2.VideoCapture | None = None

    def _open(self) -> cv2.VideoCapture:
        if self._cap is None:
            cap = cv2.VideoCapture(self._target)
            if not cap.isOpened():
                cap.release()
                raise FrameSourceError(f"cannot open {'camera' if isinstance(self._target, int) else 'video'}")
            self._cap = cap
        return self._cap

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class CameraSource(_CaptureSource):
    """A camera by OpenCV index; timestamps from ``clock`` (seconds since the first frame)."""

    def __init__(self, index: int = 0, *, max_frames: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(index, max_frames)
        self._clock = clock

    def frames(self) -> Iterator[Frame]:
        cap = self._open()
        start = None
        i = 0
        while self._max is None or i < self._max:
            ok, bgr = cap.read()
            if not ok or bgr is None:
                if i == 0:
                    raise FrameSourceError("camera delivered no frame")
                return
            now = self._clock()
            start = now if start is None else start
            yield Frame(_bgr_to_rgb(bgr), i, now - start)
            i += 1


class VideoFileSource(_CaptureSource):
    """A video file; timestamps from the frame index and the file's frame rate. ``step`` skips frames."""

    def __init__(self, path: str | os.PathLike[str], *, max_frames: int | None = None, step: int = 1,
                 start_s: float = 0.0) -> None:
        if not Path(path).is_file():
            raise FrameSourceError("video file not found")
        super().__init__(str(path), max_frames)
        self._step = max(1, int(step))
        self._start_s = start_s

    def frames(self) -> Iterator[Frame]:
        cap = self._open()
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        if fps <= 0 or fps > 1000:
            fps = 25.0
        if self._start_s > 0:
            cap.set(cv2.CAP_PROP_POS_FRAMES, round(self._start_s * fps))
        first = round(self._start_s * fps)
        n = 0
        pos = first
        while self._max is None or n < self._max:
            ok, bgr = cap.read()
            if not ok or bgr is None:
                if n == 0:
                    raise FrameSourceError("video has no readable frame")
                return
            if (pos - first) % self._step == 0:
                yield Frame(_bgr_to_rgb(bgr), pos, pos / fps)
                n += 1
            pos += 1


class ArraySource(FrameSource):
    """Frames from RGB arrays in memory, at a nominal frame rate (the demo camera, tests)."""

    def __init__(self, images: Iterable[np.ndarray], *, fps: float = 10.0, repeat: int = 1) -> None:
        self._images = [as_rgb(im) for im in images]
        self._fps = fps
        self._repeat = max(1, int(repeat))

    def frames(self) -> Iterator[Frame]:
        i = 0
        for _ in range(self._repeat):
            for im in self._images:
                yield Frame(im, i, i / self._fps)
                i += 1


class ImageFolderSource(FrameSource):
    """Image files of a folder in name order, at a nominal frame rate."""

    def __init__(self, folder: str | os.PathLike[str], *, fps: float = 10.0, max_frames: int | None = None) -> None:
        try:
            self._paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        except OSError as exc:
            raise FrameSourceError(f"image folder cannot be read ({exc.strerror})") from exc
        if not self._paths:
            raise FrameSourceError("image folder has no images")
        self._fps = fps
        self._max = max_frames

    def frames(self) -> Iterator[Frame]:
        for i, p in enumerate(self._paths[: self._max]):
            yield Frame(read_image_rgb(p), i, i / self._fps)


def open_source(spec: str | int | os.PathLike[str], *, max_frames: int | None = None,
                clock: Callable[[], float] = time.monotonic) -> FrameSource:
    """A source from a camera index (``0`` or ``"0"``), an image folder, an image file, or a video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isascii() and spec.isdigit()):
        return CameraSource(int(spec), max_frames=max_frames, clock=clock)
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path, max_frames=max_frames)
    if not path.is_file():
        raise FrameSourceError("no such camera, image, folder or video")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ArraySource([read_image_rgb(path)])
    return VideoFileSource(path, max_frames=max_frames)


def take(source: FrameSource | Sequence[Frame], n: int) -> list[Frame]:
    """The first ``n`` frames of a source."""
    out: list[Frame] = []
    for f in source:
        if len(out) >= n:
            break
        out.append(f)
    return out
