"""Liveness: two random turns at random times; a synthetic head answering in time passes, a replay of another
answer, a photo turned on cue and a still photo do not."""

from __future__ import annotations

import random

import numpy as np
import pytest

from biometrics import synth
from biometrics.faces import find_main_face
from biometrics.frames import ArraySource
from biometrics.liveness import (
    Challenge,
    ChallengePlan,
    LivenessChecker,
    LivenessConfig,
    LivenessReason,
    Prompt,
    plan_challenge,
)


@pytest.fixture(scope="module")
def head(astronaut, engine):
    crop = np.ascontiguousarray(astronaut[0:300, 70:370])
    return crop, find_main_face(engine, crop, small_faces=False)


@pytest.fixture(scope="module")
def checker(engine):
    return LivenessChecker(engine, rng=random.Random(3))


LEFT_THEN_RIGHT = ChallengePlan((Prompt(Challenge.TURN_LEFT, 0.8), Prompt(Challenge.TURN_RIGHT, 3.0)))
RIGHT_THEN_RIGHT = ChallengePlan((Prompt(Challenge.TURN_RIGHT, 1.2), Prompt(Challenge.TURN_RIGHT, 3.5)))


def test_the_plan_is_random_in_order_and_timing_and_injectable():
    cfg = LivenessConfig()
    plans = [plan_challenge(random.Random(s)) for s in range(40)]
    orders = {tuple(p.challenge for p in plan.prompts) for plan in plans}
    assert len(orders) == 4  # LL, LR, RL, RR
    for plan in plans:
        first, second = plan.prompts
        assert cfg.start_s[0] <= first.at_s <= cfg.start_s[1]
        assert cfg.gap_s[0] <= second.at_s - first.at_s <= cfg.gap_s[1]
    assert len({p.prompts[0].at_s for p in plans}) == 40
    assert plan_challenge(random.Random(7)) == plan_challenge(random.Random(7))


def test_a_head_answering_each_prompt_in_time_passes(checker, head):
    crop, obs = head
    frames = synth.answering_head(crop, obs.landmarks, obs.detection.css, LEFT_THEN_RIGHT, fps=6)
    asked: list[tuple[int, Challenge, float]] = []
    ts = {f.index: f.timestamp_s for f in frames}
    r = checker.check(frames, LEFT_THEN_RIGHT, on_prompt=lambda i, p: asked.append((i, p.challenge, p.at_s)))
    assert r.passed and r.reason is LivenessReason.OK and r.failed_prompt is None, r
    assert r.planar_residual >= checker.config.planar_residual and r.turn >= checker.config.min_turn
    assert [(i, c) for i, c, _ in asked] == [(0, Challenge.TURN_LEFT), (1, Challenge.TURN_RIGHT)]
    assert max(ts.values()) >= asked[-1][2]


def test_a_replay_of_another_answer_fails(checker, head):
    crop, obs = head
    recorded = synth.answering_head(crop, obs.landmarks, obs.detection.css, RIGHT_THEN_RIGHT, fps=6)
    r = checker.check(recorded, LEFT_THEN_RIGHT)
    assert not r.passed and r.failed_prompt == 0
    assert r.reason in (LivenessReason.WRONG_DIRECTION, LivenessReason.EARLY_TURN, LivenessReason.NO_TURN)


def test_a_turn_made_before_it_was_asked_is_early(checker, head):
    crop, obs = head
    # the recording starts turning left 0.3 s before the prompt: the right way, but not an answer
    early = ChallengePlan((Prompt(Challenge.TURN_LEFT, 0.5), Prompt(Challenge.TURN_RIGHT, 2.7)))
    frames = synth.answering_head(crop, obs.landmarks, obs.detection.css, early, fps=6, latency=0.0)
    r = checker.check(frames, LEFT_THEN_RIGHT)
    assert not r.passed and r.reason is LivenessReason.EARLY_TURN and r.failed_prompt == 0


def test_a_photo_turned_on_cue_and_a_still_photo_fail(checker, head):
    crop, _ = head
    for kw in ({}, {"bend": 1.0}):
        r = checker.check(synth.answering_photo(crop, LEFT_THEN_RIGHT, fps=6, **kw), LEFT_THEN_RIGHT)
        assert not r.passed and r.reason in (LivenessReason.NO_TURN, LivenessReason.PLANAR_MOTION), (kw, r)
    still = synth.photo_attack(crop, yaws=np.zeros(24))
    r = checker.check(ArraySource(still, fps=6), LEFT_THEN_RIGHT)
    assert not r.passed and r.reason is LivenessReason.NO_TURN


def test_no_face_and_disabled(engine):
    black = ArraySource([np.zeros((480, 640, 3), np.uint8)], fps=5, repeat=30)
    r = LivenessChecker(engine).check(black, LEFT_THEN_RIGHT)
    assert not r.passed and r.reason is LivenessReason.NO_FACE
    off = LivenessChecker(engine, LivenessConfig(enabled=False)).check(black, LEFT_THEN_RIGHT)
    assert off.passed and off.reason is LivenessReason.DISABLED
