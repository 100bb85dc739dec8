"""The face step overlapping the chip read: the camera works while the chip is read, stops at once when the
card goes, never opens without consent; a face the matcher cannot decide goes to staff with both images."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from biometrics.decision import DecisionBands
from biometrics.frames import Frame
from biometrics.matcher import Matcher, MatcherConfig
from biometrics.portrait import demo_face_rgb
from kiosk.outcomes import EventState, FailureKind, Outcome, Step
from kiosk.simulator import demo_card
from nfc.sim.link import ReaderFaults, SimulatedReader
from nfc.transport import InProcessConnection
from tests.kiosk.test_session import Kiosk


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


class EndlessCamera:
    """A camera that never runs out of frames and writes down each one taken, in the session's event list."""

    def __init__(self, log: list) -> None:
        self.log, self.pulled = log, 0

    def __call__(self):
        face = demo_face_rgb()
        for i in itertools.count():
            self.pulled += 1
            self.log.append("frame")
            yield Frame(face, i, i / 10)


def _capture_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "live-capture"]


class _WaitsForTheCamera:
    """A reader whose every APDU waits (at most 10 s) until the camera has given a frame: the read cannot end
    before the capture has started, however the two threads are scheduled."""

    def __init__(self, reader, seen: threading.Event) -> None:
        self.reader, self.seen = reader, seen

    def process(self, raw: bytes) -> bytes:
        self.seen.wait(10)
        return self.reader.process(raw)

    def __getattr__(self, name: str) -> object:
        return getattr(self.reader, name)


def test_the_camera_works_while_the_chip_is_read(tmp_path: Path, matcher: Matcher) -> None:
    kiosk = Kiosk(tmp_path, matcher)
    camera = EndlessCamera(kiosk.events)
    seen = threading.Event()

    def frames():
        for frame in camera():
            seen.set()
            yield frame

    kiosk.session._open_card = lambda: InProcessConnection(_WaitsForTheCamera(SimulatedReader(demo_card().card), seen))
    kiosk.session._camera = frames
    result = kiosk.session.run()
    assert result.outcome == Outcome.CHECKED_IN, result
    chip_done = next(i for i, e in enumerate(kiosk.events)
                     if e != "frame" and (e.step, e.state) == (Step.CHIP, EventState.DONE))
    key_done = next(i for i, e in enumerate(kiosk.events)
                    if e != "frame" and (e.step, e.state) == (Step.KEY, EventState.DONE))
    assert key_done < kiosk.events.index("frame") < chip_done  # after the key (QR), during the read
    assert result.evidence.face_match is True


def test_a_card_removed_during_the_read_stops_the_capture(tmp_path: Path, matcher: Matcher) -> None:
    kiosk = Kiosk(tmp_path, matcher, faults=ReaderFaults(remove_after=8))
    kiosk.session.config.max_frames = 10_000  # without a stop, the capture would run to the step's deadline
    camera = EndlessCamera([])
    kiosk.session._camera = camera
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.message_key) == (
        Outcome.ERROR, FailureKind.CARD, "chip.card_removed")
    for thread in _capture_threads():
        thread.join(30)  # a safety net for a stuck thread, not a speed check
    assert not _capture_threads()
    assert camera.pulled < 30  # stopped at the next frame, far from the 5 s deadline's worth
    assert not any(e.step == Step.FACE for e in kiosk.events)


def test_consent_declined_means_the_camera_never_opens(tmp_path: Path, matcher: Matcher) -> None:
    kiosk = Kiosk(tmp_path, matcher)
    camera = EndlessCamera([])
    kiosk.session._camera = camera
    kiosk.session._consent = lambda: False
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (
        Outcome.REFUSED, FailureKind.DECLINED, Step.CONSENT)
    assert camera.pulled == 0 and not _capture_threads()


def test_an_undecided_face_goes_to_staff_with_the_portrait_and_the_best_frame(tmp_path: Path,
                                                                              matcher: Matcher) -> None:
    unsure = Matcher(matcher.engine, MatcherConfig(bands=DecisionBands(0.01, 1.5), max_frames=3))
    kiosk = Kiosk(tmp_path, unsure)
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.message_key, result.failed_step) == (
        Outcome.REFUSED, FailureKind.STAFF, "face.refer", Step.FACE)
    review = result.face_review
    assert review is not None and review.portrait.ndim == 3 and review.live.ndim == 3
    assert 0.01 < review.distance <= 1.5
    assert "array" not in repr(review)  # the images never reach a log line by repr


def test_a_plain_no_match_carries_no_images(tmp_path: Path, matcher: Matcher) -> None:
    strict = Matcher(matcher.engine, MatcherConfig(bands=DecisionBands.single(0.01)))
    result = Kiosk(tmp_path, strict).session.run()
    assert (result.message_key, result.failure.kind) == ("face.no_match", FailureKind.STAFF)
    assert result.face_review is None
