"""The trust store: Country Signing CA certificates (CSCA), CSCA master lists and CRLs (ICAO 9303-12).

A :class:`TrustStore` is loaded once from files and folders an operator configures (``config/csca/``,
``--csca PATH``):

* certificates, PEM (one or many per file) or DER, suffixes ``.pem .crt .cer .der``;
* CSCA master lists (ICAO / BSI format, suffix ``.ml`` or any of the above): CMS ``SignedData`` whose
  encapsulated content (type ``2.23.136.1.1.2``) is ``CscaMasterList ::= SEQUENCE { version, certList SET OF
  Certificate }``. The list signer's signature is checked and, when the signer certificate chains to a CSCA
  obtained independently (a certificate file, or another verified list), the list is *verified*. A list that
  cannot be verified still contributes its certificates, marked as coming from an unverified list, with the
  reason in :attr:`TrustStore.warnings`. A list whose signature or digest is *wrong* is rejected;
* CRLs, PEM or DER, suffix ``.crl``: honoured for the certificates their (verified) issuer signed.

Folders are walked recursively; other files (a README) are ignored. Every certificate is parsed once at load
time, with its public key, so that Passive Authentication does no parsing of anchors per card.

The signature helpers at the end (:func:`verify_certificate_signature`, :func:`verify_signer_signature`,
:func:`issued_by_problems`) are shared with :mod:`nfc.trust.passive`. All signature math is `cryptography`'s.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from pyasn1.codec.der import encoder as der_encoder
from pyasn1_modules import rfc5280

from nfc.crypto import HASHES
from nfc.decoding import X509_ERRORS, decode_asn1, decoding
from nfc.errors import NfcError, ParseError
from nfc.lds.cms import SignerIdentifier, parse_signed_data
from nfc.lds.sod import parse_pss_parameters
from nfc.lds.tlv import encode_tlv, parse_all, read_tlv

_STEP = "trust_store"
_ML_STEP = "master_list"

ID_CSCA_MASTER_LIST = "2.23.136.1.1.2"

CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")
MASTER_LIST_SUFFIXES = (".ml",)
CRL_SUFFIXES = (".crl",)
_ALL_SUFFIXES = CERTIFICATE_SUFFIXES + MASTER_LIST_SUFFIXES + CRL_SUFFIXES

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


#: BSI TR-03111 ecdsa-plain-signatures: the signature is r || s, not a DER ECDSA-Sig-Value.
ECDSA_PLAIN_OIDS: dict[str, str] = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1",
    "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512",
}

#: CMS SignerInfo.signatureAlgorithm -> (scheme, hash); hash None means "the SignerInfo's digest algorithm".
SIGNATURE_ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "1.2.840.113549.1.1.1": ("pkcs1", None),  # rsaEncryption, seen in many SODs
    "1.2.840.113549.1.1.5": ("pkcs1", "sha1"),
    "1.2.840.113549.1.1.14": ("pkcs1", "sha224"),
    "1.2.840.113549.1.1.11": ("pkcs1", "sha256"),
    "1.2.840.113549.1.1.12": ("pkcs1", "sha384"),
    "1.2.840.113549.1.1.13": ("pkcs1", "sha512"),
    "1.2.840.113549.1.1.10": ("pss", None),
    "1.2.840.10045.2.1": ("ecdsa", None),  # id-ecPublicKey, seen in some SODs
    "1.2.840.10045.4.1": ("ecdsa", "sha1"),
    "1.2.840.10045.4.3.1": ("ecdsa", "sha224"),
    "1.2.840.10045.4.3.2": ("ecdsa", "sha256"),
    "1.2.840.10045.4.3.3": ("ecdsa", "sha384"),
    "1.2.840.10045.4.3.4": ("ecdsa", "sha512"),
    **{oid: ("ecdsa", name) for oid, name in ECDSA_PLAIN_OIDS.items()},
}

#: Extensions this library understands (or that ICAO 9303-12 profiles and that carry no constraint it must
#: enforce); any other extension marked critical makes a certificate unacceptable (RFC 5280 §4.2).
KNOWN_EXTENSIONS = frozenset(
    {
        "2.5.29.14",  # subjectKeyIdentifier
        "2.5.29.35",  # authorityKeyIdentifier
        "2.5.29.15",  # keyUsage
        "2.5.29.19",  # basicConstraints
        "2.5.29.16",  # privateKeyUsagePeriod
        "2.5.29.32",  # certificatePolicies
        "2.5.29.17",  # subjectAltName
        "2.5.29.18",  # issuerAltName
        "2.5.29.31",  # cRLDistributionPoints
        "2.5.29.37",  # extKeyUsage
        "1.3.6.1.5.5.7.1.1",  # authorityInfoAccess
        "2.23.136.1.1.6.1",  # ICAO nameChange
        "2.23.136.1.1.6.2",  # ICAO documentTypeList
    }
)


class TrustStoreError(NfcError):
    """A trust anchor file cannot be read or understood; ``path`` names it."""

    message_key = "trust.store_unreadable"

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message, step=_STEP)
        self.path = Path(path) if path is not None else None


# --- small helpers ------------------------------------------------------------------------------------------


def _utc(moment: _dt.datetime) -> _dt.datetime:
    return moment.replace(tzinfo=_dt.UTC) if moment.tzinfo is None else moment.astimezone(_dt.UTC)


def format_time(moment: _dt.datetime) -> str:
    """``2025-06-01T12:00:00Z``."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


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

    Raises ValueError for anything unreadable (an unknown X.509 version included).
    """
    try:
        return x509.load_der_x509_certificate(der)
    except x509.InvalidVersion as exc:
        raise ValueError(str(exc)) from exc


@functools.lru_cache(maxsize=512)
def _public_key_of(der: bytes) -> PublicKey:
    certificate = load_certificate(der)
    try:
        key = certificate.public_key()
    except X509_ERRORS:
        key = _explicit_ec_key(der)
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("the certificate key is neither RSA nor EC")
    return key


@functools.lru_cache(maxsize=512)
def _malformation(der: bytes) -> str | None:
    try:
        certificate = load_certificate(der)
        certificate.subject.rfc4514_string()
        certificate.issuer.rfc4514_string()
        certificate.not_valid_before_utc  # noqa: B018 - parsed lazily, so touched here
        certificate.not_valid_after_utc  # noqa: B018
        list(certificate.extensions)
        _public_key_of(der)
    except X509_ERRORS as exc:
        return str(exc) or type(exc).__name__
    return None


def certificate_malformation(certificate: x509.Certificate) -> str | None:
    """Why a certificate cannot be used (names, validity, extensions or key fail to parse), else None.

    `cryptography` parses these parts lazily; after this returns None, reading them raises nothing.
    """
    return _malformation(certificate.public_bytes(Encoding.DER))


def public_key_of(certificate: x509.Certificate) -> PublicKey:
    """The certificate's RSA or EC key; EC keys with explicit (known) curve parameters are accepted too.

    Raises ValueError when the key cannot be used.
    """
    return _public_key_of(certificate.public_bytes(Encoding.DER))


def _explicit_ec_key(der: bytes) -> PublicKey:
    # Several CSCAs and DSCs give EC keys with explicit domain parameters, which `cryptography` refuses;
    # the Active Authentication key loader recognises the standard curves in explicit form.
    from nfc.trust.active import load_public_key

    try:
        with decoding("certificate"):
            tbs = decode_asn1(der, rfc5280.Certificate(), "certificate")["tbsCertificate"]
            return load_public_key(der_encoder.encode(tbs["subjectPublicKeyInfo"]))
    except ParseError as exc:
        raise ValueError(f"unusable public key: {exc}") from exc


def _hex(data: bytes | None) -> str | None:
    return data.hex().upper() if data is not None else None


# --- signature math (cryptography only) ---------------------------------------------------------------------


def _ecdsa_der(signature: bytes, key: ec.EllipticCurvePublicKey, plain_only: bool) -> bytes | None:
    """A DER ECDSA-Sig-Value from either DER or plain r || s; None if it is neither."""
    size = (key.curve.key_size + 7) // 8
    if not plain_only and signature[:1] == b"\x30":
        try:
            r, s = decode_dss_signature(signature)
            if encode_dss_signature(r, s) == signature:
                return signature
        except ValueError:
            pass
    if len(signature) == 2 * size:
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        if r > 0 and s > 0:
            return encode_dss_signature(r, s)
    if plain_only:
        return _ecdsa_der(signature, key, False) if signature[:1] == b"\x30" else None
    return None


def verify_signer_signature(
    public_key: PublicKey,
    signature: bytes,
    data: bytes,
    *,
    algorithm: str,
    parameters: bytes | None,
    digest_algorithm: str,
) -> str | None:
    """Check a CMS SignerInfo signature: None when it verifies, else what is wrong.

    ``algorithm`` is the signatureAlgorithm OID (its DER ``parameters`` for RSASSA-PSS) and
    ``digest_algorithm`` the SignerInfo's digest algorithm (used when the OID names no hash). RSA PKCS#1 v1.5,
    RSASSA-PSS and ECDSA (DER or plain r || s) with SHA-1/224/256/384/512.
    """
    if algorithm not in SIGNATURE_ALGORITHMS:
        return f"unsupported signature algorithm {algorithm}"
    scheme, hash_name = SIGNATURE_ALGORITHMS[algorithm]
    hash_name = hash_name or digest_algorithm
    try:
        if scheme in ("pkcs1", "pss"):
            if not isinstance(public_key, rsa.RSAPublicKey):
                return f"signature algorithm {algorithm} needs an RSA key, the signer's key is EC"
            if scheme == "pss":
                pss = parse_pss_parameters(parameters)
                pad: padding.AsymmetricPadding = padding.PSS(
                    mgf=padding.MGF1(HASHES[pss.mgf_hash_name]()), salt_length=pss.salt_length
                )
                hash_name = pss.hash_name
            else:
                pad = padding.PKCS1v15()
            public_key.verify(signature, data, pad, HASHES[hash_name]())
            return None
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            return f"signature algorithm {algorithm} needs an EC key, the signer's key is RSA"
        der = _ecdsa_der(signature, public_key, algorithm in ECDSA_PLAIN_OIDS)
        if der is None:
            return "the ECDSA signature is neither DER nor plain r||s of the key's size"
        public_key.verify(der, data, ec.ECDSA(HASHES[hash_name]()))
        return None
    except InvalidSignature:
        return "the signature does not verify"
    except ParseError as exc:
        return str(exc)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        return f"the signature cannot be checked: {exc}"


def _verify_x509_signed(
    public_key: PublicKey, signature: bytes, tbs: bytes, obj: x509.Certificate | x509.CertificateRevocationList
) -> str | None:
    oid = obj.signature_algorithm_oid.dotted_string
    try:
        if oid in ECDSA_PLAIN_OIDS:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                return f"signature algorithm {oid} needs an EC key"
            der = _ecdsa_der(signature, public_key, True)
            if der is None:
                return "malformed plain ECDSA signature"
            public_key.verify(der, tbs, ec.ECDSA(HASHES[ECDSA_PLAIN_OIDS[oid]]()))
            return None
        params = obj.signature_algorithm_parameters
        hash_algorithm = obj.signature_hash_algorithm
        if hash_algorithm is None:
            return f"unsupported signature algorithm {oid}"
        if isinstance(public_key, rsa.RSAPublicKey):
            if not isinstance(params, padding.PKCS1v15 | padding.PSS):
                return f"signature algorithm {oid} does not fit an RSA key"
            public_key.verify(signature, tbs, params, hash_algorithm)
        else:
            if not isinstance(params, ec.ECDSA):
                return f"signature algorithm {oid} does not fit an EC key"
            public_key.verify(signature, tbs, params)
        return None
    except InvalidSignature:
        return "signature does not verify"
    except X509_ERRORS as exc:
        return f"signature cannot be checked: {exc}"


@functools.lru_cache(maxsize=1024)
def _certificate_signature_cached(certificate_der: bytes, issuer_der: bytes) -> str | None:
    certificate = load_certificate(certificate_der)
    try:
        key = _public_key_of(issuer_der)
    except ValueError as exc:
        return f"signature cannot be checked: the issuer key is unusable: {exc}"
    return _verify_x509_signed(key, certificate.signature, certificate.tbs_certificate_bytes, certificate)


def verify_certificate_signature(certificate: x509.Certificate, issuer: x509.Certificate) -> str | None:
    """None when ``issuer``'s key verifies ``certificate``'s signature, else what is wrong (results cached)."""
    return _certificate_signature_cached(certificate.public_bytes(Encoding.DER), issuer.public_bytes(Encoding.DER))


def unknown_critical_extensions(certificate: x509.Certificate) -> list[str]:
    """OIDs of critical extensions this library does not know. Raises ValueError on malformed extensions."""
    return [
        ext.oid.dotted_string
        for ext in certificate.extensions
        if ext.critical and ext.oid.dotted_string not in KNOWN_EXTENSIONS
    ]


def _validity_problem(certificate: x509.Certificate, role: str, at: _dt.datetime, at_label: str) -> str | None:
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if start <= at <= end:
        return None
    state = "not yet valid" if at < start else "expired"
    return (
        f"{role} was {state} at {at_label} {format_time(at)} (valid {format_time(start)} to {format_time(end)})"
    )


def signer_certificate_problems(certificate: x509.Certificate, role: str, at: _dt.datetime, at_label: str) -> list[str]:
    """Validity at ``at``, key usage digitalSignature (when the extension is present), critical extensions."""
    return _certificate_problems(certificate, role, at, at_label, _signer_problems)


def ca_certificate_problems(certificate: x509.Certificate, role: str, at: _dt.datetime, at_label: str) -> list[str]:
    """Validity at ``at``, basic constraints cA, key usage keyCertSign, critical extensions."""
    return _certificate_problems(certificate, role, at, at_label, _ca_problems)


def _certificate_problems(
    certificate: x509.Certificate,
    role: str,
    at: _dt.datetime,
    at_label: str,
    rights_problems: Callable[[x509.Certificate, str], list[str]],
) -> list[str]:
    """Validity at ``at``, then ``rights_problems`` (what the key may do), then unknown critical extensions."""
    problems: list[str] = []
    validity = _validity_problem(certificate, role, at, at_label)
    if validity:
        problems.append(validity)
    try:
        unknown = unknown_critical_extensions(certificate)
        problems.extend(rights_problems(certificate, role))
    except X509_ERRORS as exc:
        return [*problems, f"{role} extensions are malformed: {exc}"]
    if unknown:
        problems.append(f"{role} has unknown critical extension(s) {', '.join(unknown)}")
    return problems


def _signer_problems(certificate: x509.Certificate, role: str) -> list[str]:
    """Why ``certificate`` cannot sign documents (raises ValueError on malformed extensions)."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return []
    return [] if usage.digital_signature else [f"{role} key usage lacks digitalSignature"]


