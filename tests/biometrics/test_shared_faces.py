"""Real photos from ../shared/faces (skipped with a reason when the folder is absent)."""

from __future__ import annotations

import itertools

import pytest

from biometrics import errors
from biometrics.evaluation import person_of
from biometrics.portrait import decode_portrait, make_chip_like, read_image_rgb

PEOPLE = ["obama_1.jpg", "obama_2.jpg", "obama_3.jpg", "biden_1.jpg", "biden_2.jpg", "alex_lacamoire_1.jpg",
          "alex_lacamoire_2.jpg", "rose_leslie_1.jpg", "rose_leslie_2.jpg"]


@pytest.fixture(scope="module")
def samples(shared_faces, matcher, engine):
    templates, lives = {}, {}
    for name in PEOPLE:
        rgb = read_image_rgb(shared_faces / name)
        templates[name] = matcher.enroll(decode_portrait(make_chip_like(rgb, engine)))
        lives[name] = matcher.observe(rgb)
    return templates, lives


def test_chip_like_pairs_genuine_and_impostor(samples, matcher):
    templates, lives = samples
    for a, b in itertools.permutations(PEOPLE, 2):
        same = person_of(a) == person_of(b)
        v = matcher.compare(templates[a], lives[b])
        assert v.match == same, (a, b, v.distance)


def test_group_photo_is_several_faces(shared_faces, matcher):
    with pytest.raises(errors.SeveralFaces):
        matcher.observe(read_image_rgb(shared_faces / "group_two_people.jpg"))


def test_small_photo_is_still_matched(shared_faces, matcher, engine):
    chip = decode_portrait(make_chip_like(read_image_rgb(shared_faces / "obama_1.jpg"), engine))
    v = matcher.decide(chip, read_image_rgb(shared_faces / "obama_4_small.jpg"))
    assert v.match
