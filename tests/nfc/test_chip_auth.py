"""Chip Authentication v1 (ICAO 9303-11 §6.2): the virtual chip proves its DG14 key, the reader moves on its keys."""

from __future__ import annotations

import hashlib
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import univ

from nfc.access import CanKey
from nfc.apdu import INS, CommandApdu
from nfc.chip_auth import chip_authentication_parameters
from nfc.errors import NfcError, SecureMessagingError, TransportError
from nfc.lds import EF_COM, EF_SOD, file_for_data_group
from nfc.lds.dg2 import FaceImage
from nfc.lds.security_infos import (
    ActiveAuthenticationInfo,
    CardAccess,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    Dg14,
)
from nfc.lds.tlv import encode_tlv
from nfc.oids import (
    ID_CA_DH_3DES,
    ID_CA_ECDH_3DES,
    ID_CA_ECDH_AES_128,
    ID_CA_ECDH_AES_192,
    ID_CA_ECDH_AES_256,
    ID_PK_DH,
)
from nfc.reader import ChipSession
from nfc.sim.active_auth import AaKey
from nfc.sim.builder import CCCD_PACE_INFO, BuiltCard, CardOptions, build_card
from nfc.sim.chip_auth_chip import ChipAuthChip, ca_public_key_info, generate_ca_key
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from nfc.sim.link import LinkModel, ReaderFaults, SimulatedReader
from nfc.sim.pki import TestPki
from nfc.sm import SecureChannel, SecureMessaging
from nfc.transport import InProcessConnection
from nfc.trust.chip import check_chip_authentication

CAN = CanKey(DEMO_ID_NUMBER[-6:])
DG1, DG2, DG13, DG14 = (file_for_data_group(n) for n in (1, 2, 13, 14))
SELECT_COM = CommandApdu(0x00, INS.SELECT, 0x02, 0x0C, EF_COM.fid.to_bytes(2, "big"))

# RFC 2409 Oakley group 2 (1024-bit MODP), only to build a well-formed DH key for DG14.
_MODP_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki.generate()


def portrait(size: int = 20_000) -> FaceImage:
    body = hashlib.shake_256(b"portrait").digest(size)
    return FaceImage(b"\xff\xd8" + body + b"\xff\xd9", "jpeg", 240, 320)


def card(pki: TestPki, **options: object) -> BuiltCard:
    return build_card(demo_citizen(), portrait(), CardOptions(**options), pki=pki)


