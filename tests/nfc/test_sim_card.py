"""The virtual CCCD answers like the real chip where the reader depends on it."""

from __future__ import annotations

from nfc.lds.dg2 import FaceImage
from nfc.lds.security_infos import CardAccess
from nfc.sim.builder import CCCD_PACE_INFO, CardOptions, build_card
from nfc.sim.citizen import demo_citizen
from nfc.sim.vpcd import contactless_atr

IMAGE = FaceImage(b"\xff\xd8" + bytes(500) + b"\xff\xd9", "jpeg", 240, 320)


def sim(**options: object):
    return build_card(demo_citizen(), IMAGE, CardOptions(**options)).card


def test_select_mf_answers_6d00_like_cccd_cards() -> None:
    assert sim().process(bytes.fromhex("00A4000C023F00")) == bytes.fromhex("6D00")


def test_card_access_is_readable_in_the_clear_and_announces_cccd_pace() -> None:
    card = sim()
    assert card.process(bytes.fromhex("00A4020C02011C")) == bytes.fromhex("9000")
    resp = card.process(bytes.fromhex("00B0000000"))
    assert resp[-2:] == bytes.fromhex("9000")
    assert CardAccess.parse(resp[:-2]).pace_infos == [CCCD_PACE_INFO]


def test_data_groups_need_secure_messaging() -> None:
    card = sim()
    assert card.process(bytes.fromhex("00A4040C07A0000002471001")) == bytes.fromhex("9000")
    assert card.process(bytes.fromhex("00A4020C020101")) == bytes.fromhex("6982")
    assert card.process(bytes.fromhex("00B0810000")) == bytes.fromhex("6982")


def test_bac_only_card_has_no_card_access() -> None:
    assert sim(bac_only=True).process(bytes.fromhex("00A4020C02011C")) == bytes.fromhex("6A82")


def test_tampered_group_differs_from_what_was_signed() -> None:
    genuine, tampered = sim(), sim(tamper_dg=2)
    assert genuine.files[0x0102] != tampered.files[0x0102]
    assert len(genuine.files[0x0102]) == len(tampered.files[0x0102])


def test_atr_is_a_valid_contactless_pseudo_atr() -> None:
    atr = contactless_atr()
    assert atr[:4] == bytes.fromhex("3B888001")
    check = 0
    for b in atr[1:]:
        check ^= b
    assert check == 0
