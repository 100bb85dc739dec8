"""Liveness: synthesised photo attacks are rejected; a synthetic 3D head turn in the asked way passes."""

from __future__ import annotations

import random

import numpy as np
import pytest

from biometrics import synth
from biometrics.faces import find_main_face
from biometrics.frames import ArraySource
from biometrics.liveness import Challenge, LivenessChecker, LivenessConfig, choose_challenge


@pytest.fixture(scope="module")
def head(astronaut, engine):
    crop = np.ascontiguousarray(astronaut[0:300, 70:370])
    return crop, find_main_face(engine, crop)


@pytest.fixture(scope="module")
def checker(engine):
    return LivenessChecker(engine, rng=random.Random(3))


def test_challenge_is_random_and_injectable():
    picks = {choose_challenge(random.Random(s)) for s in range(20)}
    assert picks == {Challenge.TURN_LEFT, Challenge.TURN_RIGHT}
    assert [choose_challenge(random.Random(7)) for _ in range(3)] == [choose_challenge(random.Random(7))] * 3


def test_photo_attacks_are_rejected(checker, head):
    crop, _ = head
    rng = random.Random(0)
    grid = [(n, f) for n, f in synth.attack_grid(crop, rng) if not n.startswith("bent_rolled")]
    results = [(name, c, checker.check(frames, c)) for name, frames in grid for c in Challenge]
    accepted = [(n, c.value, r.turn, r.planar_residual) for n, c, r in results if r.passed]
    assert not accepted
    assert {r.reason for _, _, r in results} <= {"no_turn", "wrong_direction", "planar_motion"}


def test_still_photo_held_up_is_rejected(checker, head):
    crop, _ = head
    frames = synth.photo_attack(crop, yaws=np.zeros(8))
    r = checker.check(ArraySource(frames), Challenge.TURN_LEFT)
    assert not r.passed and r.reason == "no_turn"


def test_head_turn_in_the_asked_direction_passes(checker, head):
    crop, obs = head
    # In synth, a positive yaw turns the head to the person's right (nose towards the image's left).
    right = synth.head_turn(crop, obs.landmarks, obs.detection.css, yaws=np.radians(np.linspace(0, 35, 8)))
    r = checker.check(right, Challenge.TURN_RIGHT)
    assert r.passed and r.reason == "ok" and r.planar_residual >= checker.config.planar_residual
    wrong = checker.check(right, Challenge.TURN_LEFT)
    assert not wrong.passed and wrong.reason == "wrong_direction"


def test_no_face_and_disabled(engine):
    black = [np.zeros((480, 640, 3), np.uint8)] * 3
    r = LivenessChecker(engine).check(black, Challenge.TURN_LEFT)
    assert not r.passed and r.reason == "no_face"
    off = LivenessChecker(engine, LivenessConfig(enabled=False)).check(black, Challenge.TURN_LEFT)
    assert off.passed and off.reason == "disabled"
