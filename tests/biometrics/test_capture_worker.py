"""The live capture in a worker process: the same sample as in this process, typed errors carried over."""

from __future__ import annotations

import pytest

from biometrics import errors
from biometrics.capture import CaptureConfig, LiveCapture
from biometrics.capture_worker import CaptureWorker
from biometrics.frames import Frame


@pytest.fixture(scope="module")
def worker():
    w = CaptureWorker()
    yield w
    w.close()
    assert not w.alive


def test_the_worker_gives_the_same_sample_as_this_process(worker, engine, live_frames):
    frames = [Frame(im, i, i / 10) for i, im in enumerate(live_frames)]
    remote = worker.capture(CaptureConfig(top_k=3))
    remote.start(iter(frames), max_frames=len(frames))
    remote.wait()
    local = LiveCapture(engine, CaptureConfig(top_k=3))
    local.consume(frames, max_frames=len(frames), window_s=10)
    got, want = remote.sample(), local.sample()
    assert got.frame_indexes == want.frame_indexes and got.frames_seen == want.frames_seen == 6
    assert all(abs(a - b).max() < 1e-6 for a, b in zip(got.encodings, want.encodings, strict=True))
    assert remote.has_sample and remote.frames_seen == 6 and not remote.running


def test_a_typed_error_in_the_worker_is_raised_here(worker):
    remote = worker.capture(CaptureConfig())
    with pytest.raises(errors.NoFaceFound):
        remote.sample()
    remote.stop()
    assert remote.consume(iter([]), max_frames=5, window_s=1) == 0 and remote.stopped