def _ca_problems(certificate: x509.Certificate, role: str) -> list[str]:
    """Why ``certificate`` cannot sign certificates (raises ValueError on malformed extensions)."""
    extensions = certificate.extensions
    try:
        constraints: x509.BasicConstraints | None = extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    try:
        usage: x509.KeyUsage | None = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    problems = []
    if constraints is not None and not constraints.ca:
        problems.append(f"{role} basic constraints say it is not a CA")
    if usage is not None and not usage.key_cert_sign:
        problems.append(f"{role} key usage lacks keyCertSign")
    if constraints is None and usage is None:
        problems.append(f"{role} has neither basic constraints nor key usage: not a CA certificate")
    return problems


def is_ca_certificate(certificate: x509.Certificate) -> bool:
    try:
        return not _ca_problems(certificate, "certificate")
    except X509_ERRORS:
        return False


# --- anchors, master lists, CRLs ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Anchor:
    """One trusted CSCA certificate and where it came from."""

    certificate: x509.Certificate = field(repr=False)
    der: bytes = field(repr=False)
    subject: str
    country: str | None
    serial: int
    ski: bytes | None
    not_before: _dt.datetime
    not_after: _dt.datetime
    source: Path
    #: True when the certificate came from a CSCA master list.
    from_master_list: bool = False
    #: For master-list anchors: whether that list's signer was verified (always True for certificate files).
    master_list_verified: bool = True
    sha256: str = ""

    @classmethod
    def from_certificate(
        cls,
        certificate: x509.Certificate,
        source: str | Path = "<memory>",
        *,
        from_master_list: bool = False,
        master_list_verified: bool = True,
    ) -> Anchor:
        der = certificate.public_bytes(Encoding.DER)
        problem = _malformation(der)
        if problem is not None:
            raise ValueError(f"unusable certificate: {problem}")
        return cls(
            certificate=certificate,
            der=der,
            subject=name_text(certificate.subject),
            country=country_of(certificate.subject),
            serial=certificate.serial_number,
            ski=subject_key_identifier(certificate),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            source=Path(source),
            from_master_list=from_master_list,
            master_list_verified=master_list_verified if from_master_list else True,
            sha256=hashlib.sha256(der).hexdigest(),
        )

    def public_key(self) -> PublicKey:
        """The anchor's key (parsed once; raises ValueError when unusable)."""
        return _public_key_of(self.der)

    def describe(self, now: _dt.datetime | None = None) -> dict:
        now = _utc(now or _dt.datetime.now(_dt.UTC))
        return {
            "kind": "csca",
            "country": self.country,
            "subject": self.subject,
            "serial": f"{self.serial:X}",
            "ski": _hex(self.ski),
            "not_before": format_time(self.not_before),
            "not_after": format_time(self.not_after),
            "valid_now": self.not_before <= now <= self.not_after,
            "source": str(self.source),
            "from_master_list": self.from_master_list,
            "master_list_verified": self.master_list_verified if self.from_master_list else None,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class MasterList:
    """A parsed CSCA master list (CMS SignedData around a CscaMasterList)."""

    version: int
    #: DER of each certificate in certList, as found in the list.
    certificates: tuple[bytes, ...]
    #: DER of SignedData.certificates (normally the master list signer and sometimes its CSCA).
    signer_certificates: tuple[bytes, ...]
    signer_id: SignerIdentifier
    encapsulated_content: bytes
    digest_algorithm: str
    #: Signed attributes re-tagged as SET OF (what the signature covers), None when absent.
    signed_attributes: bytes | None
    signature_algorithm: str
    signature_algorithm_parameters: bytes | None
    signature: bytes
    content_type_attribute: str | None = None
    message_digest: bytes | None = None
    signing_time: _dt.datetime | None = None

    def signer_certificate(self, others: Iterable[x509.Certificate] = ()) -> x509.Certificate | None:
        """The signer's certificate: embedded in the list, else among ``others``."""
        candidates: list[x509.Certificate] = []
        for der in self.signer_certificates:
            try:
                candidates.append(load_certificate(der))
            except X509_ERRORS:
                continue
        for certificate in [*candidates, *others]:
            if certificate_malformation(certificate) is None and self.signer_id.matches(certificate):
                return certificate
        return None

    def signature_problem(self, signer: x509.Certificate) -> str | None:
        """None when the CMS signature of the list verifies under ``signer``, else what is wrong."""
        if self.signed_attributes is None:
            return "the master list has no signed attributes"
        if self.content_type_attribute != ID_CSCA_MASTER_LIST:
            return f"contentType attribute {self.content_type_attribute} is not id-icao-cscaMasterList"
        digest = hashlib.new(self.digest_algorithm, self.encapsulated_content).digest()
        if self.message_digest is None or not hmac.compare_digest(digest, self.message_digest):
            return "messageDigest attribute does not match the list content"
        try:
            key = public_key_of(signer)
        except ValueError as exc:
            return f"the signer key is unusable: {exc}"
        problem = verify_signer_signature(
            key,
            self.signature,
            self.signed_attributes,
            algorithm=self.signature_algorithm,
            parameters=self.signature_algorithm_parameters,
            digest_algorithm=self.digest_algorithm,
        )
        return f"master list signature: {problem}" if problem else None


def parse_master_list(data: bytes) -> MasterList:
    """Parse a CSCA master list (DER ContentInfo). Malformed input raises :class:`ParseError`."""
    try:
        with decoding("master list", step=_ML_STEP):
            return _parse_master_list(bytes(data))
    except ParseError as exc:
        if exc.step == _ML_STEP:
            raise
        raise ParseError(f"malformed master list: {exc}", step=_ML_STEP) from exc


def parse_crl(der: bytes) -> x509.CertificateRevocationList:
    """A DER CRL with every field read once (`cryptography` parses lazily); ParseError when malformed."""
    with decoding("CRL", step=_STEP):
        crl = x509.load_der_x509_crl(bytes(der))
        crl.issuer.rfc4514_string()
        list(crl.extensions)
        _ = crl.last_update_utc, crl.next_update_utc, [entry.revocation_date_utc for entry in crl]
        return crl


def _ml_error(message: str) -> ParseError:
    return ParseError(message, step=_ML_STEP)


def _parse_master_list(data: bytes) -> MasterList:
    tag, _, end = read_tlv(data, 0)
    if tag != 0x30 or end != len(data):
        raise _ml_error("a master list is one DER SEQUENCE (ContentInfo)")
    signed = parse_signed_data(
        data, content_type=ID_CSCA_MASTER_LIST, content_name="id-icao-cscaMasterList", what="master list",
        step=_ML_STEP,
    )
    version, certificates = _parse_csca_master_list(signed.content)
    if signed.signer_count != 1:
        raise _ml_error(f"the master list has {signed.signer_count} SignerInfos, expected 1")
    return MasterList(
        version=version,
        certificates=certificates,
        signer_certificates=signed.certificates,
        signer_id=signed.signer_id,
        encapsulated_content=signed.content,
        digest_algorithm=signed.digest_algorithm,
        signed_attributes=signed.signed_attributes,
        signature_algorithm=signed.signature_algorithm,
        signature_algorithm_parameters=signed.signature_algorithm_parameters,
        signature=signed.signature,
        content_type_attribute=signed.content_type_attribute,
        message_digest=signed.message_digest,
        signing_time=signed.signing_time,
    )


def _parse_csca_master_list(econtent: bytes) -> tuple[int, tuple[bytes, ...]]:
    """CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }, certificates kept raw."""
    tag, body, end = read_tlv(econtent, 0)
    if tag != 0x30 or end != len(econtent):
        raise _ml_error("CscaMasterList is not one SEQUENCE")
    items = parse_all(body)
    if len(items) != 2 or items[0][0] != 0x02 or items[1][0] != 0x31:
        raise _ml_error("CscaMasterList must be SEQUENCE { version INTEGER, certList SET OF Certificate }")
    version = int.from_bytes(items[0][1], "big", signed=True) if items[0][1] else 0
    if version != 0:
        raise _ml_error(f"unsupported CscaMasterList version {version}")
    certificates = []
    for cert_tag, value in parse_all(items[1][1]):
        if cert_tag != 0x30:
            raise _ml_error("certList holds something other than certificates")
        certificates.append(encode_tlv(cert_tag, value))
    return version, tuple(certificates)


@dataclass(frozen=True)
class MasterListInfo:
    """What became of one master list file."""

    source: Path
    #: "verified" (signer chains to an independently trusted CSCA), "unverified" (certificates loaded but the
    #: list's origin is not proven) or "rejected" (bad signature or digest: certificates not loaded).
    status: str
    detail: str
    signer: str | None
    certificate_count: int
    signing_time: _dt.datetime | None = None

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    def describe(self) -> dict:
        return {
            "kind": "master_list",
            "source": str(self.source),
            "status": self.status,
            "detail": self.detail,
            "signer": self.signer,
            "certificates": self.certificate_count,
            "signing_time": format_time(self.signing_time) if self.signing_time else None,
        }


@dataclass(frozen=True, eq=False)
class CrlInfo:
    """One CRL and whether a CSCA in the store signed it (only verified CRLs are honoured)."""

    crl: x509.CertificateRevocationList = field(repr=False)
    source: Path
    issuer: str
    verified: bool
    detail: str = ""
    #: SHA-256 (hex) of the anchors whose key verified this CRL.
    issuer_anchors: tuple[str, ...] = ()

    def describe(self) -> dict:
        next_update = self.crl.next_update_utc
        return {
            "kind": "crl",
            "source": str(self.source),
            "issuer": self.issuer,
            "this_update": format_time(self.crl.last_update_utc),
            "next_update": format_time(next_update) if next_update else None,
            "revoked": len(self.crl),
            "verified": self.verified,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Revocation:
    """A certificate found on a verified CRL."""

    serial: int
    revoked_at: _dt.datetime
    crl_source: Path
    crl_issuer: str


# --- the store ----------------------------------------------------------------------------------------------


class TrustStore:
    """CSCA anchors by country and by issuer name, the CRLs their issuers signed, what was loaded from where."""

    def __init__(
        self,
        anchors: Iterable[Anchor] = (),
        *,
        crls: Iterable[x509.CertificateRevocationList | CrlInfo] = (),
        master_lists: Iterable[MasterListInfo] = (),
        warnings: Iterable[str] = (),
    ) -> None:
        unique: dict[str, Anchor] = {}
        for anchor in anchors:
            current = unique.get(anchor.sha256)
            if current is None or _rank(anchor) < _rank(current):
                unique[anchor.sha256] = anchor
        self._anchors = tuple(unique.values())
        self._by_country: dict[str, list[Anchor]] = {}
        self._by_name: dict[tuple, list[Anchor]] = {}
        for anchor in self._anchors:
            if anchor.country:
                self._by_country.setdefault(anchor.country, []).append(anchor)
            self._by_name.setdefault(name_key(anchor.certificate.subject), []).append(anchor)
        self._master_lists = tuple(master_lists)
        self._warnings = list(warnings)
        self._crls = tuple(self._check_crl(c) for c in crls)
        self._crls_by_anchor: dict[str, list[CrlInfo]] = {}
        for info in self._crls:
            for fingerprint in info.issuer_anchors:
                self._crls_by_anchor.setdefault(fingerprint, []).append(info)

    # construction ------------------------------------------------------------------------------------------

    @classmethod
    def from_certificates(
        cls,
        certificates: Iterable[x509.Certificate],
        *,
        crls: Iterable[x509.CertificateRevocationList] = (),
        source: str = "<memory>",
    ) -> TrustStore:
        """A store of the given CSCA certificates (for tests and for callers that hold certificates already)."""
        return cls((Anchor.from_certificate(c, source) for c in certificates), crls=crls)

    def with_certificates(self, certificates: Iterable[x509.Certificate], *, source: str) -> TrustStore:
        """This store plus the given CSCA certificates (e.g. the built-in virtual card's test CSCA)."""
        extra = [Anchor.from_certificate(c, source) for c in certificates]
        return TrustStore([*self._anchors, *extra], crls=self._crls, master_lists=self._master_lists,
                          warnings=self._warnings)

    @classmethod
    def load(cls, paths: Iterable[str | Path] | str | Path) -> TrustStore:
        """Load certificates, master lists and CRLs from files and (recursively) folders.

        Raises :class:`TrustStoreError` naming the file for a path that does not exist or a file that cannot
        be read or is neither a certificate, a master list nor a CRL.
        """
        if isinstance(paths, str | Path):
            paths = [paths]
        loader = _Loader()
        for path in paths:
            loader.add_path(Path(path))
        return loader.finish(cls)

    def _check_crl(self, item: x509.CertificateRevocationList | CrlInfo) -> CrlInfo:
        if isinstance(item, CrlInfo):
            crl, source = item.crl, item.source
        else:
            crl, source = item, Path("<memory>")
        issuer = name_text(crl.issuer)
        aki = authority_key_identifier(crl)
        signers = []
        for anchor in self._by_name.get(name_key(crl.issuer), []):
            if aki is not None and anchor.ski is not None and aki != anchor.ski:
                continue
            try:
                problem = _verify_x509_signed(anchor.public_key(), crl.signature, crl.tbs_certlist_bytes, crl)
            except ValueError as exc:
                problem = str(exc)
            if problem is None:
                signers.append(anchor.sha256)
        if signers:
            return CrlInfo(crl, source, issuer, True, "", tuple(signers))
        detail = f"no CSCA in the store verifies the CRL of {issuer}: not honoured"
        self._warnings.append(f"{source}: {detail}")
        return CrlInfo(crl, source, issuer, False, detail)

    # queries -----------------------------------------------------------------------------------------------

    @property
    def anchors(self) -> tuple[Anchor, ...]:
        return self._anchors

    @property
    def master_lists(self) -> tuple[MasterListInfo, ...]:
        return self._master_lists

    @property
    def crls(self) -> tuple[CrlInfo, ...]:
        return self._crls

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things an operator should know: unverified master lists, skipped certificates, unusable CRLs."""
        return tuple(self._warnings)

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_country))

    def for_country(self, country: str | None) -> tuple[Anchor, ...]:
        """Anchors whose subject countryName is ``country`` (case-insensitive)."""
        if not country:
            return ()
        return tuple(self._by_country.get(country.strip().upper(), ()))

    def issuers_of(self, certificate: x509.Certificate) -> tuple[Anchor, ...]:
        """Anchors whose subject is ``certificate``'s issuer and whose SKI equals its AKI (when both exist).

        Candidates only: the signature is not checked here.
        """
        candidates = self._by_name.get(name_key(certificate.issuer), [])
        aki = authority_key_identifier(certificate)
        if aki is None:
            return tuple(candidates)
        return tuple(a for a in candidates if a.ski is None or a.ski == aki)

    def same_name_anchors(self, certificate: x509.Certificate) -> tuple[Anchor, ...]:
        """Anchors named like ``certificate``'s issuer, whatever their key identifier."""
        return tuple(self._by_name.get(name_key(certificate.issuer), ()))

    def revocation(self, certificate: x509.Certificate, issuer: Anchor) -> Revocation | None:
        """The entry for ``certificate`` on a verified CRL signed by ``issuer``'s key, None if not revoked."""
        for info in self._crls_by_anchor.get(issuer.sha256, ()):
            entry = info.crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
            if entry is not None:
                return Revocation(certificate.serial_number, entry.revocation_date_utc, info.source, info.issuer)
        return None

    def describe(self, now: _dt.datetime | None = None) -> list[dict]:
        """One dict per anchor (``kind`` "csca"), then per master list, CRL and warning, for ``trust list``."""
        rows = [a.describe(now) for a in sorted(self._anchors, key=lambda a: (a.country or "", a.subject))]
        rows += [m.describe() for m in self._master_lists]
        rows += [c.describe() for c in self._crls]
        rows += [{"kind": "warning", "detail": w} for w in self._warnings]
        return rows

    def __repr__(self) -> str:
        return f"TrustStore({len(self._anchors)} anchors, countries={list(self.countries)})"


def _rank(anchor: Anchor) -> int:
    """Which copy of a duplicate certificate to keep: a file, then a verified list, then an unverified one."""
    if not anchor.from_master_list:
        return 0
    return 1 if anchor.master_list_verified else 2


# --- loading ------------------------------------------------------------------------------------------------

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


class _Loader:
    def __init__(self) -> None:
        self.certificates: list[tuple[x509.Certificate, Path]] = []
        self.crls: list[tuple[x509.CertificateRevocationList, Path]] = []
        self.master_lists: list[tuple[MasterList, Path]] = []
        self.warnings: list[str] = []

    def add_path(self, path: Path) -> None:
        if path.is_dir():
            try:
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _ALL_SUFFIXES)
            except OSError as exc:
                raise TrustStoreError(f"cannot list trust anchor folder {path}: {exc.strerror}", path=path) from exc
            for file in files:
                self.add_file(file)
        elif path.exists():
            self.add_file(path)
        else:
            raise TrustStoreError(f"trust anchor path {path} does not exist", path=path)

    def add_file(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TrustStoreError(f"cannot read trust anchor file {path}: {exc.strerror}", path=path) from exc
        if not data.strip():
            raise TrustStoreError(f"trust anchor file {path} is empty", path=path)
        if b"-----BEGIN" in data:
            blocks = _PEM_BLOCK.findall(data)
            if not blocks:
                raise TrustStoreError(f"{path}: unterminated PEM block", path=path)
            for label, body in blocks:
                try:
                    der = base64.b64decode(b"".join(body.split()), validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise TrustStoreError(f"{path}: bad base64 in a PEM {label.decode()} block", path=path) from exc
                self._add_der(der, path, label.decode())
        else:
            self._add_der(data, path, None)

    def _add_der(self, der: bytes, path: Path, label: str | None) -> None:
        if label in (None, "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"):
            try:
                self.certificates.append((load_certificate(der), path))
                return
            except ValueError:
                if label is not None:
                    raise TrustStoreError(f"{path}: unreadable certificate", path=path) from None
        if label in (None, "X509 CRL"):
            try:
                self.crls.append((parse_crl(der), path))
                return
            except ParseError:
                if label is not None:
                    raise TrustStoreError(f"{path}: unreadable CRL", path=path) from None
        if label in (None, "CMS", "PKCS7"):
            try:
                self.master_lists.append((parse_master_list(der), path))
                return
            except ParseError as exc:
                if label is not None or der[:1] == b"\x30" and _looks_like_cms(der):
                    raise TrustStoreError(f"{path}: unreadable master list: {exc}", path=path) from exc
        if label is not None:
            self.warnings.append(f"{path}: PEM block {label} ignored")
            return
        raise TrustStoreError(f"{path} is neither a certificate, a CSCA master list nor a CRL", path=path)

    def finish(self, cls: type[TrustStore]) -> TrustStore:
        anchors: list[Anchor] = []
        others: list[x509.Certificate] = []
        for certificate, path in self.certificates:
            try:
                if is_ca_certificate(certificate):
                    anchors.append(Anchor.from_certificate(certificate, path))
                    continue
            except X509_ERRORS as exc:
                self.warnings.append(f"{path}: certificate skipped: {exc}")
                continue
            others.append(certificate)
            self.warnings.append(
                f"{path}: {name_text(certificate.subject)} is not a CA certificate: not used as an anchor"
            )

        infos: list[MasterListInfo] = []
        pending = list(self.master_lists)
        trusted = list(anchors)
        progress = True
        while pending and progress:  # a list verified by another verified list's CSCA
            progress = False
            for item in list(pending):
                outcome = self._master_list(item[0], item[1], trusted, others, final=False)
                if outcome is not None:
                    info, new = outcome
                    infos.append(info)
                    pending.remove(item)
                    if info.status == "verified":
                        trusted.extend(new)
                        progress = True
                    anchors.extend(new)
        for ml, path in pending:
            outcome = self._master_list(ml, path, trusted, others, final=True)
            assert outcome is not None
            info, new = outcome
            infos.append(info)
            anchors.extend(new)
        return cls(anchors, crls=[CrlInfo(c, p, name_text(c.issuer), False) for c, p in self.crls],
                   master_lists=infos, warnings=self.warnings)

    def _master_list(
        self,
        ml: MasterList,
        path: Path,
        trusted: Sequence[Anchor],
        others: Sequence[x509.Certificate],
        *,
        final: bool,
    ) -> tuple[MasterListInfo, list[Anchor]] | None:
        """(info, anchors) once decided; None to retry after more lists are verified."""
        signer = ml.signer_certificate(others)

        def entries(verified: bool) -> list[Anchor]:
            out = []
            for index, der in enumerate(ml.certificates):
                try:
                    certificate = load_certificate(der)
                    out.append(
                        Anchor.from_certificate(
                            certificate, path, from_master_list=True, master_list_verified=verified
                        )
                    )
                except X509_ERRORS as exc:
                    self.warnings.append(f"{path}: certificate #{index + 1} of the master list skipped: {exc}")
            return out

        def info(status: str, detail: str) -> MasterListInfo:
            if status != "verified":
                self.warnings.append(f"{path}: master list {status}: {detail}")
            return MasterListInfo(
                path,
                status,
                detail,
                name_text(signer.subject) if signer is not None else None,
                len(ml.certificates),
                ml.signing_time,
            )

        if signer is None:
            return info("unverified", "its signer certificate is not in the list nor in the store"), entries(False)
        problem = ml.signature_problem(signer)
        if problem is not None:
            return info("rejected", f"{problem}; its certificates were not loaded"), []

        at = ml.signing_time or _dt.datetime.now(_dt.UTC)
        at_label = "signing time" if ml.signing_time else "load time"
        chain = _chain_to(signer, trusted, at, at_label, role="master list signer")
        if chain[0] is not None:
            anchor = chain[0]
            detail = f"signed by {name_text(signer.subject)}, issued by CSCA {anchor.subject} from {anchor.source}"
            return info("verified", detail), entries(True)
        if not final:
            return None
        own = [a for a in entries(False) if a.certificate.subject == signer.issuer]
        own_chain = _chain_to(signer, own, at, at_label, role="master list signer") if own else (None, [])
        if own_chain[0] is not None:
            detail = (
                f"signature intact, but its signer {name_text(signer.subject)} chains only to "
                f"{own_chain[0].subject} from the list itself; add that CSCA (obtained out of band) to verify it"
            )
        else:
            reasons = "; ".join(chain[1]) or f"no CSCA {name_text(signer.issuer)} in the store"
            detail = f"its signer {name_text(signer.subject)} cannot be verified: {reasons}"
        return info("unverified", detail), entries(False)


def _looks_like_cms(der: bytes) -> bool:
    # OID 1.2.840.113549.1.7.2 (signedData) near the start
    return bytes.fromhex("06092A864886F70D010702") in der[:32]


def _chain_to(
    certificate: x509.Certificate, anchors: Sequence[Anchor], at: _dt.datetime, at_label: str, *, role: str
) -> tuple[Anchor | None, list[str]]:
    """The first of ``anchors`` that issued ``certificate`` with every check passing, and else the problems."""
    problems: list[str] = []
    key = name_key(certificate.issuer)
    aki = authority_key_identifier(certificate)
    for anchor in anchors:
        if name_key(anchor.certificate.subject) != key or (aki and anchor.ski and aki != anchor.ski):
            continue
        found = issued_by_problems(certificate, anchor, at, at_label, role=role)
        if not found:
            return anchor, []
        problems.extend(found)
    return None, problems


def issued_by_problems(
    certificate: x509.Certificate,
    issuer: Anchor,
    at: _dt.datetime,
    at_label: str,
    *,
    role: str,
    issuer_role: str = "CSCA",
) -> list[str]:
    """Everything wrong with ``certificate`` (a signer) under ``issuer`` at time ``at``: the issuer's
    signature, both validities, the signer's digitalSignature and the issuer's CA rights, critical extensions.
    """
    problem = verify_certificate_signature(certificate, issuer.certificate)
    if problem is not None:
        return [f"{role} {problem} under {issuer_role} {issuer.subject}"]
    return [
        *signer_certificate_problems(certificate, role, at, at_label),
        *ca_certificate_problems(issuer.certificate, f"{issuer_role} {issuer.subject}", at, at_label),
    ]
