"""Hostile cards read in-process: files announcing any length, bytes that break the decoders, chips that
answer a few bytes at a time, Active Authentication answered empty or refused on extended length. Each is a
typed error (or a typed result) after a bounded number of APDUs; never a crash, never a stall."""

from __future__ import annotations

import hashlib

import pytest

from nfc.access import CanKey, MrzKey, check_digit
from nfc.apdu import INS
from nfc.document import read_document
from nfc.errors import AccessKeyError, FileTooLarge, ParseError, TransportError
from nfc.lds import EF_CARD_ACCESS
from nfc.lds.dg2 import FaceImage
from nfc.limits import ReadLimits
from nfc.reader import ChipSession
from nfc.sim.builder import BuiltCard, CardOptions, build_card
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from nfc.sim.link import SimulatedReader
from nfc.sim.pki import TestPki
from nfc.transport import CardSide, InProcessConnection
from tests.nfc.test_reader import Recorder

CAN = CanKey(DEMO_ID_NUMBER[-6:])
OVERFLOWING_OID = bytes.fromhex("310c300a0688ffffffffffffffff")


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki.generate()


def card(pki: TestPki, **options: object) -> BuiltCard:
    image = FaceImage(b"\xff\xd8" + hashlib.shake_256(b"portrait").digest(20_000) + b"\xff\xd9", "jpeg", 240, 320)
    return build_card(demo_citizen(), image, CardOptions(**options), pki=pki)


def read(side: CardSide, **session: object):
    return read_document(ChipSession(InProcessConnection(side), **session), CAN)


@pytest.mark.parametrize("options", [{"raw_files": (("EF.CardAccess", OVERFLOWING_OID),)},
                                     {"announced_files": (("EF.CardAccess", 2 * 1024 * 1024),)},
                                     {"announced_files": (("EF.CardAccess", 20 * 1024 * 1024),)}])
def test_hostile_card_access_is_refused_after_two_apdus(pki: TestPki, options: dict) -> None:
    side = Recorder(card(pki, **options).card)
    with pytest.raises(ParseError) as raised:
        read(side)
    assert raised.value.step == EF_CARD_ACCESS.name
    assert side.ins == [INS.SELECT, INS.READ_BINARY]


@pytest.mark.parametrize("name", ["EF.COM", "DG1", "DG2", "DG13", "DG14", "DG15", "EF.SOD"])
@pytest.mark.parametrize("length", [200_000, 16 * 1024 * 1024 + 5, 0xFFFFFFFF])
def test_a_file_announcing_too_much_is_refused_on_its_first_read(pki: TestPki, name: str, length: int) -> None:
    built = card(pki, announced_files=((name, length),))
    side = Recorder(built.card)
    with pytest.raises(FileTooLarge) as raised:
        read(side)
    assert raised.value.step == name
    genuine = Recorder(card(pki).card)
    read(genuine)
    assert len(side.ins) <= len(genuine.ins)


def test_limits_are_configurable(pki: TestPki) -> None:
    built = card(pki)
    with pytest.raises(FileTooLarge):
        read(built.card, limits=ReadLimits({"DG2": 10_000}))
    built.card.reset()
    assert read(built.card, limits=ReadLimits({"DG2": 30_000})).portrait is not None


def test_a_chip_answering_a_byte_at_a_time_is_refused(pki: TestPki, monkeypatch: pytest.MonkeyPatch) -> None:
    built = card(pki)
    original = built.card._read_binary

    def one_byte(cmd, protected):
        resp = original(cmd, protected)
        if cmd.p1 & 0x80 or (cmd.p1, cmd.p2) == (0, 0) or not resp.data:  # first reads answered in full
            return resp
        return type(resp)(resp.data[:1], resp.sw)

    monkeypatch.setattr(built.card, "_read_binary", one_byte)
    side = Recorder(built.card)
    with pytest.raises(ParseError, match="too little"):
        read(side)
    assert len(side.ins) < 400


def test_aa_answered_empty_for_extended_le_is_asked_again_with_le_256(pki: TestPki) -> None:
    side = Recorder(card(pki, aa_empty_extended=True).card)
    data = read(side)
    assert data.active_authentication.status == "valid"
    assert side.ins.count(INS.INTERNAL_AUTHENTICATE) == 2


class RefusesExtendedFromAa:
    """A reader that takes extended APDUs until INTERNAL AUTHENTICATE, then fails to transmit them."""

    def __init__(self, inner: CardSide) -> None:
        self.inner = SimulatedReader(inner)
        self.refusing = False

    def process(self, raw: bytes) -> bytes:
        self.refusing = self.refusing or raw[1] == INS.INTERNAL_AUTHENTICATE
        if self.refusing and len(raw) > 5 and raw[4] == 0:
            raise TransportError("the reader failed to transmit an extended-length APDU")
        return self.inner.process(raw)


def test_aa_on_a_reader_refusing_extended_length_at_that_point_is_retried_short(pki: TestPki) -> None:
    data = read(RefusesExtendedFromAa(card(pki).card))
    assert data.active_authentication.status == "valid"
    assert data.stats.extended_length is False


@pytest.mark.parametrize("text", ["²²²303", "١٢٣٤٥٦", "5045۳7", "12345６"])
def test_only_ascii_digits_make_an_access_key(text: str) -> None:
    with pytest.raises(AccessKeyError):
        CanKey(text)
    with pytest.raises(AccessKeyError):
        MrzKey("303004567", text, "280514")
    with pytest.raises(AccessKeyError):
        check_digit(text)
