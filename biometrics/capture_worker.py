"""The live capture in a worker process, so that the chip read and the face work use both cores.

dlib keeps Python's GIL for each detection or encoding (20-50 ms), so a capture thread makes the chip
thread wait at every APDU. Here one worker process per kiosk process holds its own face models and its own
:class:`~biometrics.capture.LiveCapture`; the kiosk's thread only reads the camera and sends each frame down a
pipe (waiting on the pipe releases the GIL). :class:`RemoteCapture` has the same interface as
:class:`~biometrics.capture.LiveCapture`. Frames and encodings cross the pipe in memory only.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from typing import Any

from biometrics.capture import CaptureConfig, CaptureLoop, LiveSample
from biometrics.errors import ModelsUnavailable
from biometrics.frames import Frame

_shared_lock = threading.Lock()
_shared: CaptureWorker | None = None


def _serve(conn) -> None:  # the worker process
    from biometrics.capture import LiveCapture
    from biometrics.engine import FaceEngine

    capture = None
    try:
        engine = FaceEngine.default()  # loaded once, while the kiosk waits for its first card
    except BaseException as exc:  # noqa: BLE001 - reported with the first request, not a dead worker
        engine, failure = None, exc
    while True:
        try:
            op, arg = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if op == "quit":
                return
            if op == "new":
                if engine is None:
                    raise failure
                capture = LiveCapture(engine, arg)
                reply: Any = None
            elif op == "offer":  # encoded at once: this core is the worker's, so the best are ready sooner
                capture.offer(arg)
                capture.encode_best()
                reply = (capture.has_sample, capture.frames_seen)
            elif op == "encode":
                capture.encode_best()
                reply = None
            elif op == "sample":
                reply = capture.sample()
            else:
                raise ValueError(f"unknown request {op!r}")
            conn.send(("ok", reply))
        except BaseException as exc:  # noqa: BLE001 - handed to the kiosk's process, re-raised there
            conn.send(("error", exc))


class CaptureWorker:
    """One worker process; :meth:`shared` starts it once per process, on first use."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads (Qt, the session)
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child,), name="face-capture", daemon=True)
        self._proc.start()
        child.close()
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> CaptureWorker:
        global _shared
        with _shared_lock:
            if _shared is None or not _shared.alive:
                _shared = cls()
                atexit.register(_shared.close)
            return _shared

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    def call(self, op: str, arg: Any = None) -> Any:
        with self._lock:
            try:
                self._conn.send((op, arg))
                status, value = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                raise ModelsUnavailable("the face capture worker stopped") from exc
        if status == "error":
            raise value
        return value

    def capture(self, config: CaptureConfig) -> RemoteCapture:
        return RemoteCapture(self, config)

    def close(self) -> None:
        """Stop the worker (idempotent)."""
        if self._proc.is_alive():
            try:
                with self._lock:
                    self._conn.send(("quit", None))
            except (OSError, BrokenPipeError):
                pass
            self._proc.join(5)
            if self._proc.is_alive():
                self._proc.terminate()
        self._conn.close()


class RemoteCapture(CaptureLoop):
    """:class:`~biometrics.capture.LiveCapture`'s interface, the work done in a :class:`CaptureWorker`."""

    def __init__(self, worker: CaptureWorker, config: CaptureConfig) -> None:
        super().__init__()
        self._worker = worker
        worker.call("new", config)
        self._state = (False, 0)  # (has_sample, frames_seen) as of the last frame offered

    @property
    def frames_seen(self) -> int:
        return self._state[1]

    @property
    def has_sample(self) -> bool:
        return self._state[0]

    def offer(self, frame: Frame) -> None:
        self._state = self._worker.call("offer", frame)

    def encode_best(self) -> None:
        self._worker.call("encode")

    def sample(self) -> LiveSample:
        return self._worker.call("sample")


def worker_capture(config: CaptureConfig) -> RemoteCapture:
    """A capture in the process's shared worker (a ``capture_factory`` for :class:`~biometrics.matcher.Matcher`)."""
    return CaptureWorker.shared().capture(config)

