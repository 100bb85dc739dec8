"""1:1 decisions: genuine and impostor pairs from PyPI-shipped images, bands, quality gates, multi-frame."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from biometrics import errors
from biometrics.decision import MATCH_MAX, REFER_MAX, DecisionBands, FaceDecision
from biometrics.frames import ArraySource
from biometrics.matcher import Matcher, MatcherConfig, Verdict
from biometrics.portrait import Portrait, decode_portrait
from biometrics.quality import QualityGates


def test_genuine_chip_portrait_vs_camera_like_frames(matcher, chip_bytes, live_frames):
    portrait = decode_portrait(chip_bytes)
    template = matcher.enroll(portrait)
    for frame in live_frames:
        v = matcher.decide(template, frame)
        assert v.decision is FaceDecision.MATCH and v.match, v.distance
        assert v.distance < MATCH_MAX - 0.1
        assert (v.threshold, v.refer_threshold) == (MATCH_MAX, REFER_MAX)


def test_genuine_under_augmentations(matcher, chip_bytes, live_frames):
    template = matcher.enroll(decode_portrait(chip_bytes))
    base = live_frames[0]
    variants = {
        "mirrored": np.ascontiguousarray(base[:, ::-1]),
        "darker": np.clip(base.astype(int) * 0.6, 0, 255).astype(np.uint8),
        "brighter": np.clip(base.astype(int) * 1.25 + 10, 0, 255).astype(np.uint8),
        "rotated": cv2.warpAffine(base, cv2.getRotationMatrix2D((320, 240), 12, 1.0), (640, 480)),
        "soft": cv2.GaussianBlur(base, (0, 0), 1.2),
    }
    for name, img in variants.items():
        v = matcher.decide(template, img)
        assert v.match, (name, v.distance)


def _lfw_faces(n: int) -> list[np.ndarray]:
    from skimage import data

    faces = data.lfw_subset()[:100]  # 100 faces (25x25 grey) of people other than the astronaut
    out = []
    for f in faces[:n]:
        img = cv2.resize((f * 255).astype(np.uint8), (200, 200), interpolation=cv2.INTER_CUBIC)
        out.append(np.stack([img] * 3, axis=-1))
    return out


def test_impostor_portraits_are_rejected(engine, live_frames):
    # Low-resolution LFW faces are soft: relax only the portrait gates, keep the threshold.
    m = Matcher(engine, MatcherConfig(portrait_gates=QualityGates.off()))
    sample = m.observe(live_frames[0])
    decided = 0
    for face in _lfw_faces(40):
        try:
            template = m.enroll(Portrait.from_rgb(face))
        except errors.NoUsableFace:
            continue
        v = m.compare(template, sample)
        decided += 1
        assert v.decision is FaceDecision.NO_MATCH and not v.match, v.distance
        assert v.distance > REFER_MAX
    assert decided >= 30


def test_verdict_fields(matcher, chip_bytes, live_frames):
    v = matcher.decide(decode_portrait(chip_bytes), live_frames[0])
    assert isinstance(v, Verdict)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.match = False  # type: ignore[misc]
    d = v.as_dict()
    for key in ("decision", "match", "distance", "threshold", "refer_threshold", "quality", "elapsed_s",
                "timings", "frame_index", "rounds"):
        assert key in d
    assert d["decision"] == "match" and d["match"] is True
    assert d["quality"]["face_px"] >= 80
    assert v.elapsed_s > 0 and v.frames_used == 1


def test_multi_frame_uses_best_frames_and_skips_bad_ones(matcher, chip_bytes, live_frames):
    black = np.zeros((480, 640, 3), np.uint8)
    frames = [black, live_frames[0], black, live_frames[1], live_frames[2], live_frames[3]]
    v = matcher.decide(decode_portrait(chip_bytes), ArraySource(frames, fps=10))
    assert v.match and v.frames_seen == 6 and v.frames_used == 3
    assert dict(v.rejected) == {"none_found": 2}
    assert v.frame_index in (1, 3, 4, 5)
    assert abs(v.distance - np.mean(v.distances)) < 1e-9


def test_multi_frame_window_and_limit(engine, chip_bytes, live_frames):
    m = Matcher(engine, MatcherConfig(max_frames=3, window_s=10))
    v = m.decide(decode_portrait(chip_bytes), ArraySource(live_frames, fps=10))
    assert v.frames_seen == 3
    m = Matcher(engine, MatcherConfig(window_s=0.15))
    v = m.decide(decode_portrait(chip_bytes), ArraySource(live_frames, fps=10))
    assert v.frames_seen == 2  # timestamps 0.0 and 0.1 are inside the window


def _two_faces(astronaut):
    face = astronaut[0:300, 70:370]
    return np.hstack([cv2.resize(face, (320, 320)), cv2.resize(face[:, ::-1], (320, 320))])


@pytest.mark.parametrize(
    ("case", "error", "reason"),
    [
        ("black", errors.NoFaceFound, "none_found"),
        ("faceless", errors.NoFaceFound, "none_found"),
        ("two_faces", errors.SeveralFaces, "several_faces"),
        ("tiny", errors.FaceTooSmall, "too_small"),
        ("blurred", errors.FaceTooBlurred, "too_blurred"),
        ("dark", errors.BadExposure, "bad_exposure"),
    ],
)
def test_live_faces_without_a_usable_face(matcher, chip_bytes, astronaut, case, error, reason):
    from skimage import data

    images = {
        "black": np.zeros((480, 640, 3), np.uint8),
        "faceless": data.coffee(),
        "two_faces": _two_faces(astronaut),
        "tiny": cv2.resize(astronaut, (128, 128), interpolation=cv2.INTER_AREA),
        "blurred": cv2.GaussianBlur(astronaut, (0, 0), 3),
        "dark": (astronaut * 0.15).astype(np.uint8),
    }
    with pytest.raises(error) as info:
        matcher.decide(decode_portrait(chip_bytes), images[case])
    assert info.value.reason == reason and info.value.where == "live"
    assert info.value.message_key.startswith("face.")


def test_faceless_portrait(matcher, astronaut):
    from skimage import data

    ok, buf = cv2.imencode(".jp2", data.coffee())
    with pytest.raises(errors.NoFaceFound) as info:
        matcher.decide(decode_portrait(buf.tobytes()), astronaut)
    assert info.value.where == "portrait"


def test_small_portrait_is_upsampled(matcher, astronaut):
    # A 120x160 portrait (face ~45 px) is still found by upsampling the detector.
    crop = astronaut[0:300, 70:295]
    small = cv2.resize(crop, (120, 160), interpolation=cv2.INTER_AREA)
    v = matcher.decide(Portrait.from_rgb(small), astronaut)
    assert v.match


def test_bands_decide_each_side_of_each_limit():
    bands = DecisionBands(0.5, 0.6)
    assert [bands.decide(d) for d in (0.1, 0.5, 0.5001, 0.6, 0.61)] == [
        FaceDecision.MATCH, FaceDecision.MATCH, FaceDecision.REFER, FaceDecision.REFER, FaceDecision.NO_MATCH]
    assert DecisionBands.single(0.5).decide(0.51) is FaceDecision.NO_MATCH
    assert FaceDecision.REFER == "refer" and str(FaceDecision.NO_MATCH) == "no_match"
    for bad in ((0.6, 0.5), (0.0, 0.5), (0.5, 2.0)):
        with pytest.raises(ValueError):
            DecisionBands(*bad)


def test_a_referred_decision_takes_another_round_of_frames(engine, chip_bytes, live_frames):
    # A band so wide that the genuine distance is referred: the matcher looks at a second round, then stands.
    m = Matcher(engine, MatcherConfig(bands=DecisionBands(0.01, 1.5), max_frames=3, refer_rounds=1))
    v = m.decide(decode_portrait(chip_bytes), ArraySource(live_frames, fps=10))
    assert v.decision is FaceDecision.REFER and not v.match
    assert v.rounds == 2 and v.frames_seen == 6 and v.frames_used == 3
    m = Matcher(engine, MatcherConfig(max_frames=3, refer_rounds=1))
    v = m.decide(decode_portrait(chip_bytes), ArraySource(live_frames, fps=10))
    assert v.decision is FaceDecision.MATCH and v.rounds == 1 and v.frames_seen == 3


def test_a_small_live_face_is_detected_upsampled_and_matched(matcher, chip_bytes, astronaut):
    # The whole 512 px astronaut shrunk to 256 px: a face of about 50 px, half that of a kiosk frame.
    small = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    v = matcher.decide(decode_portrait(chip_bytes), small)
    assert v.match and v.quality.face_px < 100 and "face_small" in v.notes
