"""EF.SOD: build -> parse round trip, signatures that verify, and malformed input that only ever raises ParseError."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.cms import parse_pss_parameters
from nfc.lds.sod import Sod, build_sod, hash_data_groups, parse_sod
from nfc.lds.tlv import encode_length
from nfc.oids import ID_LDS_SECURITY_OBJECT, ID_RSASSA_PSS
from nfc.sim.pki import TestPki

NOW = dt.datetime(2025, 6, 1, 12, 30, 5, tzinfo=dt.UTC)
DATA_GROUPS = {
    1: bytes.fromhex("615B5F1F58") + b"I<VNM" * 18,
    2: b"\x75\x03\x01\x02\x03",
    13: b"\x6d\x02\x30\x00",
    14: b"\x6e\x02\x31\x00",
    15: b"\x6f\x02\x30\x00",
}


@functools.cache
def ec_pki() -> TestPki:
    return TestPki.generate(now=NOW)


@functools.cache
def rsa_pki(padding_name: str) -> TestPki:
    return TestPki.generate(algorithm="rsa-2048", rsa_padding=padding_name)  # type: ignore[arg-type]


@functools.cache
def sample_sod() -> bytes:
    return ec_pki().sign_sod(DATA_GROUPS, signing_time=NOW)


def _verify(sod: Sod, certificate: x509.Certificate) -> None:
    """What Passive Authentication will do with the parsed fields."""
    public = certificate.public_key()
    digest = getattr(hashes, sod.signed.digest_algorithm.upper())()
    if isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(sod.signed.signature, sod.signed.signed_bytes, ec.ECDSA(digest))
    elif sod.signed.signature_algorithm == ID_RSASSA_PSS:
        params = sod.signed.pss_parameters()
        assert params is not None
        mgf_hash = getattr(hashes, params.mgf_hash_name.upper())()
        pss = padding.PSS(mgf=padding.MGF1(mgf_hash), salt_length=params.salt_length)
        public.verify(sod.signed.signature, sod.signed.signed_bytes, pss, getattr(hashes, params.hash_name.upper())())
    else:
        public.verify(sod.signed.signature, sod.signed.signed_bytes, padding.PKCS1v15(), digest)


def test_round_trip_ecdsa() -> None:
    raw = sample_sod()
    sod = parse_sod(raw)
    assert sod.raw == raw and raw[0] == 0x77
    assert sod.version == 0 and sod.lds_version_info is None
    assert sod.digest_algorithm == "sha256" and sod.signed.digest_algorithm == "sha256"
    assert sod.dg_hashes == {n: hashlib.sha256(b).digest() for n, b in DATA_GROUPS.items()}
    assert sod.signed.content_type_attribute == ID_LDS_SECURITY_OBJECT
    assert sod.signed.message_digest == hashlib.sha256(sod.signed.content).digest()
    assert sod.signed.signing_time == NOW
    assert sod.signed.signature_algorithm == "1.2.840.10045.4.3.2"
    assert sod.signed.signature_algorithm_parameters is None
    assert sod.signed.signed_attributes is not None and sod.signed.signed_attributes[0] == 0x31
    assert sod.signed.signed_bytes == sod.signed.signed_attributes
    dsc = ec_pki().dsc_certificate
    assert sod.signed.certificates == (dsc.public_bytes(Encoding.DER),)
    assert sod.signed.signer_id.serial_number == dsc.serial_number
    assert sod.signed.signer_id.subject_key_identifier is None
    assert sod.signed.signer_certificate() == dsc
    _verify(sod, dsc)
    dsc.verify_directly_issued_by(ec_pki().csca_certificate)


@pytest.mark.parametrize("padding_name", ["pkcs1v15", "pss"])
def test_round_trip_rsa(padding_name: str) -> None:
    pki = rsa_pki(padding_name)
    sod = parse_sod(pki.sign_sod(DATA_GROUPS, lds_version_info=("0108", "040000")))
    assert sod.version == 1 and sod.lds_version_info == ("0108", "040000")
    assert sod.dg_hashes == hash_data_groups(DATA_GROUPS)
    if padding_name == "pss":
        assert sod.signed.signature_algorithm == ID_RSASSA_PSS
        assert parse_pss_parameters(sod.signed.signature_algorithm_parameters).salt_length == 32
    else:
        assert sod.signed.signature_algorithm_parameters == b"\x05\x00"
        assert sod.signed.pss_parameters() is None
    _verify(sod, sod.signed.signer_certificate())
    pki.dsc_certificate.verify_directly_issued_by(pki.csca_certificate)


def test_subject_key_identifier_and_no_signing_time() -> None:
    pki = ec_pki()
    sod = parse_sod(pki.sign_sod(DATA_GROUPS, signer_id="ski", include_signing_time=False))
    ski = pki.dsc_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert sod.signed.signer_id.subject_key_identifier == ski and sod.signed.signer_id.issuer is None
    assert sod.signed.signing_time is None
    assert sod.signed.signer_certificate() == pki.dsc_certificate
    _verify(sod, pki.dsc_certificate)


def test_sha1_and_sha512_hashes() -> None:
    for name in ("sha1", "sha512"):
        sod = parse_sod(ec_pki().sign_sod(DATA_GROUPS, digest_algorithm=name))
        assert sod.digest_algorithm == name
        assert sod.dg_hashes[2] == hashlib.new(name, DATA_GROUPS[2]).digest()
        _verify(sod, ec_pki().dsc_certificate)


def test_tampered_hash_breaks_the_signature() -> None:
    raw = bytearray(sample_sod())
    index = raw.find(hashlib.sha256(DATA_GROUPS[2]).digest())
    raw[index] ^= 1
    sod = parse_sod(bytes(raw))
    assert sod.signed.message_digest != hashlib.sha256(sod.signed.content).digest()


def test_other_signer_is_not_found() -> None:
    other = TestPki.generate()
    raw = build_sod(
        {1: bytes(32)},
        signer_key=other.dsc_key,
        signer_certificate=other.dsc_certificate,
        extra_certificates=[ec_pki().dsc_certificate],
    )
    sod = parse_sod(raw)
    assert len(sod.signed.certificates) == 2
    assert sod.signed.signer_certificate() == other.dsc_certificate


def _wrap(content: bytes) -> bytes:
    return b"\x77" + encode_length(len(content)) + content


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x77",
        b"\x77\x00",
        b"\x78\x03\x30\x01\x00",
        _wrap(b"\x30\x00"),
        _wrap(b"\x30\x03\x02\x01\x00"),
        _wrap(bytes.fromhex("300b06092a864886f70d010701")),  # id-data, not signed data
    ],
)
def test_malformed(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_sod(data)


def test_trailing_bytes_and_wrong_content_type() -> None:
    with pytest.raises(ParseError):
        parse_sod(sample_sod() + b"\x00")
    raw = sample_sod()
    oid = bytes.fromhex("0606678108010101")  # id-icao-mrtd-security-ldsSecurityObject
    assert raw.count(oid) >= 1
    with pytest.raises(ParseError):
        parse_sod(raw.replace(oid, bytes.fromhex("0606678108010102"), 1))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_truncated_sod_raises_parse_error(data: st.DataObject) -> None:
    raw = sample_sod()
    cut = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    with pytest.raises(ParseError):
        parse_sod(raw[:cut])


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_mutated_sod_parses_or_raises_parse_error(data: st.DataObject) -> None:
    raw = bytearray(sample_sod())
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw[index] = data.draw(st.integers(min_value=0, max_value=255))
    try:
        sod = parse_sod(bytes(raw))
    except ParseError:
        return
    assert isinstance(sod, Sod)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_parse_error(blob: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_sod(_wrap(blob))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_inserted_or_deleted_bytes(data: st.DataObject) -> None:
    raw = sample_sod()
    index = data.draw(st.integers(min_value=1, max_value=len(raw) - 1))
    if data.draw(st.booleans()):
        mutated = raw[:index] + data.draw(st.binary(min_size=1, max_size=3)) + raw[index:]
    else:
        mutated = raw[:index] + raw[index + data.draw(st.integers(min_value=1, max_value=3)) :]
    with contextlib.suppress(ParseError):
        parse_sod(mutated)


def test_a_dsc_whose_issuer_does_not_parse_is_not_the_signer() -> None:
    issuer = ec_pki().dsc_certificate.issuer.public_bytes()
    at = sample_sod().index(issuer) + issuer.rindex(b"\x0c")  # the common name's UTF8String, in the DSC
    broken = sample_sod()[:at] + b"\x02" + sample_sod()[at + 1 :]  # an INTEGER where a name belongs
    assert parse_sod(sample_sod()).signed.signer_certificate() is not None
    assert parse_sod(broken).signed.signer_certificate() is None  # cryptography raised ValueError here