class Recorder:
    """Keeps every raw command the card sees (headers stay readable under secure messaging)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.commands: list[bytes] = []

    def process(self, raw: bytes) -> bytes:
        self.commands.append(raw)
        return self.inner.process(raw)  # type: ignore[attr-defined]


def opened(built: BuiltCard, key=CAN, faults: ReaderFaults | None = None) -> tuple[ChipSession, Dg14, Recorder]:
    recorder = Recorder(SimulatedReader(built.card, LinkModel(), faults or ReaderFaults()))
    session = ChipSession(InProcessConnection(recorder))
    session.open(key)
    return session, Dg14.parse(session.read_file(DG14)), recorder


def assert_reads_everything(session: ChipSession, built: BuiltCard) -> None:
    for lds_file in (DG1, DG2, DG13, DG14, EF_SOD):
        assert session.read_file(lds_file) == built.card.files[lds_file.fid]


# -- the genuine chip -------------------------------------------------------------------------------

def test_card_announces_ca_in_dg14_and_card_access_as_cccd_does(pki: TestPki) -> None:
    built = card(pki)
    dg14 = Dg14.parse(built.card.files[DG14.fid])
    assert dg14.chip_authentication_infos == [ChipAuthenticationInfo(ID_CA_ECDH_AES_128, 1, None)]
    (key,) = dg14.chip_authentication_public_keys
    assert key.agreement == "ECDH"
    assert chip_authentication_parameters(dg14).curve_name == "brainpoolP256r1"
    assert dg14.active_authentication_info is not None  # the ECDSA AA info is still there
    card_access = CardAccess.parse(built.card.files[0x011C])
    assert card_access.pace_infos == [CCCD_PACE_INFO]
    assert card_access.chip_authentication_infos == dg14.chip_authentication_infos


def test_genuine_chip_is_valid_and_reading_continues_on_the_new_keys(pki: TestPki) -> None:
    built = card(pki)
    session, dg14, recorder = opened(built)
    pace_channel = session.sender
    assert isinstance(pace_channel, SecureChannel)
    result = check_chip_authentication(session, dg14)
    assert result.status == "valid", result.detail
    assert "id-CA-ECDH-AES-CBC-CMAC-128" in result.detail
    new = session.sender
    assert isinstance(new, SecureChannel) and new is not pace_channel and new.inner is session.channel
    assert new.sm.ks_enc != pace_channel.sm.ks_enc and new.sm.ks_mac != pace_channel.sm.ks_mac
    assert (new.sm.ks_enc, new.sm.ks_mac) == (built.card.sm.ks_enc, built.card.sm.ks_mac)
    assert new.sm.ssc == built.card.sm.ssc == 2  # SSC restarted at 0; one protected SELECT since
    # AES: MSE:Set AT 41 A4 then GENERAL AUTHENTICATE, both protected
    headers = [raw[:4].hex().upper() for raw in recorder.commands]
    assert headers[-3:] == ["0C2241A4", "0C860000", "0CA4020C"]
    assert_reads_everything(session, built)


def test_old_keys_no_longer_work_after_chip_authentication(pki: TestPki) -> None:
    built = card(pki)
    session, dg14, _ = opened(built)
    old_sm = session.sender.sm  # type: ignore[attr-defined]
    assert check_chip_authentication(session, dg14).status == "valid"
    # the old keys, with the SSC the chip would expect had it stayed on them
    stale = SecureChannel(session.channel, SecureMessaging(old_sm.cipher, old_sm.ks_enc, old_sm.ks_mac,
                                                           old_sm.ssc))
    with pytest.raises(SecureMessagingError):
        stale.send(SELECT_COM)
    assert built.card.sm is None  # the chip ended the secure session, as on a MAC failure
    with pytest.raises(SecureMessagingError):
        session.sender.send(SELECT_COM)


def test_bac_then_chip_authentication_moves_from_3des_to_aes(pki: TestPki) -> None:
    built = card(pki, bac_only=True)
    session, dg14, _ = opened(built, key=built.mrz.access_key())
    assert session.access == "BAC" and session.sender.sm.cipher == "DESede"  # type: ignore[attr-defined]
    assert check_chip_authentication(session, dg14).status == "valid"
    assert session.sender.sm.cipher == "AES"  # type: ignore[attr-defined]
    assert_reads_everything(session, built)


@pytest.mark.parametrize(("protocol", "cipher", "length", "curve"), [
    (ID_CA_ECDH_3DES, "DESede", 16, "brainpoolP256r1"),
    (ID_CA_ECDH_AES_128, "AES", 16, "secp256r1"),
    (ID_CA_ECDH_AES_192, "AES", 24, "brainpoolP384r1"),
    (ID_CA_ECDH_AES_256, "AES", 32, "secp521r1"),
    (ID_CA_ECDH_AES_256, "AES", 32, "brainpoolP512r1"),
])
def test_ca_variants(pki: TestPki, protocol: str, cipher: str, length: int, curve: str) -> None:
    built = card(pki, ca_protocol=protocol, ca_curve=curve)
    session, dg14, recorder = opened(built)
    result = check_chip_authentication(session, dg14)
    assert result.status == "valid", result.detail
    sm = session.sender.sm  # type: ignore[attr-defined]
    assert (sm.cipher, len(sm.ks_enc)) == (cipher, length)
    headers = [raw[:4].hex().upper() for raw in recorder.commands]
    if cipher == "DESede":  # MSE:Set KAT carries the key, no GENERAL AUTHENTICATE
        assert headers[-2:] == ["0C2241A6", "0CA4020C"]
    else:
        assert headers[-3:] == ["0C2241A4", "0C860000", "0CA4020C"]
    assert_reads_everything(session, built)


def test_key_id_is_sent_and_checked(pki: TestPki) -> None:
    built = card(pki, ca_key_id=7)
    session, dg14, _ = opened(built)
    assert dg14.chip_authentication_infos[0].key_id == 7
    assert check_chip_authentication(session, dg14).status == "valid"
    # a DG14 naming another key id than the chip has: the chip refuses MSE:Set AT
    built.card.reset()
    session, _, _ = opened(built)
    other = Dg14(tuple(ChipAuthenticationInfo(i.protocol, 1, 8) if isinstance(i, ChipAuthenticationInfo)
                       else ChipAuthenticationPublicKeyInfo(i.protocol, i.public_key_info, 8)
                       if isinstance(i, ChipAuthenticationPublicKeyInfo) else i for i in dg14.security_infos))
    result = check_chip_authentication(session, other)
    assert result.status == "invalid" and "refused MSE:Set AT" in result.detail and "6A88" in result.detail


def test_explicit_domain_parameters_in_dg14(pki: TestPki) -> None:
    key = generate_ca_key("brainpoolP256r1")
    built = build_card(demo_citizen(), portrait(), CardOptions(), pki=pki, ca_key=key)
    session, dg14, _ = opened(built)
    explicit = AaKey(key).public_key_info(explicit_parameters=True)
    dg14 = Dg14((ChipAuthenticationPublicKeyInfo(ca_public_key_info(key).protocol, explicit),
                 *dg14.chip_authentication_infos))
    assert check_chip_authentication(session, Dg14.parse(dg14.encode())).status == "valid"


def test_key_without_ca_info_implies_the_3des_protocol(pki: TestPki) -> None:
    built = card(pki, ca_protocol=ID_CA_ECDH_3DES)
    session, dg14, _ = opened(built)
    key_only = Dg14(tuple(dg14.chip_authentication_public_keys))
    assert chip_authentication_parameters(key_only).info.protocol == ID_CA_ECDH_3DES
    assert check_chip_authentication(session, key_only).status == "valid"


# -- clones, refusals, absence ----------------------------------------------------------------------

def test_chip_without_the_dg14_private_key_is_invalid(pki: TestPki) -> None:
    built = card(pki, ca_key_mismatch=True)
    session, dg14, _ = opened(built)
    result = check_chip_authentication(session, dg14)
    assert result.status == "invalid"
    assert "could not prove" in result.detail and "clone" in result.detail
    with pytest.raises(SecureMessagingError):  # the secure session is gone
        session.read_file(DG1)
    session.open(CAN)  # opening the chip again works (PACE keys, no Chip Authentication)
    assert session.read_file(DG1) == built.card.files[DG1.fid]


def test_chip_refusing_chip_authentication_is_invalid(pki: TestPki) -> None:
    built = card(pki)
    built.card.ca_infos = [ChipAuthenticationInfo(ID_CA_ECDH_AES_256, 1)]  # answers 6A88 to AES-128
    built.card.reset()
    session, dg14, _ = opened(built)
    pace_channel = session.sender
    result = check_chip_authentication(session, dg14)
    assert result.status == "invalid" and "refused" in result.detail
    assert session.sender is pace_channel  # no key switch happened; the PACE session still works
    assert session.read_file(DG1) == built.card.files[DG1.fid]


def test_chip_without_ca_at_all_with_dg14_offering_it_is_invalid(pki: TestPki) -> None:
    built = card(pki)
    built.card.ca_key = None  # answers 6D00 to MSE:Set AT 41 A4
    built.card.reset()
    session, dg14, _ = opened(built)
    assert check_chip_authentication(session, dg14).status == "invalid"


def test_dg14_without_ca_is_not_supported(pki: TestPki) -> None:
    built = card(pki, chip_auth=False)
    session, dg14, _ = opened(built)
    assert dg14.chip_authentication_infos == [] and dg14.active_authentication_info is not None
    assert CardAccess.parse(built.card.files[0x011C]).chip_authentication_infos == []
    pace_channel = session.sender
    result = check_chip_authentication(session, dg14)
    assert result.status == "not_supported" and "does not offer" in result.detail
    assert session.sender is pace_channel
    assert_reads_everything(session, built)


def test_no_dg14_at_all_when_neither_ca_nor_ecdsa_aa(pki: TestPki) -> None:
    built = card(pki, chip_auth=False, aa="rsa-1024")
    assert DG14.fid not in built.card.files


def test_dh_chip_authentication_is_not_supported() -> None:
    def der(value: object) -> bytes:
        return der_encoder.encode(value)

    def seq(*parts: bytes) -> bytes:
        return encode_tlv(0x30, b"".join(parts))

    y = der(univ.Integer(pow(2, 0x1234567, _MODP_1024)))
    algorithm = seq(der(univ.ObjectIdentifier("1.2.840.10046.2.1")),  # dhpublicnumber
                    seq(der(univ.Integer(_MODP_1024)), der(univ.Integer(2))))
    spki = seq(algorithm, encode_tlv(0x03, b"\x00" + y))
    dg14 = Dg14.parse(Dg14((ChipAuthenticationPublicKeyInfo(ID_PK_DH, spki),
                            ChipAuthenticationInfo(ID_CA_DH_3DES, 1))).encode())
    result = check_chip_authentication(object(), dg14)  # type: ignore[arg-type]
    assert result.status == "not_supported" and "DH" in result.detail


def test_ca_info_without_a_key_or_with_only_version_2_is_not_supported() -> None:
    key = ca_public_key_info(generate_ca_key())
    for dg14 in (Dg14((ChipAuthenticationInfo(ID_CA_ECDH_AES_128, 1),)),
                 Dg14((key, ChipAuthenticationInfo(ID_CA_ECDH_AES_128, 2))),
                 Dg14((ActiveAuthenticationInfo("0.4.0.127.0.7.1.1.4.1.3"),))):
        assert check_chip_authentication(object(), dg14).status == "not_supported"  # type: ignore[arg-type]


def test_unsupported_curve_is_not_supported() -> None:
    key = ca_public_key_info(ec.generate_private_key(ec.SECP256K1()))
    dg14 = Dg14((key, ChipAuthenticationInfo(ID_CA_ECDH_AES_128, 1)))
    result = check_chip_authentication(object(), dg14)  # type: ignore[arg-type]
    assert result.status == "not_supported" and "secp256k1" in result.detail


def test_chip_authentication_needs_an_open_session(pki: TestPki) -> None:
    built = card(pki)
    session = ChipSession(InProcessConnection(built.card))
    dg14 = Dg14.parse(built.card.files[DG14.fid])
    with pytest.raises(NfcError, match="secure messaging"):
        check_chip_authentication(session, dg14)


def test_card_pulled_away_during_chip_authentication_raises_a_transport_error(pki: TestPki) -> None:
    built = card(pki)
    session, dg14, recorder = opened(built)
    start = len(recorder.commands)
    for extra in range(3):  # MSE:Set AT, GENERAL AUTHENTICATE, the proving SELECT
        built.card.reset()
        session, dg14, recorder = opened(built, faults=ReaderFaults(remove_after=start + extra))
        with pytest.raises(TransportError):
            check_chip_authentication(session, dg14)


# -- the chip side alone ----------------------------------------------------------------------------

def test_chip_side_refuses_ca_outside_secure_messaging(pki: TestPki) -> None:
    built = card(pki)
    chip = built.card
    assert chip.process(bytes.fromhex("00A4040C07A0000002471001")) == bytes.fromhex("9000")
    mse = bytes.fromhex("002241A40C") + bytes.fromhex("800A04007F00070202030202")  # 80 id-CA-ECDH-AES-128
    assert chip.process(mse) == bytes.fromhex("6982")
    assert chip.process(bytes.fromhex("0086000004") + bytes.fromhex("7C028000") + b"\x00") == bytes.fromhex("6D00")


def test_chip_side_rejects_a_point_off_the_curve() -> None:
    key = generate_ca_key()
    chip = ChipAuthChip(key, [ChipAuthenticationInfo(ID_CA_ECDH_AES_128, 1)])
    mse = CommandApdu(0x00, INS.MSE, 0x41, 0xA4, bytes.fromhex("800A04007F00070202030202"))
    assert chip.handle(mse).sw == 0x9000
    bad = b"\x04" + bytes(64)
    ga = CommandApdu(0x00, INS.GENERAL_AUTHENTICATE, 0, 0, bytes.fromhex("7C43") + b"\x80\x41" + bad, le=256)
    assert chip.handles(ga)
    assert chip.handle(ga).sw == 0x6A80 and chip.session is None
    assert not chip.handles(ga)  # disarmed after a failure


# -- cost -------------------------------------------------------------------------------------------

class _TimedCard:
    """Counts the CPU time the virtual chip spends, to leave only the terminal's share."""

    def __init__(self, card: object) -> None:
        self.card = card
        self.cpu = 0.0

    def process(self, raw: bytes) -> bytes:
        start = time.process_time()
        try:
            return self.card.process(raw)  # type: ignore[attr-defined]
        finally:
            self.cpu += time.process_time() - start


