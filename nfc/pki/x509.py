"""X.509 helpers: loading certificates once, reading their names and key identifiers safely, their keys.

`cryptography` parses certificates lazily, so a malformed name or extension only raises when it is first
read; every helper here reads what it needs under that rule and answers None or a typed error instead.
"""

from __future__ import annotations

import datetime as _dt
import functools

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pyasn1.codec.der import encoder as der_encoder
from pyasn1_modules import rfc5280

from nfc.decoding import X509_ERRORS, decode_asn1, decoding
from nfc.errors import ParseError
from nfc.oids import KNOWN_EXTENSIONS
from nfc.pki.keys import PublicKey, load_public_key


def utc(moment: _dt.datetime) -> _dt.datetime:
    return moment.replace(tzinfo=_dt.UTC) if moment.tzinfo is None else moment.astimezone(_dt.UTC)


def format_time(moment: _dt.datetime) -> str:
    """``2025-06-01T12:00:00Z``."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def name_key(name: x509.Name) -> tuple:
    """A comparison key for a distinguished name: attribute values case-folded, white space collapsed
    (RFC 5280 §7.1 in spirit), string types ignored."""
    return tuple(
        tuple(sorted((a.oid.dotted_string, " ".join(str(a.value).split()).casefold()) for a in rdn))
        for rdn in name.rdns
    )


def name_text(name: x509.Name) -> str:
    """RFC 4514 text of a name, or a hex dump if the name cannot be rendered."""
    try:
        return name.rfc4514_string()
    except X509_ERRORS:  # pragma: no cover - exotic attribute types
        return name.public_bytes().hex()


def country_of(name: x509.Name) -> str | None:
    """The upper-cased countryName of ``name``, None when absent."""
    try:
        values = name.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    except X509_ERRORS:
        return None
    return str(values[0].value).strip().upper() if values else None


def subject_key_identifier(certificate: x509.Certificate) -> bytes | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, *X509_ERRORS):
        return None


def authority_key_identifier(certificate: x509.Certificate | x509.CertificateRevocationList) -> bytes | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    except (x509.ExtensionNotFound, *X509_ERRORS):
        return None


@functools.lru_cache(maxsize=512)
def load_certificate(der: bytes) -> x509.Certificate:
    """Parse a DER certificate (cached: the same Document Signer signs thousands of cards).

    Raises :class:`~nfc.errors.ParseError` for anything unreadable (an unknown X.509 version included).
    """
    with decoding("certificate"):
        return x509.load_der_x509_certificate(der)


@functools.lru_cache(maxsize=512)
def _public_key_of(der: bytes) -> PublicKey:
    certificate = load_certificate(der)
    try:
        return _rsa_or_ec(certificate.public_key())
    except X509_ERRORS:  # EC with explicit domain parameters, which `cryptography` refuses
        with decoding("certificate"):
            tbs = decode_asn1(der, rfc5280.Certificate(), "certificate")["tbsCertificate"]
            return load_public_key(der_encoder.encode(tbs["subjectPublicKeyInfo"]))


def _rsa_or_ec(key: object) -> PublicKey:
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("the certificate key is neither RSA nor EC")
    return key


def public_key_of(certificate: x509.Certificate) -> PublicKey:
    """The certificate's RSA or EC key; EC keys with explicit (known) curve parameters are accepted too.

    Raises :class:`~nfc.errors.ParseError` when the key cannot be used.
    """
    try:
        return _public_key_of(certificate.public_bytes(Encoding.DER))
    except ValueError as exc:
        raise ParseError(f"unusable public key: {exc}") from None


@functools.lru_cache(maxsize=512)
def _malformation(der: bytes) -> str | None:
    try:
        certificate = load_certificate(der)
        with decoding("certificate"):
            certificate.subject.rfc4514_string()
            certificate.issuer.rfc4514_string()
            _ = certificate.not_valid_before_utc, certificate.not_valid_after_utc  # parsed lazily: touched here
            list(certificate.extensions)
        _public_key_of(der)
    except (ParseError, *X509_ERRORS) as exc:
        return str(exc) or type(exc).__name__
    return None


def certificate_malformation(certificate: x509.Certificate) -> str | None:
    """Why a certificate cannot be used (names, validity, extensions or key fail to parse), else None.

    `cryptography` parses these parts lazily; after this returns None, reading them raises nothing.
    """
    return _malformation(certificate.public_bytes(Encoding.DER))


def unknown_critical_extensions(certificate: x509.Certificate) -> list[str]:
    """OIDs of critical extensions this library does not know. Raises ValueError on malformed extensions."""
    return [
        ext.oid.dotted_string
        for ext in certificate.extensions
        if ext.critical and ext.oid.dotted_string not in KNOWN_EXTENSIONS
    ]
