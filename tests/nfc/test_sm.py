"""Secure messaging: terminal <-> chip round trips, tampering, SSC lock step, extended length."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfc.apdu import CommandApdu, ResponseApdu
from nfc.crypto import des3_cbc_encrypt
from nfc.errors import ExtendedLengthNotSupported, SecureMessagingError
from nfc.lds.tlv import encode_tlv, parse_all
from nfc.sm import SecureChannel, SecureMessaging

SUITES = [("DESede", 16), ("AES", 16), ("AES", 24), ("AES", 32)]


def pair(cipher: str, length: int, ssc: int = 0) -> tuple[SecureMessaging, SecureMessaging]:
    enc, mac = bytes(range(1, length + 1)), bytes(range(101, 101 + length))
    return SecureMessaging(cipher, enc, mac, ssc), SecureMessaging(cipher, enc, mac, ssc)


COMMANDS = [
    CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001")),
    CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4),
    CommandApdu(0x00, 0xB0, 0x81, 0x00, le=256),
    CommandApdu(0x00, 0xB0, 0x00, 0x00, le=0xDF),
    CommandApdu(0x00, 0xB0, 0x00, 0x00, le=65536),
    CommandApdu(0x00, 0xB0, 0x00, 0x00, le=1000),
    CommandApdu(0x00, 0xB1, 0x00, 0x00, bytes.fromhex("54028000"), le=256),
    CommandApdu(0x00, 0x88, 0x00, 0x00, bytes(8), le=256),
    CommandApdu(0x00, 0x2A, 0x00, 0xBE, bytes(range(256)) * 2),
    CommandApdu(0x00, 0x22, 0x41, 0xA4),
]


@pytest.mark.parametrize(("cipher", "length"), SUITES)
@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.encode().hex()[:16])
def test_round_trip(cipher: str, length: int, cmd: CommandApdu) -> None:
    terminal, chip = pair(cipher, length, ssc=0xFFFFFFFE)
    wire = terminal.protect(cmd).encode()
    assert chip.unprotect_command(CommandApdu.decode(wire)) == cmd
    resp = ResponseApdu(bytes(range(200)), 0x9000)
    assert terminal.unprotect(ResponseApdu.decode(chip.protect_response(resp).encode())) == resp
    assert terminal.ssc == chip.ssc == 0xFFFFFFFE + 2


@pytest.mark.parametrize(("cipher", "length"), SUITES)
def test_error_status_is_protected_too(cipher: str, length: int) -> None:
    terminal, chip = pair(cipher, length)
    chip.unprotect_command(terminal.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4)))
    assert terminal.unprotect(chip.protect_response(ResponseApdu(b"", 0x6A82))) == ResponseApdu(b"", 0x6A82)


@pytest.mark.parametrize(("cipher", "length"), SUITES)
def test_ssc_lock_step(cipher: str, length: int) -> None:
    terminal, chip = pair(cipher, length, ssc=5)
    for i in range(10):
        chip.unprotect_command(terminal.protect(CommandApdu(0x00, 0xB0, 0x00, i, le=1)))
        terminal.unprotect(chip.protect_response(ResponseApdu(bytes([i]), 0x9000)))
    assert terminal.ssc == chip.ssc == 25
    assert len(terminal.ssc_bytes) == (8 if cipher == "DESede" else 16)


def test_ssc_snapshot_restore() -> None:
    terminal, chip = pair("AES", 16)
    mark = terminal.snapshot()
    terminal.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=65536))  # never reaches the card
    terminal.restore(mark)
    cmd = CommandApdu(0x00, 0xB0, 0x00, 0x00, le=0xDF)
    assert chip.unprotect_command(terminal.protect(cmd)) == cmd


def test_ssc_wraps_around() -> None:
    sm = SecureMessaging("DESede", bytes(16), bytes(16), (1 << 64) - 1)
    sm.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=1))
    assert sm.ssc == 0


@pytest.mark.parametrize(("cipher", "length"), SUITES)
def test_tampered_response_mac(cipher: str, length: int) -> None:
    terminal, chip = pair(cipher, length)
    chip.unprotect_command(terminal.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4)))
    protected = chip.protect_response(ResponseApdu(b"abcd", 0x9000))
    data = bytearray(protected.data)
    data[-1] ^= 1
    with pytest.raises(SecureMessagingError, match="MAC") as err:
        terminal.unprotect(ResponseApdu(bytes(data), protected.sw))
    assert err.value.sw == 0x9000


@pytest.mark.parametrize(("cipher", "length"), SUITES)
def test_tampered_command(cipher: str, length: int) -> None:
    terminal, chip = pair(cipher, length)
    cmd = terminal.protect(CommandApdu(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e"))
    forged = CommandApdu(cmd.cla, cmd.ins, cmd.p1, 0x00, cmd.data, cmd.le)  # header is MACed
    with pytest.raises(SecureMessagingError) as err:
        chip.unprotect_command(forged)
    assert err.value.sw == 0x6988


def test_chip_refuses_missing_mac_and_plain_commands() -> None:
    terminal, chip = pair("AES", 16)
    with pytest.raises(SecureMessagingError) as err:
        chip.unprotect_command(CommandApdu(0x0C, 0xB0, 0x00, 0x00, bytes.fromhex("970104"), 256))
    assert err.value.sw == 0x6987
    with pytest.raises(SecureMessagingError) as err:
        chip.unprotect_command(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert err.value.sw == 0x6987


@pytest.mark.parametrize("sw", [0x6982, 0x6987, 0x6988, 0x6A82])
def test_plain_error_response_under_sm(sw: int) -> None:
    terminal, _ = pair("DESede", 16)
    terminal.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4))
    with pytest.raises(SecureMessagingError) as err:
        terminal.unprotect(ResponseApdu(b"", sw))
    assert err.value.sw == sw


def test_response_without_do99() -> None:
    terminal, chip = pair("AES", 16)
    terminal.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4))
    chip.ssc += 2
    body = encode_tlv(0x87, b"\x01" + bytes(16))
    forged = body + encode_tlv(0x8E, chip.mac(body))
    with pytest.raises(SecureMessagingError, match="DO99"):
        terminal.unprotect(ResponseApdu(forged, 0x9000))


def test_bad_padding_is_detected() -> None:
    terminal, chip = pair("DESede", 16)
    terminal.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=8))
    chip.ssc += 2
    body = encode_tlv(0x87, b"\x01" + des3_cbc_encrypt(chip.ks_enc, b"12345678")) + encode_tlv(0x99, b"\x90\x00")
    forged = body + encode_tlv(0x8E, chip.mac(body))
    with pytest.raises(SecureMessagingError, match="padding"):
        terminal.unprotect(ResponseApdu(forged, 0x9000))


def test_do97_and_outer_le() -> None:
    sm, _ = pair("AES", 16)
    short = sm.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=256))
    assert (0x97, b"\x00") in parse_all(short.data)
    assert short.le == 256 and short.encode()[-1:] == b"\x00"
    ext = sm.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=65536))
    assert (0x97, b"\x00\x00") in parse_all(ext.data)
    assert ext.le == 65536 and ext.encode()[-2:] == b"\x00\x00" and ext.needs_extended()
    mid = sm.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=1000))
    assert (0x97, (1000).to_bytes(2, "big")) in parse_all(mid.data)


def test_odd_ins_uses_do85_both_ways() -> None:
    terminal, chip = pair("AES", 16)
    cmd = terminal.protect(CommandApdu(0x00, 0xB1, 0x00, 0x00, bytes.fromhex("54028000"), 256))
    assert cmd.data[0] == 0x85
    chip.unprotect_command(cmd)
    resp = chip.protect_response(ResponseApdu(bytes.fromhex("5303414243"), 0x9000))
    assert resp.data[0] == 0x85
    assert terminal.unprotect(resp).data == bytes.fromhex("5303414243")


def test_aes_iv_depends_on_ssc() -> None:
    a = SecureMessaging("AES", bytes(16), bytes(16), 0)
    b = SecureMessaging("AES", bytes(16), bytes(16), 7)
    cmd = CommandApdu(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")
    assert a.protect(cmd).data[:19] != b.protect(cmd).data[:19]


def test_repr_hides_keys() -> None:
    sm = SecureMessaging("AES", b"K" * 16, b"M" * 16)
    assert "KKKK" not in repr(sm) and "4B4B" not in repr(sm)


@settings(max_examples=60, deadline=None)
@given(cipher=st.sampled_from(SUITES), ins=st.sampled_from([0xA4, 0xB0, 0xB1, 0x88]),
       data=st.binary(max_size=600), le=st.one_of(st.none(), st.integers(1, 65536)),
       reply=st.binary(max_size=300), ssc=st.integers(0, 2**64 - 1))
def test_round_trip_property(cipher: tuple[str, int], ins: int, data: bytes, le: int | None, reply: bytes,
                             ssc: int) -> None:
    terminal, chip = pair(*cipher, ssc=ssc)
    cmd = CommandApdu(0x00, ins, 0x01, 0x02, data, le)
    assert chip.unprotect_command(CommandApdu.decode(terminal.protect(cmd).encode())) == cmd
    resp = ResponseApdu(reply, 0x9000)
    assert terminal.unprotect(ResponseApdu.decode(chip.protect_response(resp).encode())) == resp


# -- SecureChannel ----------------------------------------------------------------------------------

class ChipBehindSm:
    """An ApduSender whose card echoes the command data back under secure messaging."""

    def __init__(self, chip_sm: SecureMessaging, *, extended: bool = True) -> None:
        self.sm = chip_sm
        self._extended = extended
        self.refuse_extended = False
        self.seen = 0

    @property
    def extended_length(self) -> bool:
        return self._extended

    def send(self, cmd: CommandApdu) -> ResponseApdu:
        if self.refuse_extended and cmd.needs_extended():
            self._extended = False
            raise ExtendedLengthNotSupported("refused", step="transmit")
        self.seen += 1
        plain = self.sm.unprotect_command(CommandApdu.decode(cmd.encode()))
        return self.sm.protect_response(ResponseApdu(plain.data[::-1] or b"ok", 0x9000))


def test_secure_channel_round_trip() -> None:
    terminal, chip = pair("AES", 16)
    channel = SecureChannel(ChipBehindSm(chip), terminal)
    assert channel.extended_length
    assert channel.send(CommandApdu(0x00, 0xD6, 0, 0, b"abc")) == ResponseApdu(b"cba", 0x9000)
    assert channel.send(CommandApdu(0x00, 0xB0, 0, 0, le=65536)) == ResponseApdu(b"ok", 0x9000)


def test_secure_channel_restores_ssc_when_reader_refuses_extended() -> None:
    terminal, chip = pair("DESede", 16)
    inner = ChipBehindSm(chip)
    inner.refuse_extended = True
    channel = SecureChannel(inner, terminal)
    with pytest.raises(ExtendedLengthNotSupported):
        channel.send(CommandApdu(0x00, 0xB0, 0, 0, le=65536))
    assert terminal.ssc == 0 and not channel.extended_length
    assert channel.send(CommandApdu(0x00, 0xB0, 0, 0, le=0xDF)) == ResponseApdu(b"ok", 0x9000)


def test_secure_channel_plain_error_raises_with_sw() -> None:
    class Refusing:
        extended_length = False

        def send(self, cmd: CommandApdu) -> ResponseApdu:
            return ResponseApdu(b"", 0x6988)

    with pytest.raises(SecureMessagingError) as err:
        SecureChannel(Refusing(), pair("AES", 16)[0]).send(CommandApdu(0x00, 0xB0, 0, 0, le=1))
    assert err.value.sw == 0x6988