def test_cpu_time_of_one_chip_authentication(pki: TestPki) -> None:
    built = card(pki)
    runs, terminal, total = 20, [], []
    for _ in range(runs):
        built.card.reset()
        timed = _TimedCard(built.card)
        session = ChipSession(InProcessConnection(timed))
        session.open(CAN)
        dg14 = Dg14.parse(session.read_file(DG14))
        timed.cpu = 0.0
        start = time.process_time()
        assert check_chip_authentication(session, dg14).status == "valid"
        spent = time.process_time() - start
        total.append(spent)
        terminal.append(spent - timed.cpu)
    terminal.sort()
    total.sort()
    print(f"\nChip Authentication CPU (brainpoolP256r1, AES-128): terminal median {terminal[runs // 2] * 1e3:.2f} ms, "
          f"terminal + virtual chip median {total[runs // 2] * 1e3:.2f} ms")
    assert terminal[runs // 2] < 0.025  # well inside the 50 ms budget for PA + AA + CA


# -- malformed input never crashes ------------------------------------------------------------------

_CA_KEY = generate_ca_key()
_CA_PUBLIC = ca_public_key_info(_CA_KEY)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120), st.sampled_from([ID_CA_ECDH_3DES, ID_CA_ECDH_AES_128, ID_CA_ECDH_AES_256]))
def test_fuzzed_dg14_key_is_a_clear_not_supported(spki: bytes, protocol: str) -> None:
    cut = _CA_PUBLIC.public_key_info[: len(spki)]
    for candidate in (spki, cut, cut + spki):
        dg14 = Dg14((ChipAuthenticationPublicKeyInfo(_CA_PUBLIC.protocol, candidate), ChipAuthenticationInfo(protocol)))
        assert check_chip_authentication(object(), dg14).status == "not_supported"  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=140), st.sampled_from([(0x41, 0xA4), (0x41, 0xA6)]))
