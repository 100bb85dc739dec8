"""The built-in virtual CCCD the demo and the tests read: a fictional citizen, the demo face as portrait.

The portrait is a fixed ICAO-style crop of the demo face (scikit-image's public-domain astronaut),
encoded as JPEG 2000 of chip-like size, so building the card needs no face detector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

from cryptography import x509

from biometrics.portrait import demo_face_rgb, encode_jp2
from nfc.access import AccessKey, CanKey
from nfc.lds.dg2 import FaceImage
from nfc.lds.dg13 import CitizenInfo
from nfc.sim.builder import BuiltCard, CardOptions, build_card
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from nfc.sim.link import ReaderFaults, SimulatedReader
from nfc.sim.pki import TestPki
from nfc.transport import Connection, InProcessConnection

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
              portrait: FaceImage | None = None, citizen: CitizenInfo | None = None) -> DemoCard:
    """A fresh virtual card for ``citizen`` (the demo citizen by default); ``key`` is the CAN from its ID
    number."""
    citizen = citizen or demo_citizen()
    built = build_card(citizen, portrait or demo_portrait(), options or CardOptions(), pki=pki or demo_pki())
    return DemoCard(built.card, CanKey((citizen.id_number or DEMO_ID_NUMBER)[-6:]), built.pki, built)


_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE = {"F": ("Thị", "Ngọc", "Thu", "Minh"), "M": ("Văn", "Đức", "Minh", "Quang")}
_GIVEN = {"F": ("An", "Bích", "Chi", "Dung", "Hà", "Hương", "Lan", "Linh", "Mai", "Ngân", "Thảo", "Trang"),
          "M": ("Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn")}


def citizen_for(number: int) -> CitizenInfo:
    """The ``number``-th fictional citizen (0 ≤ number < 10⁶): a distinct, plausible CCCD holder born 2003–2007
    in Hà Nội, for cards that impersonate many people (benchmarks, crowd tests). No real person is meant;
    the serial part of the ID number is ``number`` itself."""
    if not 0 <= number < 1_000_000:
        raise ValueError("number must be in 0 … 999999")
    sex = "F" if number % 2 else "M"
    year = 2003 + number % 5
    born = date(year, 1 + number % 12, 1 + number % 28)
    name = (f"{_FAMILY[number % len(_FAMILY)]} {_MIDDLE[sex][number // 7 % 4]} "
            f"{_GIVEN[sex][number // 3 % len(_GIVEN[sex])]}")
    # 001: Hà Nội; 2 / 3: a man / a woman born in the 2000s; two digits of the year; a six-digit serial
    id_number = f"001{3 if sex == 'F' else 2}{year % 100:02d}{number:06d}"
    return replace(demo_citizen(), id_number=id_number, full_name=name, date_of_birth=born,
                   sex="Nữ" if sex == "F" else "Nam", expiry_date=date(year + 25, born.month, born.day),
                   father_name=None, mother_name=None, spouse_name=None, old_id_number=None,
                   identifying_marks=None)


@dataclass
class VirtualCards:
    """A :class:`~kiosk.cards.CardSource` that lays a fresh virtual card on an in-process reader each time:
    the demo citizen, or ``make_card()``'s. It trusts its own test CSCA and knows each card's CAN (what
    the card's QR code would give). ``last_reader`` models the link time of the last read."""

    make_card: Callable[[], DemoCard] | None = None  # None: demo_card()
    faults: ReaderFaults | None = None
    last_reader: SimulatedReader | None = field(default=None, init=False)
    _card: DemoCard | None = field(default=None, init=False, repr=False)

    def open(self) -> Connection:
        self._card = self.make_card() if self.make_card is not None else demo_card()
        self.last_reader = SimulatedReader(self._card.card, faults=self.faults or ReaderFaults())
        return InProcessConnection(self.last_reader)

    def describe(self) -> str:
        return "built-in virtual card"

    def anchors(self) -> tuple[x509.Certificate, ...]:
        return (demo_pki().csca_certificate,)  # every built-in card is signed in the one test PKI

    def key_hint(self) -> AccessKey | None:
        return None if self._card is None else self._card.key
