"""BAC and PACE, terminal side against the chip side, in process."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from nfc.access import CanKey, MrzKey
from nfc.apdu import CommandApdu, ResponseApdu
from nfc.bac import perform_bac
from nfc.errors import AccessDeniedError, ApduError, NfcError
from nfc.lds.security_infos import PaceInfo
from nfc.oids import STANDARDIZED_DOMAIN_PARAMETERS, pace_oid
from nfc.pace import CURVES, PaceUnsupportedError, perform_pace
from nfc.sim.bac_chip import BacChip
from nfc.sim.pace_chip import PaceChip
from nfc.sm import SecureChannel, SecureMessaging

CAN = CanKey("123456")
MRZ = MrzKey("123456789", "900101", "301231")
CIPHERS = [("DESede", 16), ("AES", 16), ("AES", 24), ("AES", 32)]
CURVE_IDS = {name: pid for pid, name in STANDARDIZED_DOMAIN_PARAMETERS.items() if name in CURVES}


def seeded(seed: int) -> Callable[[int], bytes]:
    gen = random.Random(seed)
    return gen.randbytes


class Loopback:
    """An ApduSender handing encoded-then-decoded commands to a chip's ``handle``."""

    extended_length = True

    def __init__(self, chip: BacChip | PaceChip,
                 tamper: Callable[[CommandApdu, ResponseApdu], ResponseApdu] | None = None) -> None:
        self.chip = chip
        self.tamper = tamper
        self.log: list[CommandApdu] = []

    def send(self, cmd: CommandApdu) -> ResponseApdu:
        cmd = CommandApdu.decode(cmd.encode())
        self.log.append(cmd)
        assert self.chip.handles(cmd)
        resp = ResponseApdu.decode(self.chip.handle(cmd).encode())
        return self.tamper(cmd, resp) if self.tamper else resp


def assert_same_session(terminal: SecureMessaging, chip: SecureMessaging | None) -> None:
    assert chip is not None
    assert (terminal.cipher, terminal.ks_enc, terminal.ks_mac, terminal.ssc) == (
        chip.cipher, chip.ks_enc, chip.ks_mac, chip.ssc)
    cmd = CommandApdu(0x00, 0xB0, 0x00, 0x00, le=0xDF)
    assert chip.unprotect_command(terminal.protect(cmd)) == cmd
    resp = ResponseApdu(b"EF.COM", 0x9000)
    assert terminal.unprotect(chip.protect_response(resp)) == resp


# -- BAC --------------------------------------------------------------------------------------------

def test_bac_success() -> None:
    chip = BacChip(MRZ, rng=seeded(1))
    sm = perform_bac(Loopback(chip), MRZ, rng=seeded(2))
    assert sm.cipher == "DESede"
    assert_same_session(sm, chip.session)


def test_bac_wrong_mrz() -> None:
    chip = BacChip(MRZ, rng=seeded(1))
    with pytest.raises(AccessDeniedError) as err:
        perform_bac(Loopback(chip), MrzKey("123456789", "900102", "301231"), rng=seeded(2))
    assert err.value.sw == 0x6300 and err.value.step == "bac.external_authenticate"
    assert chip.session is None


def test_bac_chip_answer_tampered() -> None:
    def flip(cmd: CommandApdu, resp: ResponseApdu) -> ResponseApdu:
        if cmd.ins == 0x82:
            return ResponseApdu(resp.data[:-1] + bytes([resp.data[-1] ^ 1]), resp.sw)
        return resp

    with pytest.raises(AccessDeniedError, match="did not verify"):
        perform_bac(Loopback(BacChip(MRZ, rng=seeded(1)), flip), MRZ, rng=seeded(2))


def test_bac_external_authenticate_needs_challenge() -> None:
    chip = BacChip(MRZ)
    assert chip.handle(CommandApdu(0x00, 0x82, 0, 0, bytes(40), 40)).sw == 0x6985


def test_bac_get_challenge_refused() -> None:
    class NoBac:
        extended_length = False

        def send(self, cmd: CommandApdu) -> ResponseApdu:
            return ResponseApdu(b"", 0x6D00)

    with pytest.raises(ApduError) as err:
        perform_bac(NoBac(), MRZ)
    assert err.value.sw == 0x6D00


# -- PACE -------------------------------------------------------------------------------------------

def info(curve: str = "brainpoolP256r1", cipher: str = "AES", length: int = 16) -> PaceInfo:
    return PaceInfo(pace_oid("ECDH", "GM", cipher, length), 2, CURVE_IDS[curve])


