"""Live capture: frames in, the best faces' encodings out, on the caller's thread or a background one.

The camera's frames are detected, measured against the quality gates and ranked; at the end of each round
of frames the best ``top_k`` are encoded (only those: a frame that drops out of the ranking is never
encoded), so that when the portrait is ready only the comparison remains.
The kiosk runs this while the chip is read (:meth:`LiveCapture.start`) and stops it at once when the card
is removed or the read fails (:meth:`LiveCapture.stop`). Frames and encodings live in memory only.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from biometrics import errors
from biometrics.engine import FaceEngine
from biometrics.faces import FaceObservation, encoding_view, find_main_face
from biometrics.frames import Frame
from biometrics.quality import FaceQuality, QualityGates, check, measure


@dataclass(frozen=True, eq=False)
class LiveSample:
    """The best live frames' encodings and qualities (best first), and what was rejected.

    ``best_frame`` is the best-quality frame itself, kept in memory for a referral to staff (shown beside
    the chip portrait on the operator panel, never stored)."""

    encodings: tuple[np.ndarray, ...] = field(repr=False)
    qualities: tuple[FaceQuality, ...]
    frame_indexes: tuple[int, ...]
    frame_timestamps: tuple[float, ...]
    frames_seen: int
    rejected: tuple[tuple[str, int], ...]
    detect_s: float
    encode_s: float
    best_frame: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CaptureConfig:
    gates: QualityGates = field(default_factory=QualityGates)
    top_k: int = 3  # best-quality frames encoded and fused
    jitters: int = 1
    small_faces: bool = True  # upsampled detection and an upscaled crop for faces below SMALL_FACE_PX


@dataclass(eq=False)
class _Candidate:
    quality: FaceQuality
    frame: Frame
    obs: FaceObservation
    encoding: np.ndarray | None = None


class CaptureLoop:
    """Taking frames in rounds, on the caller's thread or a background one; :meth:`offer` and
    :meth:`encode_best` say what is done with them."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def offer(self, frame: Frame) -> None:
        raise NotImplementedError

    def encode_best(self) -> None:
        raise NotImplementedError

    def consume(self, frames: Iterable[Frame], *, max_frames: int, window_s: float) -> int:
        """Offer up to ``max_frames`` frames spanning at most ``window_s`` seconds; returns how many were
        offered (fewer when the source ends or :meth:`stop` is called)."""
        n = 0
        first: float | None = None
        for frame in frames:
            first = frame.timestamp_s if first is None else first
            if self._stop.is_set() or frame.timestamp_s - first > window_s:
                break
            self.offer(frame)
            n += 1
            if n >= max_frames:
                break
        self.encode_best()
        return n

    # -- in the background -----------------------------------------------------------------------------
    def start(self, frames: Iterable[Frame], *, max_frames: int, window_s: float = float("inf")) -> None:
        """Consume ``frames`` on a daemon thread until ``max_frames``, the source's end, or :meth:`stop`."""

        def body() -> None:
            try:
                self.consume(frames, max_frames=max_frames, window_s=window_s)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller by wait()
                self._error = exc

        self._thread = threading.Thread(target=body, name="live-capture", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop taking frames (the frame being processed is finished). Idempotent."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the background thread; re-raises what it raised (e.g. a camera failure)."""
        if self._thread is not None:
            self._thread.join(timeout)
        if self._error is not None:
            raise self._error

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


class LiveCapture(CaptureLoop):
    """Collects live frames for one person. Thread-safe: one thread offers frames, another reads samples."""

    def __init__(self, engine: FaceEngine, config: CaptureConfig | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.engine = engine
        self.config = config or CaptureConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._encode_lock = threading.Lock()
        self._ranked: list[_Candidate] = []
        self._failures: list[errors.NoUsableFace] = []
        self._seen = 0
        self._detect_s = 0.0
        self._encode_s = 0.0
        super().__init__()

    @property
    def frames_seen(self) -> int:
        return self._seen

    @property
    def has_sample(self) -> bool:
        """At least one frame has passed the gates."""
        with self._lock:
            return bool(self._ranked)

    def offer(self, frame: Frame) -> None:
        """Detect, gate and rank one frame (encoding waits for the round's end: :meth:`encode_best`)."""
        t0 = self._clock()
        try:
            obs = find_main_face(self.engine, frame.rgb, where="live", small_faces=self.config.small_faces)
            q = measure(frame.rgb, obs)
            check(q, self.config.gates, where="live")
        except errors.NoUsableFace as exc:
            with self._lock:
                self._seen += 1
                self._failures.append(exc)
                self._detect_s += self._clock() - t0
            return
        with self._lock:
            self._seen += 1
            self._detect_s += self._clock() - t0
            self._ranked.append(_Candidate(q, frame, obs))
            self._ranked.sort(key=lambda c: -c.quality.score)
            del self._ranked[max(1, self.config.top_k):]

    def encode_best(self) -> None:
        """Encode the ranked frames not encoded yet (idempotent; safe from any thread)."""
        with self._encode_lock:
            with self._lock:
                todo = [c for c in self._ranked if c.encoding is None]
            t0 = self._clock()
            for cand in todo:
                rgb, box = encoding_view(cand.frame.rgb, cand.obs.detection, self.config.small_faces)
                cand.encoding = self.engine.encode(rgb, box, self.config.jitters)
            with self._lock:
                self._encode_s += self._clock() - t0

    def sample(self) -> LiveSample:
        """The best frames so far. Raises :class:`~biometrics.errors.NoUsableFace` (``where="live"``), with
        the commonest reason, when no frame has passed the gates."""
        self.encode_best()
        with self._lock:
            used = [c for c in self._ranked if c.encoding is not None]
            failures = list(self._failures)
            seen, detect_s, encode_s = self._seen, self._detect_s, self._encode_s
        if not used:
            if not failures:
                raise errors.NoFaceFound("no live frame", where="live")
            common = Counter(f.reason for f in failures).most_common(1)[0][0]
            raise next(f for f in failures if f.reason == common)
        return LiveSample(
            encodings=tuple(c.encoding for c in used),  # type: ignore[misc]
            qualities=tuple(c.quality for c in used),
            frame_indexes=tuple(c.frame.index for c in used),
            frame_timestamps=tuple(c.frame.timestamp_s for c in used),
            frames_seen=seen,
            rejected=tuple(sorted(Counter(f.reason for f in failures).items())),
            detect_s=detect_s,
            encode_s=encode_s,
            best_frame=used[0].frame.rgb,
        )
