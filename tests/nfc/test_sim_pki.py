"""The generated test PKI: a CSCA, a Document Signer under it, and EF.SOD signed by the DSC."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from nfc.lds.sod import parse_sod
from nfc.sim.pki import TestPki, generate_key, load_csca

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return generate_key("rsa-2048"), generate_key("rsa-2048")  # type: ignore[return-value]


@pytest.fixture(scope="module")
def ec_pki() -> TestPki:
    return TestPki.generate(now=NOW)


def test_csca_is_a_self_signed_ca(ec_pki: TestPki) -> None:
    csca = ec_pki.csca_certificate
    assert csca.subject == csca.issuer
    assert csca.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value == "VN"
    assert csca.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "Test CSCA"
    assert csca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = csca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    csca.verify_directly_issued_by(csca)


def test_dsc_verifies_under_csca_and_is_valid_now(ec_pki: TestPki) -> None:
    dsc = ec_pki.dsc_certificate
    dsc.verify_directly_issued_by(ec_pki.csca_certificate)
    assert dsc.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert dsc.not_valid_before_utc <= NOW <= dsc.not_valid_after_utc
    aki = dsc.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    ski = ec_pki.csca_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert aki == ski
    assert isinstance(dsc.public_key(), ec.EllipticCurvePublicKey)


def test_expired_dsc() -> None:
    pki = TestPki.generate(now=NOW, dsc_expired=True)
    assert pki.dsc_certificate.not_valid_after_utc < NOW
    pki.dsc_certificate.verify_directly_issued_by(pki.csca_certificate)
    sod = parse_sod(pki.sign_sod({1: b"\x61\x00"}, signing_time=NOW))
    assert sod.signed.signing_time == NOW
    assert sod.signed.signing_time > pki.dsc_certificate.not_valid_after_utc


def test_dsc_from_another_csca_does_not_verify_under_the_exported_one() -> None:
    pki = TestPki.generate(now=NOW, foreign_csca=True)
    assert pki.dsc_certificate.issuer == pki.csca_certificate.subject
    with pytest.raises(InvalidSignature):
        pki.dsc_certificate.verify_directly_issued_by(pki.csca_certificate)
    pki.dsc_certificate.verify_directly_issued_by(pki.dsc_issuer_certificate)


@pytest.mark.parametrize("padding", ["pkcs1v15", "pss"])
def test_rsa_pki_with_given_keys(rsa_keys, padding) -> None:
    csca_key, dsc_key = rsa_keys
    pki = TestPki.generate(algorithm="rsa-2048", csca_key=csca_key, dsc_key=dsc_key, rsa_padding=padding)
    assert pki.csca_certificate.public_key().public_numbers() == csca_key.public_key().public_numbers()
    pki.dsc_certificate.verify_directly_issued_by(pki.csca_certificate)
    sod = parse_sod(pki.sign_sod({1: b"a", 2: b"b"}))
    expected = "1.2.840.113549.1.1.10" if padding == "pss" else "1.2.840.113549.1.1.11"
    assert sod.signed.signature_algorithm == expected


def test_other_country_and_curve() -> None:
    pki = TestPki.generate(country="UT", algorithm="ecdsa-brainpoolP256r1")
    assert pki.csca_certificate.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value == "UT"
    assert pki.dsc_key.curve.name == "brainpoolP256r1"


def test_unknown_algorithm() -> None:
    with pytest.raises(ValueError):
        TestPki.generate(algorithm="dsa-1024")  # type: ignore[arg-type]


def test_csca_export_for_another_process(ec_pki: TestPki, tmp_path) -> None:
    path = ec_pki.write_csca(tmp_path / "csca.pem")
    assert path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert load_csca(path) == ec_pki.csca_certificate
    der = tmp_path / "csca.der"
    der.write_bytes(ec_pki.csca_der())
    assert load_csca(der) == ec_pki.csca_certificate
    assert x509.load_pem_x509_certificate(ec_pki.csca_pem()) == ec_pki.csca_certificate


def test_whole_pki_round_trips_through_pem(rsa_keys) -> None:
    pki = TestPki.generate(algorithm="rsa-2048", csca_key=rsa_keys[0], dsc_key=rsa_keys[1], rsa_padding="pss")
    again = TestPki.from_pem(pki.to_pem())
    assert again.csca_certificate == pki.csca_certificate
    assert again.dsc_certificate == pki.dsc_certificate
    assert again.rsa_padding == "pss"
    sod = parse_sod(again.sign_sod({1: b"x"}))
    assert sod.signed.signer_certificate() == pki.dsc_certificate
