"""SharedCamera: one device, many consumers, fresh frames each, a clean end, and the device released.

The device is a fake frame source (like ArraySource, but endless and paced like a camera); no hardware."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from biometrics.errors import BiometricsError, FrameSourceError
from biometrics.frames import Frame, FrameSource
from kiosk.assembly import Hardware
from kiosk.camera import SharedCamera


class FakeDevice(FrameSource):
    """An endless (or ``limit``-frame) camera at about ``fps``; counts openings and releases."""

    def __init__(self, log: dict[str, int], *, fps: float = 200.0, limit: int | None = None,
                 fail: BaseException | None = None) -> None:
        self.log, self.fps, self.limit, self.fail = log, fps, limit, fail
        self.log["opened"] = self.log.get("opened", 0) + 1
        self.log.setdefault("closed", 0)

    def frames(self) -> Iterator[Frame]:
        if self.fail is not None:
            raise self.fail
        i = 0
        while self.limit is None or i < self.limit:
            time.sleep(1.0 / self.fps)
            rgb = np.full((4, 4, 3), i % 256, np.uint8)
            yield Frame(rgb, i, i / self.fps)
            i += 1

    def close(self) -> None:
        self.log["closed"] += 1


def _camera(log: dict[str, int], **device) -> SharedCamera:
    return SharedCamera(lambda: FakeDevice(log, **device), frame_timeout_s=1.0, linger_s=0.2)


def _wait(predicate, timeout: float = 3.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_two_consumers_get_fresh_frames_from_one_device() -> None:
    log: dict[str, int] = {}
    camera = _camera(log)
    got: dict[str, list[int]] = {}

    def consume(name: str, count: int) -> None:
        got[name] = [frame.index for frame in camera.frames(count)]

    threads = [threading.Thread(target=consume, args=(name, 15)) for name in ("session", "preview")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert log["opened"] == 1  # one device for both
    for indices in got.values():
        assert len(indices) == 15
        assert indices == sorted(set(indices))  # every frame newer than the one before: never a repeat
    later = next(iter(camera.frames(1)))
    assert later.index > max(max(v) for v in got.values())  # a new consumer starts with a fresh frame
    frame, arrived = camera.latest()
    assert frame.index >= later.index and arrived > 0
    camera.close()
    assert log["closed"] == 1 and not camera.running


def test_a_consumer_that_stops_does_not_stop_the_others() -> None:
    log: dict[str, int] = {}
    camera = _camera(log)
    preview = camera.rgb_frames()
    first = next(preview)
    assert first.shape == (4, 4, 3) and camera.consumers == 1
    session = camera.frames(5)
    assert len(list(session)) == 5
    assert camera.consumers == 1  # the session's iterator ended at its max count
    next(preview)
    preview.close()  # the screen left the camera page
    assert camera.consumers == 0
    assert _wait(lambda: not camera.running)  # released after the linger time, with nobody reading
    assert log["closed"] == 1
    assert len(list(camera.frames(3))) == 3  # opened again on demand
    assert log["opened"] == 2
    camera.close()
    assert log["closed"] == 2


def test_close_releases_the_device_and_ends_every_consumer() -> None:
    log: dict[str, int] = {}
    camera = _camera(log)
    frames = camera.frames()
    next(frames)
    camera.close()
    assert log["closed"] == 1 and not camera.running
    assert list(frames) == []  # ends cleanly, no error
    with pytest.raises(FrameSourceError):
        next(camera.frames())
    camera.close()  # idempotent
    assert log["closed"] == 1


def test_a_camera_that_cannot_be_opened_raises_the_camera_error() -> None:
    camera = SharedCamera(lambda: FakeDevice({}, fail=FrameSourceError("cannot open camera")), frame_timeout_s=1.0)
    with pytest.raises(FrameSourceError) as err:
        list(camera.frames(5))
    assert err.value.message_key == "face.camera_unavailable" and "cannot open camera" in str(err.value)
    camera.close()


def test_a_dead_camera_ends_cleanly() -> None:
    log: dict[str, int] = {}
    camera = _camera(log, limit=0)  # opens, then delivers nothing
    assert list(camera.frames(8)) == []
    assert _wait(lambda: not camera.running) and log["closed"] == 1
    camera.close()


def test_a_camera_that_stops_midway_ends_the_consumers_that_had_frames() -> None:
    log: dict[str, int] = {}
    camera = _camera(log, limit=4)
    got = list(camera.frames(100))
    assert 1 <= len(got) <= 4
    camera.close()


def test_a_stalled_camera_raises_after_the_frame_timeout() -> None:
    log: dict[str, int] = {}
    camera = SharedCamera(lambda: FakeDevice(log, fps=0.2), frame_timeout_s=0.2, linger_s=0.0)
    start = time.monotonic()
    with pytest.raises(FrameSourceError, match="no frame"):
        next(camera.frames())
    assert time.monotonic() - start < 2.0
    camera.close(timeout_s=0.1)


def test_hardware_shares_a_camera_index_between_session_and_preview(monkeypatch) -> None:
    log: dict[str, int] = {}
    monkeypatch.setattr(SharedCamera, "from_spec", classmethod(lambda cls, spec, **kw: _camera(log)))
    hardware = Hardware(camera="0")
    preview = hardware.preview_frames()
    next(preview)
    assert len(list(hardware.frames(4))) == 4  # the session reads while the preview is open
    next(preview)
    assert log["opened"] == 1 and hardware.shared_camera() is hardware.shared_camera()
    preview.close()
    hardware.close()
    assert log["closed"] == 1
    assert Hardware(camera=None).shared_camera() is None  # the demo face is not a device


def test_the_session_reports_a_dead_shared_camera(monkeypatch) -> None:
    """The face step gets a biometrics error from the camera (the session maps it to its message key)."""
    log: dict[str, int] = {}
    dead = SharedCamera(lambda: FakeDevice(log, fail=FrameSourceError("camera delivered no frame")),
                        frame_timeout_s=0.5)
    monkeypatch.setattr(SharedCamera, "from_spec", classmethod(lambda cls, spec, **kw: dead))
    hardware = Hardware(camera="1")
    with pytest.raises(BiometricsError) as err:
        list(hardware.frames(8))
    assert err.value.message_key == "face.camera_unavailable"
    from kiosk.errors import KeyNotFound

    with pytest.raises(KeyNotFound):  # the QR step: no camera, so the number must be typed
        hardware.keys(0)
    hardware.close()
