import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nfc.errors import ParseError
from nfc.lds.dg11 import Dg11
from nfc.lds.dg12 import Dg12
from nfc.lds.dg15 import Dg15
from nfc.lds.security_infos import ActiveAuthenticationInfo, Dg14
from nfc.lds.tlv import encode_tlv

# ICAO 9303-10 style DG11: tag list, full name, other names grouped under A0, place of birth.
DG11 = encode_tlv(0x6B, encode_tlv(0x5C, bytes.fromhex("5F0E5F0F5F11"))
                  + encode_tlv(0x5F0E, b"ERIKSSON<<ANNA<MARIA")
                  + encode_tlv(0xA0, encode_tlv(0x02, b"\x02") + encode_tlv(0x5F0F, b"ANNA")
                               + encode_tlv(0x5F0F, b"MARIA"))
                  + encode_tlv(0x5F11, "Hà Nội".encode()))


def test_dg11_parse_and_round_trip():
    dg11 = Dg11.parse(DG11)
    assert dg11.full_name == "ERIKSSON<<ANNA<MARIA"
    assert dg11.other_names == ("ANNA", "MARIA")
    assert dg11.place_of_birth == "Hà Nội"
    assert dg11.unknown == {}
    assert Dg11.parse(dg11.encode()) == dg11
    assert dg11.encode() == DG11


def test_dg11_unknown_and_binary_fields_kept():
    dg11 = Dg11(full_date_of_birth="19740812", proof_of_citizenship=b"\xff\xd8", unknown={0x5F50: b"\x01"})
    assert Dg11.parse(dg11.encode()) == dg11


@pytest.mark.parametrize("data", [
    encode_tlv(0x6B, encode_tlv(0x5F0E, b"A")),                                   # no tag list
    encode_tlv(0x6B, encode_tlv(0x5C, b"") + encode_tlv(0x5F0E, b"\xff")),        # not UTF-8
    encode_tlv(0x6B, encode_tlv(0x5C, b"") + encode_tlv(0x5F0E, b"A") * 2),      # repeated single field
    encode_tlv(0x6B, encode_tlv(0x5C, b"") + encode_tlv(0xA0, encode_tlv(0x02, b"\x02")
                                                        + encode_tlv(0x5F0F, b"A"))),  # count mismatch
    encode_tlv(0x6B, encode_tlv(0x5C, b"") + encode_tlv(0xA0, encode_tlv(0x5F0F, b"A"))),  # no count
    encode_tlv(0x6B, encode_tlv(0x5C, b"") + encode_tlv(0xA0, encode_tlv(0x02, b"\x01")
                                                        + encode_tlv(0x5F0E, b"A"))),  # wrong item tag
    encode_tlv(0x6C, encode_tlv(0x5C, b"")),                                      # wrong outer tag
    DG11[:-1],
])
def test_dg11_malformed(data):
    with pytest.raises(ParseError):
        Dg11.parse(data)


def test_dg12_round_trip():
    dg12 = Dg12(issuing_authority="Cục Cảnh sát QLHC về TTXH", date_of_issue="20210810",
                other_persons=("A", "B"), image_of_front=b"\xff\xd8\x00", personalization_time="20210810101010",
                unknown={0x5F77: b"x"})
    data = dg12.encode()
    assert data[0] == 0x6C
    parsed = Dg12.parse(data)
    assert parsed == dg12
    assert parsed.issuing_authority == "Cục Cảnh sát QLHC về TTXH"


def test_dg12_malformed():
    with pytest.raises(ParseError):
        Dg12.parse(encode_tlv(0x6C, encode_tlv(0x5C, b"") + encode_tlv(0x5F19, b"\xc3")))
    with pytest.raises(ParseError):
        Dg12.parse(encode_tlv(0x6C, b""))


def test_dg14_active_authentication_info():
    dg14 = Dg14((ActiveAuthenticationInfo("0.4.0.127.0.7.1.1.4.1.3"),))
    assert Dg14.parse(dg14.encode()).active_authentication_info.signature_algorithm == "0.4.0.127.0.7.1.1.4.1.3"
    assert Dg14(()).active_authentication_info is None


def test_dg15_rsa_and_ec():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    dg15 = Dg15.from_public_key(rsa_key)
    data = dg15.encode()
    assert data[0] == 0x6F
    parsed = Dg15.parse(data)
    assert parsed == dg15
    loaded = parsed.public_key()
    assert isinstance(loaded, rsa.RSAPublicKey) and loaded.public_numbers() == rsa_key.public_numbers()

    ec_key = ec.generate_private_key(ec.BrainpoolP256R1()).public_key()
    spki = ec_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    loaded_ec = Dg15.parse(encode_tlv(0x6F, spki)).public_key()
    assert isinstance(loaded_ec, ec.EllipticCurvePublicKey) and loaded_ec.curve.name == "brainpoolP256r1"


@pytest.mark.parametrize("data", [
    encode_tlv(0x6E, encode_tlv(0x30, b"")),                       # wrong tag
    encode_tlv(0x6F, encode_tlv(0x04, b"abc")),                    # not a SEQUENCE
    encode_tlv(0x6F, encode_tlv(0x30, b"") + b"\x00"),             # trailing byte
    encode_tlv(0x6F, b""),                                         # empty
])
def test_dg15_malformed(data):
    with pytest.raises(ParseError):
        Dg15.parse(data)


def test_dg15_key_that_does_not_load():
    dg15 = Dg15.parse(encode_tlv(0x6F, encode_tlv(0x30, encode_tlv(0x02, b"\x01"))))
    with pytest.raises(ParseError, match="does not load"):
        dg15.public_key()
