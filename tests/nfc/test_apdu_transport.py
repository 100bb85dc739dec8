"""APDU framing and the channel's chaining, length hints and extended-length fallback."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nfc.apdu import CommandApdu, ResponseApdu
from nfc.errors import CardRemovedError, ExtendedLengthNotSupported, ParseError, ReaderNotConnected, TransportError
from nfc.transport import MAX_GET_RESPONSE, ApduChannel, Connection


def test_short_and_extended_encodings() -> None:
    select = CommandApdu(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("011C"))
    assert select.encode() == bytes.fromhex("00A4020C02011C")
    assert CommandApdu(0, 0xB0, 0, 0, le=256).encode() == bytes.fromhex("00B0000000")
    assert CommandApdu(0, 0xB0, 0, 0, le=0x1000).encode() == bytes.fromhex("00B00000001000")
    assert CommandApdu(0, 0xB0, 0, 0, le=65536).encode() == bytes.fromhex("00B00000000000")
    assert CommandApdu(0, 0x88, 0, 0, b"\x01" * 8, le=65536).encode() == bytes.fromhex(
        "00880000000008" + "01" * 8 + "0000")
    with pytest.raises(ValueError):
        CommandApdu(0, 0xB0, 0, 0, le=0x1000).encode(extended=False)


@given(st.binary(max_size=300), st.one_of(st.none(), st.integers(1, 65536)), st.booleans())
def test_command_round_trip(data: bytes, le: int | None, extended: bool) -> None:
    cmd = CommandApdu(0x0C, 0xB0, 0x12, 0x34, data, le)
    ext = extended or cmd.needs_extended()
    assert CommandApdu.decode(cmd.encode(ext)) == cmd


@given(st.binary(max_size=12))
def test_decode_rejects_garbage_with_parse_error_only(raw: bytes) -> None:
    try:
        cmd = CommandApdu.decode(raw)
    except ParseError:
        return
    assert CommandApdu.decode(cmd.encode(extended=True)) == cmd


def test_response_needs_a_status_word() -> None:
    assert ResponseApdu.decode(b"\x01\x02\x90\x00") == ResponseApdu(b"\x01\x02", 0x9000)
    with pytest.raises(ParseError):
        ResponseApdu.decode(b"\x90")


class Scripted(Connection):
    """Answers from a list and records what was sent."""

    def __init__(self, *answers: bytes | Exception) -> None:
        self.answers = list(answers)
        self.sent: list[bytes] = []

    def transmit(self, raw: bytes) -> bytes:
        self.sent.append(raw)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_61xx_chaining_collects_all_data_with_get_response() -> None:
    conn = Scripted(b"\xaa" * 4 + b"\x61\x03", b"\xbb" * 3 + b"\x90\x00")
    resp = ApduChannel(conn).send(CommandApdu(0, 0xB0, 0, 0, le=256))
    assert resp == ResponseApdu(b"\xaa" * 4 + b"\xbb" * 3, 0x9000)
    assert conn.sent[1] == bytes.fromhex("00C0000003")


def test_6cxx_resends_with_the_length_the_card_gives() -> None:
    conn = Scripted(b"\x6c\x10", b"\x01" * 16 + b"\x90\x00")
    channel = ApduChannel(conn)
    resp = channel.send(CommandApdu(0, 0xB0, 0, 0, le=5))
    assert resp.data == b"\x01" * 16
    assert conn.sent[1] == bytes.fromhex("00B0000010")
    assert channel.stats.apdus == 2
    assert channel.stats.bytes_exchanged == sum(map(len, conn.sent)) + 2 + 18


@pytest.mark.parametrize("refusal", [b"\x67\x00", TransportError("transmit failed")])
def test_refused_extended_apdu_turns_extended_length_off(refusal: bytes | Exception) -> None:
    channel = ApduChannel(Scripted(refusal))
    with pytest.raises(ExtendedLengthNotSupported):
        channel.send(CommandApdu(0, 0xB0, 0, 0, le=4096))
    assert channel.extended_length is False
    with pytest.raises(ExtendedLengthNotSupported):  # no second try on the wire
        channel.send(CommandApdu(0, 0xB0, 0, 0, le=4096))


def test_card_removed_during_extended_apdu_is_not_mistaken_for_a_refusal() -> None:
    channel = ApduChannel(Scripted(CardRemovedError("gone")))
    with pytest.raises(CardRemovedError):
        channel.send(CommandApdu(0, 0xB0, 0, 0, le=4096))
    assert channel.extended_length is True


def test_short_6700_is_an_answer_not_a_refusal_of_extended_length() -> None:
    channel = ApduChannel(Scripted(b"\x67\x00"))
    assert channel.send(CommandApdu(0, 0xB0, 0, 0, le=16)).sw == 0x6700
    assert channel.extended_length is True


def test_a_card_announcing_more_data_forever_is_refused_after_a_bounded_chain() -> None:
    conn = Scripted(*([b"\xaa\x61\x01"] * (MAX_GET_RESPONSE + 1)))
    with pytest.raises(ParseError):
        ApduChannel(conn).send(CommandApdu(0, 0xB0, 0, 0, le=256))
    assert len(conn.sent) == MAX_GET_RESPONSE + 1


def test_a_card_answering_6cxx_again_is_asked_only_once_more() -> None:
    conn = Scripted(b"\x6c\x10", b"\x6c\x20")
    assert ApduChannel(conn).send(CommandApdu(0, 0xB0, 0, 0, le=5)).sw == 0x6C20
    assert len(conn.sent) == 2


@pytest.mark.parametrize("gone", [CardRemovedError("gone"), ReaderNotConnected("unplugged")])
def test_card_or_reader_gone_during_extended_apdu_keeps_extended_length(gone: Exception) -> None:
    channel = ApduChannel(Scripted(gone))
    with pytest.raises(type(gone)):
        channel.send(CommandApdu(0, 0xB0, 0, 0, le=4096))
    assert channel.extended_length is True