def test_fuzzed_ca_commands_get_a_status_word_not_a_crash(data: bytes, p1p2: tuple[int, int]) -> None:
    chip = ChipAuthChip(_CA_KEY, [ChipAuthenticationInfo(ID_CA_ECDH_AES_128), ChipAuthenticationInfo(ID_CA_ECDH_3DES)])
    mse = CommandApdu(0x00, INS.MSE, *p1p2, data)
    assert chip.handle(mse).sw in (0x9000, 0x6A80, 0x6A88)
    chip.handle(CommandApdu(0x00, INS.MSE, 0x41, 0xA4, bytes.fromhex("800A04007F00070202030202")))
    resp = chip.handle(CommandApdu(0x00, INS.GENERAL_AUTHENTICATE, 0, 0, data, le=256))
    assert resp.sw in (0x9000, 0x6A80)


def test_a_session_opened_again_mid_read_runs_chip_authentication_again(pki: TestPki) -> None:
    built = card(pki)
    session, dg14, recorder = opened(built)
    assert check_chip_authentication(session, dg14).status == "valid"
    reads = [0]

    def drop_session_after_first_dg2_chunk(raw: bytes) -> bytes:
        if raw[1] == INS.READ_BINARY:
            reads[0] += 1
            if reads[0] == 2:
                built.card.sm = None  # the chip ends its secure session (as some do on an APDU they dislike)
        return built.card.process(raw)

    recorder.inner = type("Dropping", (), {"process": staticmethod(drop_session_after_first_dg2_chunk)})()
    assert session.read_file(DG2) == built.card.files[DG2.fid]
    mse_ca = [raw for raw in recorder.commands if raw[:4] == bytes.fromhex("0C2241A4")]
    assert len(mse_ca) == 2  # Chip Authentication ran again on the reopened session
    assert session.sender.sm.ks_enc == built.card.sm.ks_enc  # type: ignore[attr-defined]
