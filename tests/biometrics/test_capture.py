"""LiveCapture: frames ranked and encoded on a background thread, stopped at once when asked."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from biometrics import errors
from biometrics.capture import CaptureConfig, LiveCapture
from biometrics.frames import Frame
from biometrics.portrait import decode_portrait


def test_background_capture_keeps_the_best_frames_encoded(engine, matcher, chip_bytes, live_frames):
    black = np.zeros((480, 640, 3), np.uint8)
    frames = [Frame(im, i, i / 10) for i, im in enumerate([black, *live_frames])]
    cap = LiveCapture(engine, CaptureConfig(top_k=3))
    cap.start(iter(frames), max_frames=len(frames))
    cap.wait()
    sample = cap.sample()
    assert sample.frames_seen == 7 and len(sample.encodings) == 3 and dict(sample.rejected) == {"none_found": 1}
    assert list(sample.qualities) == sorted(sample.qualities, key=lambda q: -q.score)
    assert sample.best_frame is not None and sample.best_frame.shape[2] == 3  # in memory, for staff
    verdict = matcher.compare(matcher.enroll(decode_portrait(chip_bytes)), sample)
    assert verdict.match and verdict.frames_used == 3


def test_stop_ends_the_capture_before_the_next_frame(engine, live_frames):
    pulled = []
    two_seen = threading.Event()

    def camera():  # an endless camera
        for i, im in enumerate(itertools.cycle(live_frames)):
            pulled.append(i)
            if len(pulled) == 3:
                two_seen.wait()
            yield Frame(im, i, i / 10)

    cap = LiveCapture(engine)
    cap.start(camera(), max_frames=10_000)
    while cap.frames_seen < 2:
        threading.Event().wait(0.01)
    cap.stop()
    two_seen.set()
    cap.wait()
    assert not cap.running and cap.stopped
    assert len(pulled) == 3 and cap.frames_seen == 2  # the frame pulled after stop() is not processed


def test_a_camera_failure_is_handed_to_the_caller(engine):
    def broken():
        raise errors.FrameSourceError("camera delivered no frame")
        yield  # pragma: no cover

    cap = LiveCapture(engine)
    cap.start(broken(), max_frames=5)
    with pytest.raises(errors.FrameSourceError):
        cap.wait()
    with pytest.raises(errors.NoFaceFound):
        cap.sample()
