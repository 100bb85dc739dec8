"""The built-in virtual CCCD the demo and the tests read: a fictional citizen, the demo face as portrait.

The portrait is a fixed ICAO-style crop of the demo face (scikit-image's public-domain astronaut),
encoded as JPEG 2000 of chip-like size, so building the card needs no face detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from biometrics.portrait import demo_face_rgb, encode_jp2
from nfc.access import CanKey
from nfc.lds.dg2 import FaceImage
from nfc.sim.builder import BuiltCard, CardOptions, build_card
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from nfc.sim.pki import TestPki

PORTRAIT_BOX = (120, 0, 240, 320)  # x, y, width, height of head and shoulders in the 512x512 demo face


@cache
def demo_portrait(target_bytes: int = 15_000) -> FaceImage:
    """The demo face as a chip would hold it: 240x320 JPEG 2000 of about ``target_bytes``."""
    x, y, w, h = PORTRAIT_BOX
    crop = demo_face_rgb()[y : y + h, x : x + w]
    return FaceImage(encode_jp2(crop, target_bytes=target_bytes), "jpeg2000", w, h, image_data_type=1)


@cache
def demo_pki() -> TestPki:
    """One test PKI per process for the built-in cards, so a trust store can hold their CSCA."""
    return TestPki.generate()


@dataclass(frozen=True)
class DemoCard:
    card: object
    key: CanKey
    pki: TestPki
    built: BuiltCard


def demo_card(options: CardOptions | None = None, *, pki: TestPki | None = None,
              portrait: FaceImage | None = None) -> DemoCard:
    """A fresh virtual card for the demo citizen; ``key`` is the CAN from its ID number."""
    built = build_card(demo_citizen(), portrait or demo_portrait(), options or CardOptions(), pki=pki or demo_pki())
    return DemoCard(built.card, CanKey(DEMO_ID_NUMBER[-6:]), built.pki, built)
