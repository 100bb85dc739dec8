import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.security_infos import (
    ActiveAuthenticationInfo,
    CardAccess,
    ChipAuthenticationDomainParameterInfo,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    Dg14,
    PaceDomainParameterInfo,
    PaceInfo,
    TerminalAuthenticationInfo,
    UnknownSecurityInfo,
    encode_security_info,
    parse_security_info,
)
from nfc.oids import ID_PK_ECDH, PACE_ECDH_GM_AES_128

# EF.CardAccess as a CCCD announces it: PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (13), and
# Chip Authentication ECDH-AES-CBC-CMAC-128.
CCCD_CARD_ACCESS = bytes.fromhex(
    "3128"
    "3012" "060A04007F00070202040202" "020102" "02010D"
    "3012" "060A04007F00070202030202" "020101" "020101"
)
ID_CA_ECDH_AES128 = "0.4.0.127.0.7.2.2.3.2.2"
ECDSA_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"


def _spki() -> bytes:
    key = ec.generate_private_key(ec.BrainpoolP256R1()).public_key()
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def test_cccd_card_access():
    ca = CardAccess.parse(CCCD_CARD_ACCESS)
    assert ca.pace_infos == [PaceInfo(PACE_ECDH_GM_AES_128, 2, 13)]
    pace = ca.pace_infos[0]
    assert (pace.agreement, pace.mapping, pace.cipher, pace.key_length, pace.curve) == (
        "ECDH", "GM", "AES", 16, "brainpoolP256r1")
    assert pace.supported
    (cai,) = ca.chip_authentication_infos
    assert cai == ChipAuthenticationInfo(ID_CA_ECDH_AES128, 1, 1)
    assert (cai.agreement, cai.cipher, cai.key_length) == ("ECDH", "AES", 16)
    assert ca.encode() == CCCD_CARD_ACCESS


def test_dg14_round_trip_and_views():
    spki = _spki()
    infos = (
        ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, 1),
        ChipAuthenticationInfo(ID_CA_ECDH_AES128, 1, 1),
        ActiveAuthenticationInfo(ECDSA_SHA256),
        TerminalAuthenticationInfo(1),
        PaceInfo(PACE_ECDH_GM_AES_128, 2, 13),
        UnknownSecurityInfo("1.2.3.4", bytes.fromhex("0500"), bytes.fromhex("020105")),
    )
    dg14 = Dg14(infos)
    data = dg14.encode()
    assert data[0] == 0x6E
    parsed = Dg14.parse(data)
    assert parsed == dg14
    assert parsed.chip_authentication_public_keys[0].public_key_info == spki
    assert parsed.chip_authentication_public_keys[0].agreement == "ECDH"
    assert parsed.active_authentication_info == ActiveAuthenticationInfo(ECDSA_SHA256, 1)
    assert parsed.terminal_authentication_infos == [TerminalAuthenticationInfo(1)]
    assert parsed.pace_infos == [PaceInfo(PACE_ECDH_GM_AES_128, 2, 13)]
    assert parsed.encode() == data


def test_domain_parameter_infos():
    alg = bytes.fromhex("300A" "06082A8648CE3D030107")  # AlgorithmIdentifier { prime256v1 }
    pdi = PaceDomainParameterInfo("0.4.0.127.0.7.2.2.4.2", alg, 1)
    cdi = ChipAuthenticationDomainParameterInfo("0.4.0.127.0.7.2.2.3.2", alg)
    assert parse_security_info(encode_security_info(pdi)) == pdi
    assert parse_security_info(encode_security_info(cdi)) == cdi


def test_terminal_authentication_with_file_id():
    ta = TerminalAuthenticationInfo(1, bytes.fromhex("3004" "04020111"))
    assert parse_security_info(ta.encode()) == ta


def test_unknown_kept_raw():
    info = parse_security_info(bytes.fromhex("3009" "06032A0304" "0C024142"))
    assert info == UnknownSecurityInfo("1.2.3.4", bytes.fromhex("0C024142"), None)
    assert info.encode() == bytes.fromhex("3009" "06032A0304" "0C024142")


@pytest.mark.parametrize("data", [
    CCCD_CARD_ACCESS[:-1],                                      # truncated
    b"\x30" + CCCD_CARD_ACCESS[1:],                             # a SEQUENCE, not a SET
    CCCD_CARD_ACCESS + b"\x00",                                 # trailing byte
    bytes.fromhex("3103" "020101"),                             # element not a SEQUENCE
    bytes.fromhex("3114" "3012" "060A04007F00070202040202" "0C0102" "02010D"),  # version not INTEGER
    bytes.fromhex("3110" "300E" "060A04007F00070202040202" "0200"),  # empty INTEGER
    bytes.fromhex("310E" "300C" "060A04007F00070202040202"),          # requiredData missing
    bytes.fromhex("3116" "3014" "060A04007F00070202040202" "020102" "02010D" "0500"),  # extra element
    bytes.fromhex("310D" "300B" "0606678108010105" "020101"),  # AA info without signature algorithm
    bytes.fromhex("3111" "300F" "060904007F000702020102" "020101" "0500"),  # CA public key not an SPKI
    bytes.fromhex("3104" "3002" "0600"),                        # empty OID
])
def test_malformed(data):
    with pytest.raises(ParseError):
        CardAccess.parse(data)


def test_dg14_wrong_tag():
    with pytest.raises(ParseError):
        Dg14.parse(b"\x6F" + bytes([len(CCCD_CARD_ACCESS)]) + CCCD_CARD_ACCESS)


@given(st.binary(max_size=80))
def test_random_bytes_only_parse_error(data):
    for candidate in (data, b"\x31" + bytes([len(data)]) + data if len(data) < 128 else data):
        try:
            ca = CardAccess.parse(candidate)
        except ParseError:
            continue
        assert CardAccess.parse(ca.encode()) == ca


@given(st.data())
def test_mutated_card_access_only_parse_error(data):
    raw = bytearray(CCCD_CARD_ACCESS)
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] = data.draw(st.integers(0, 255))
    try:
        ca = CardAccess.parse(bytes(raw))
    except ParseError:
        return
    assert CardAccess.parse(ca.encode()) == ca


OVERFLOWING_OID = bytes.fromhex("310c300a0688ffffffffffffffff")  # an OID announcing 2^64 bytes, lengths right


@pytest.mark.parametrize("data", [OVERFLOWING_OID, bytes.fromhex("3108" "3006" "0604" "8f" + "ff" * 3),
                                  bytes.fromhex("3111" "300f" "060A04007F00070202040202" "0201" "8401000000")])
def test_hostile_card_access_is_a_parse_error(data):
    with pytest.raises(ParseError):
        CardAccess.parse(data)


def test_hostile_dg14_is_a_parse_error():
    with pytest.raises(ParseError):
        Dg14.parse(b"\x6e\x0e" + OVERFLOWING_OID)


def test_negative_ids_are_refused():
    info = bytes.fromhex("3115" "3013" "060A04007F00070202040202" "020102" "0202ff00")  # parameter id -256
    with pytest.raises(ParseError, match="out of range"):
        CardAccess.parse(info)
