"""Passive Authentication: every row of issue 3's table that concerns EF.SOD, the DSC and the CSCA."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from nfc.lds.dg1 import Dg1
from nfc.lds.dg2 import Dg2
from nfc.lds.dg15 import Dg15
from nfc.lds.mrz import Mrz
from nfc.lds.security_infos import ActiveAuthenticationInfo, Dg14
from nfc.lds.sod import Sod, build_sod, parse_sod
from nfc.sim.active_auth import AaKey
from nfc.sim.citizen import demo_citizen
from nfc.sim.pki import TestPki, generate_key
from nfc.trust import INVALID, UNVERIFIED, VALID, CheckResult
from nfc.trust.passive import PassiveResult, verify_passive_authentication
from nfc.trust.store import TrustStore

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"


def replaced(sod: Sod, **changes: object) -> Sod:
    """``sod`` with fields of its SignedData changed (what a forger would edit)."""
    return dataclasses.replace(sod, signed=dataclasses.replace(sod.signed, **changes))


@functools.cache
def data_groups() -> dict[int, bytes]:
    """DG1, DG2, DG13, DG14, DG15 of the demo citizen, from the real LDS classes."""
    citizen = demo_citizen()
    mrz = Mrz.build_cccd(
        id_number=citizen.id_number,
        full_name=citizen.full_name,
        date_of_birth=citizen.date_of_birth,
        sex=citizen.sex_code,
        date_of_expiry=citizen.expiry_date,
    )
    aa = AaKey.generate("ec-p256")
    return {
        1: Dg1(mrz).encode(),
        2: Dg2.build(JPEG, 480, 640).encode(),
        13: citizen.encode(),
        14: Dg14((ActiveAuthenticationInfo(aa.signature_algorithm_oid),)).encode(),
        15: Dg15(aa.public_key_info()).encode(),
    }


@functools.cache
def ec_pki(**options) -> TestPki:
    return TestPki.generate(now=NOW, **options)


@functools.cache
def rsa_keys() -> tuple:
    return generate_key("rsa-2048"), generate_key("rsa-2048")


@functools.cache
def rsa_pki(padding_name: str) -> TestPki:
    csca_key, dsc_key = rsa_keys()
    return TestPki.generate(
        algorithm="rsa-2048", csca_key=csca_key, dsc_key=dsc_key, rsa_padding=padding_name, now=NOW
    )  # type: ignore[arg-type]


def store_of(*pkis: TestPki, crls: tuple = ()) -> TrustStore:
    return TrustStore.from_certificates([p.csca_certificate for p in pkis], crls=crls)


def sign(pki: TestPki, groups: dict[int, bytes] | None = None, **options) -> Sod:
    options.setdefault("signing_time", NOW)
    return parse_sod(pki.sign_sod(groups if groups is not None else data_groups(), **options))


def verify(sod: Sod, groups: dict[int, bytes] | None = None, trust: TrustStore | None = None, **kw) -> PassiveResult:
    kw.setdefault("now", NOW)
    return verify_passive_authentication(sod, groups if groups is not None else data_groups(), trust, **kw)


def _flip(data: bytes, index: int | None = None) -> bytes:
    index = len(data) // 2 if index is None else index
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


# --- genuine ------------------------------------------------------------------------------------------------


def test_genuine_is_valid() -> None:
    pki = ec_pki()
    result = verify(sign(pki), trust=store_of(pki))
    assert result.status == VALID, result.detail
    assert result.checked_data_groups == (1, 2, 13, 14, 15)
    assert result.failed_data_groups == ()
    assert result.unchecked_data_groups == ()
    assert result.dsc_subject == "CN=Test Document Signer,O=Test,C=VN"
    assert result.csca_subject == "CN=Test CSCA,O=Test,C=VN"
    assert result.checked_at == NOW
    assert isinstance(result, CheckResult) and result.status == VALID and not result.failed
    assert "DG1, DG2, DG13, DG14, DG15 hashes match EF.SOD" in result.detail
    assert "under CSCA CN=Test CSCA,O=Test,C=VN" in result.detail


def test_data_groups_listed_but_not_read_are_fine_and_reported() -> None:
    pki = ec_pki()
    groups = data_groups()
    result = verify(sign(pki), {1: groups[1], 13: groups[13]}, store_of(pki))
    assert result.status == VALID
    assert result.checked_data_groups == (1, 13)
    assert result.unchecked_data_groups == (2, 14, 15)
    assert "not read: DG2, DG14, DG15" in result.detail


def test_key_zero_is_ef_sod_and_ignored() -> None:
    pki = ec_pki()
    sod_bytes = pki.sign_sod(data_groups(), signing_time=NOW)
    result = verify(parse_sod(sod_bytes), {**data_groups(), 0: sod_bytes}, store_of(pki))
    assert result.status == VALID


def test_signer_identified_by_subject_key_identifier() -> None:
    pki = ec_pki()
    assert verify(sign(pki, signer_id="ski"), trust=store_of(pki)).status == VALID


# --- tampered data groups -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2, 13])
def test_one_byte_changed_after_signing_names_the_data_group(number: int) -> None:
    pki = ec_pki()
    sod = sign(pki)
    groups = {**data_groups(), number: _flip(data_groups()[number])}
    result = verify(sod, groups, store_of(pki))
    assert result.status == INVALID
    assert result.failed_data_groups == (number,)
    assert result.detail == f"DG{number} hash does not match EF.SOD"
    assert (result.status, result.detail) == (INVALID, f"DG{number} hash does not match EF.SOD")
    assert number in result.checked_data_groups


def test_several_tampered_data_groups_are_all_named() -> None:
    pki = ec_pki()
    groups = {**data_groups(), 1: _flip(data_groups()[1]), 13: _flip(data_groups()[13], 3)}
    result = verify(sign(pki), groups, store_of(pki))
    assert result.status == INVALID
    assert result.failed_data_groups == (1, 13)
    assert result.detail == "DG1, DG13 hashes do not match EF.SOD"


def test_data_group_read_but_not_in_sod_is_invalid() -> None:
    pki = ec_pki()
    groups = {n: v for n, v in data_groups().items() if n != 15}
    result = verify(sign(pki, groups), data_groups(), store_of(pki))
    assert result.status == INVALID
    assert result.failed_data_groups == (15,)
    assert "DG15 read but EF.SOD has no hash for it" in result.detail


def test_tampered_data_group_is_invalid_even_without_a_csca() -> None:
    result = verify(sign(ec_pki()), {**data_groups(), 2: _flip(data_groups()[2])}, TrustStore())
    assert result.status == INVALID
    assert result.detail == "DG2 hash does not match EF.SOD"


# --- the signature and its attributes -----------------------------------------------------------------------


def test_wrong_signature_is_invalid() -> None:
    pki = ec_pki()
    result = verify(sign(pki, corrupt_signature=True), trust=store_of(pki))
    assert result.status == INVALID
    assert result.detail == "EF.SOD signature by the DSC: the signature does not verify"
    assert result.failed_data_groups == ()


@pytest.mark.parametrize("padding_name", ["pkcs1v15", "pss"])
def test_wrong_rsa_signature_is_invalid(padding_name: str) -> None:
    pki = rsa_pki(padding_name)
    result = verify(sign(pki, corrupt_signature=True), trust=store_of(pki))
    assert result.status == INVALID
    assert "EF.SOD signature by the DSC: the signature does not verify" in result.detail


def test_message_digest_attribute_must_match_the_content() -> None:
    pki = ec_pki()
    sod = replaced(sign(pki), message_digest=bytes(32))
    result = verify(sod, trust=store_of(pki))
    assert result.status == INVALID
    assert "messageDigest attribute does not match the LDSSecurityObject" in result.detail


def test_content_type_attribute_must_match() -> None:
    pki = ec_pki()
    sod = replaced(sign(pki), content_type_attribute="1.2.840.113549.1.7.1")
    result = verify(sod, trust=store_of(pki))
    assert result.status == INVALID
    assert "contentType attribute 1.2.840.113549.1.7.1 does not match eContentType" in result.detail


def test_signed_attributes_are_required() -> None:
    pki = ec_pki()
    result = verify(replaced(sign(pki), signed_attributes=None), trust=store_of(pki))
    assert result.status == INVALID
    assert "EF.SOD has no signed attributes" in result.detail


def test_sod_without_its_signer_certificate_is_invalid() -> None:
    pki = ec_pki()
    result = verify(replaced(sign(pki), certificates=()), trust=store_of(pki))
    assert result.status == INVALID
    assert "does not carry the Document Signer certificate" in result.detail


# --- algorithms ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding_name", ["pkcs1v15", "pss"])
@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_rsa_document_signers(padding_name: str, digest: str) -> None:
    pki = rsa_pki(padding_name)
    sod = sign(pki, digest_algorithm=digest)
    if padding_name == "pss":
        assert sod.signed.pss_parameters() is not None
    result = verify(sod, trust=store_of(pki))
    assert result.status == VALID, result.detail


@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "ecdsa-p384", "ecdsa-brainpoolP256r1"])
@pytest.mark.parametrize("digest", ["sha1", "sha224", "sha256", "sha384", "sha512"])
def test_ecdsa_document_signers(algorithm: str, digest: str) -> None:
    pki = ec_pki(algorithm=algorithm)
    result = verify(sign(pki, digest_algorithm=digest), trust=store_of(pki))
    assert result.status == VALID, result.detail


def _plain(sod: Sod, size: int) -> bytes:
    r, s = decode_dss_signature(sod.signed.signature)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def test_ecdsa_plain_r_s_signature_is_accepted() -> None:
    pki = ec_pki()
    sod = sign(pki)
    assert verify(replaced(sod, signature=_plain(sod, 32)), trust=store_of(pki)).status == VALID
    plain_oid = replaced(sod, signature=_plain(sod, 32), signature_algorithm="0.4.0.127.0.7.1.1.4.1.3")
    assert verify(plain_oid, trust=store_of(pki)).status == VALID
    bad = _flip(_plain(sod, 32), 40)
    assert verify(replaced(sod, signature=bad), trust=store_of(pki)).status == INVALID


def test_generic_signature_algorithm_oids_take_the_signer_digest() -> None:
    pki = ec_pki()
    sod = replaced(sign(pki), signature_algorithm="1.2.840.10045.2.1")  # id-ecPublicKey
    assert verify(sod, trust=store_of(pki)).status == VALID
    rsa = rsa_pki("pkcs1v15")
    sod = replaced(
        sign(rsa), signature_algorithm="1.2.840.113549.1.1.1", signature_algorithm_parameters=None
    )
    assert verify(sod, trust=store_of(rsa)).status == VALID


def test_signature_algorithm_must_fit_the_key() -> None:
    pki = ec_pki()
    sod = replaced(sign(pki), signature_algorithm="1.2.840.113549.1.1.11")
    result = verify(sod, trust=store_of(pki))
    assert result.status == INVALID
    assert "needs an RSA key" in result.detail
    sod = replaced(sign(pki), signature_algorithm="1.2.3.4")
    assert "unsupported signature algorithm 1.2.3.4" in verify(sod, trust=store_of(pki)).detail


# --- the DSC and its CSCA -----------------------------------------------------------------------------------


def test_dsc_from_another_csca_is_invalid() -> None:
    genuine = ec_pki()
    foreign = TestPki.generate(now=NOW, csca_key=genuine.csca_key, foreign_csca=True)
    result = verify(sign(foreign), trust=store_of(genuine))
    assert result.status == INVALID
    assert result.detail.startswith("no matching CSCA: 1 CSCA named CN=Test CSCA,O=Test,C=VN in the trust store")
    assert "authority key identifier" in result.detail
    assert result.csca_subject is None


def test_dsc_from_another_csca_without_key_identifiers_fails_on_the_signature() -> None:
    genuine = ec_pki()
    foreign = TestPki.generate(now=NOW, csca_key=genuine.csca_key, foreign_csca=True)
    # the same CSCA name and key as configured, but a certificate without SKI: the name alone matches
    key = genuine.csca_key
    bare = (
        x509.CertificateBuilder()
        .subject_name(genuine.csca_certificate.subject)
        .issuer_name(genuine.csca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOW - dt.timedelta(days=10))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    result = verify(sign(foreign), trust=TrustStore.from_certificates([bare]))
    assert result.status == INVALID
    assert result.detail == "DSC signature does not verify under CSCA CN=Test CSCA,O=Test,C=VN"


def test_dsc_expired_at_signing_time_is_invalid() -> None:
    pki = ec_pki(dsc_expired=True)
    result = verify(sign(pki), trust=store_of(pki))
    assert result.status == INVALID
    assert result.detail.startswith("DSC was expired at signing time 2025-06-01T12:00:00Z (valid ")
    assert result.csca_subject == "CN=Test CSCA,O=Test,C=VN"


def test_without_signing_time_the_check_time_is_used() -> None:
    expired = ec_pki(dsc_expired=True)
    result = verify(sign(expired, include_signing_time=False, signing_time=None), trust=store_of(expired))
    assert result.status == INVALID
    assert "DSC was expired at check time 2025-06-01T12:00:00Z" in result.detail
    genuine = ec_pki()
    sod = sign(genuine, include_signing_time=False, signing_time=None)
    assert verify(sod, trust=store_of(genuine)).status == VALID
    later = verify(sod, trust=store_of(genuine), now=NOW + dt.timedelta(days=20 * 365))
    assert later.status == INVALID and "DSC was expired at check time" in later.detail


def test_dsc_expired_now_but_valid_at_signing_time_is_valid() -> None:
    pki = ec_pki()
    result = verify(sign(pki), trust=store_of(pki), now=NOW + dt.timedelta(days=12 * 365))
    assert result.status == VALID, result.detail


def test_signing_before_the_dsc_existed_is_invalid() -> None:
    pki = ec_pki()
    result = verify(sign(pki, signing_time=NOW - dt.timedelta(days=100)), trust=store_of(pki))
    assert result.status == INVALID
    assert "DSC was not yet valid at signing time" in result.detail


def _custom_dsc(pki: TestPki, *, usage_digital_signature: bool = True, critical_oid: str | None = None) -> Sod:
    public = pki.dsc_key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(pki.dsc_certificate.subject)
        .issuer_name(pki.csca_certificate.subject)
        .public_key(public)
        .serial_number(99)
        .not_valid_before(NOW - dt.timedelta(days=30))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(
                digital_signature=usage_digital_signature,
                content_commitment=False,
                key_encipherment=not usage_digital_signature,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.csca_key.public_key()), critical=False)
    )
    if critical_oid:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier(critical_oid), b"\x05\x00"), critical=True
        )
    dsc = builder.sign(pki.csca_key, hashes.SHA256())
    sod = build_sod(
        {n: hashlib.sha256(v).digest() for n, v in data_groups().items()},
        signer_key=pki.dsc_key,
        signer_certificate=dsc,
        signing_time=NOW,
    )
    return parse_sod(sod)


def test_dsc_key_usage_must_allow_digital_signature() -> None:
    pki = ec_pki()
    assert verify(_custom_dsc(pki), trust=store_of(pki)).status == VALID
    result = verify(_custom_dsc(pki, usage_digital_signature=False), trust=store_of(pki))
    assert result.status == INVALID
    assert result.detail == "DSC key usage lacks digitalSignature"


def test_unknown_critical_extension_on_the_dsc_is_invalid() -> None:
    pki = ec_pki()
    result = verify(_custom_dsc(pki, critical_oid="1.2.3.4.5"), trust=store_of(pki))
    assert result.status == INVALID
    assert result.detail == "DSC has unknown critical extension(s) 1.2.3.4.5"
    known = verify(_custom_dsc(pki, critical_oid="2.23.136.1.1.6.2"), trust=store_of(pki))
    assert known.status == VALID


def test_csca_must_be_a_ca_with_key_cert_sign() -> None:
    pki = ec_pki()
    key = pki.csca_key
    not_ca = (
        x509.CertificateBuilder()
        .subject_name(pki.csca_certificate.subject)
        .issuer_name(pki.csca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(8)
        .not_valid_before(NOW - dt.timedelta(days=10))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    result = verify(sign(pki), trust=TrustStore.from_certificates([not_ca]))
    assert result.status == INVALID
    assert result.detail == "CSCA CN=Test CSCA,O=Test,C=VN basic constraints say it is not a CA"


# --- no CSCA -> unverified ----------------------------------------------------------------------------------


def test_no_csca_for_the_country_is_unverified() -> None:
    vn = ec_pki()
    de = TestPki.generate(country="DE", now=NOW)
    result = verify(sign(vn), trust=store_of(de))
    assert result.status == UNVERIFIED
    assert result.detail.startswith("the trust store has no CSCA for VN: EF.SOD signature and DG1, DG2, DG13")
    assert result.csca_subject is None
    assert verify(sign(vn), trust=TrustStore()).status == UNVERIFIED
    none = verify(sign(vn), trust=None)
    assert none.status == UNVERIFIED
    assert none.detail.startswith("no trust store is configured")


def test_wrong_signature_without_a_csca_is_invalid_not_unverified() -> None:
    result = verify(sign(ec_pki(), corrupt_signature=True), trust=None)
    assert result.status == INVALID


def test_country_matching_is_case_insensitive() -> None:
    pki = TestPki.generate(country="vn", now=NOW)
    assert verify(sign(pki), trust=store_of(pki)).status == VALID


# --- CRLs ---------------------------------------------------------------------------------------------------


def test_crl_revoking_the_dsc_is_invalid() -> None:
    pki = ec_pki()
    crl = x509.load_der_x509_crl(pki.crl([pki.dsc_certificate.serial_number], now=NOW))
    result = verify(sign(pki), trust=store_of(pki, crls=(crl,)))
    assert result.status == INVALID
    assert f"DSC serial {pki.dsc_certificate.serial_number:X} revoked on 2025-06-01T11:30:00Z" in result.detail


def test_crl_not_listing_the_dsc_or_not_signed_by_the_csca_does_not_revoke() -> None:
    pki = ec_pki()
    other = x509.load_der_x509_crl(pki.crl([12345], now=NOW))
    assert verify(sign(pki), trust=store_of(pki, crls=(other,))).status == VALID
    forged = pki.crl([pki.dsc_certificate.serial_number], now=NOW, signer_key=ec.generate_private_key(ec.SECP256R1()))
    store = store_of(pki, crls=(x509.load_der_x509_crl(forged),))
    assert any("not honoured" in w for w in store.warnings)
    assert verify(sign(pki), trust=store).status == VALID


def test_crl_loaded_from_a_file_is_honoured(tmp_path: Path) -> None:
    pki = ec_pki()
    pki.write_csca(tmp_path / "vn.pem")
    (tmp_path / "vn.crl").write_bytes(pki.crl([pki.dsc_certificate.serial_number], now=NOW))
    store = TrustStore.load([tmp_path])
    assert store.crls[0].verified
    assert verify(sign(pki), trust=store).status == INVALID


# --- speed --------------------------------------------------------------------------------------------------


def test_passive_authentication_is_cheap() -> None:
    pki = ec_pki()
    sod, store = sign(pki), store_of(pki)
    verify(sod, trust=store)
    start = time.process_time()
    for _ in range(50):
        assert verify(sod, trust=store).status == VALID
    per_call = (time.process_time() - start) / 50
    assert per_call < 0.010, f"{per_call * 1000:.2f} ms of CPU per Passive Authentication"