@pytest.mark.parametrize("curve", sorted(CURVE_IDS))
@pytest.mark.parametrize(("cipher", "length"), CIPHERS)
def test_pace_success_every_curve_and_cipher(curve: str, cipher: str, length: int) -> None:
    pace_info = info(curve, cipher, length)
    chip = PaceChip({2: CAN.pace_password()}, [pace_info], rng=seeded(3))
    sm = perform_pace(Loopback(chip), CAN, pace_info, rng=seeded(4))
    assert sm.cipher == cipher and len(sm.ks_enc) == length
    assert_same_session(sm, chip.session)


@pytest.mark.parametrize("key", [CAN, MRZ], ids=["can", "mrz"])
def test_pace_with_can_or_mrz(key: CanKey | MrzKey) -> None:
    chip = PaceChip({CAN.password_reference: CAN, MRZ.password_reference: MRZ}, [info()], rng=seeded(5))
    sm = perform_pace(Loopback(chip), key, info(), rng=seeded(6))
    assert_same_session(sm, chip.session)


def test_pace_session_drives_a_secure_channel() -> None:
    chip = PaceChip([CAN], [info()], rng=seeded(7))
    sm = perform_pace(Loopback(chip), CAN, info(), rng=seeded(8))
    chip_sm = chip.session
    assert chip_sm is not None

    class Card:
        extended_length = True

        def send(self, cmd: CommandApdu) -> ResponseApdu:
            plain = chip_sm.unprotect_command(CommandApdu.decode(cmd.encode()))
            return chip_sm.protect_response(ResponseApdu(bytes([plain.p2]) * 3, 0x9000))

    assert SecureChannel(Card(), sm).send(CommandApdu(0x00, 0xB0, 0, 9, le=3)).data == b"\x09\x09\x09"


def test_pace_wrong_can() -> None:
    chip = PaceChip([CAN], [info()], rng=seeded(3))
    loop = Loopback(chip)
    with pytest.raises(AccessDeniedError) as err:
        perform_pace(loop, CanKey("654321"), info(), rng=seeded(4))
    assert err.value.sw == 0x6300 and err.value.step == "pace.mutual_auth"
    assert chip.session is None
    assert len(loop.log) == 5  # the refusal comes at mutual authentication


def test_pace_wrong_mrz_3des() -> None:
    pace_info = info("secp256r1", "DESede", 16)
    chip = PaceChip([MRZ], [pace_info], rng=seeded(3))
    with pytest.raises(AccessDeniedError):
        perform_pace(Loopback(chip), MrzKey("123456789", "900101", "301230"), pace_info, rng=seeded(4))


def test_pace_chip_token_does_not_verify() -> None:
    def flip(cmd: CommandApdu, resp: ResponseApdu) -> ResponseApdu:
        if cmd.cla == 0x00 and cmd.ins == 0x86:
            return ResponseApdu(resp.data[:-1] + bytes([resp.data[-1] ^ 1]), resp.sw)
        return resp

    with pytest.raises(AccessDeniedError, match="token did not verify"):
        perform_pace(Loopback(PaceChip([CAN], [info()], rng=seeded(3)), flip), CAN, info(), rng=seeded(4))


def test_pace_password_reference_unknown_to_chip() -> None:
    with pytest.raises(ApduError) as err:
        perform_pace(Loopback(PaceChip([CAN], [info()])), MRZ, info())
    assert err.value.sw == 0x6A88 and err.value.step == "pace.mse_set_at"


def test_pace_parameter_id_sent_on_request() -> None:
    loop = Loopback(PaceChip([CAN], [info()], rng=seeded(1)))
    perform_pace(loop, CAN, info(), rng=seeded(2), send_parameter_id=True)
    assert loop.log[0].data.endswith(bytes.fromhex("84010D"))


@pytest.mark.parametrize(("agreement", "mapping"), [("DH", "GM"), ("DH", "IM"), ("ECDH", "IM"), ("ECDH", "CAM")])
def test_pace_unsupported_variants(agreement: str, mapping: str) -> None:
    pace_info = PaceInfo(pace_oid(agreement, mapping, "AES", 16), 2, 13 if agreement == "ECDH" else 0)
    with pytest.raises(PaceUnsupportedError) as err:
        perform_pace(Loopback(PaceChip([CAN], [info()])), CAN, pace_info)
    assert isinstance(err.value, NfcError)


def test_pace_chip_sequence_errors() -> None:
    chip = PaceChip([CAN], [info()])
    ga = CommandApdu(0x10, 0x86, 0, 0, bytes.fromhex("7C00"), 256)
    assert not chip.handles(ga)
    assert chip.handle(ga).sw == 0x6985
    unknown = CommandApdu(0x00, 0x22, 0xC1, 0xA4, bytes.fromhex("800A04007F00070202040101830102"))
    assert chip.handles(unknown) and chip.handle(unknown).sw == 0x6A80  # DH-GM not offered
