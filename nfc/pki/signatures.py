"""Signatures and certificate checks, all maths `cryptography`'s: CMS signer signatures (RSA PKCS#1 v1.5,
RSASSA-PSS, ECDSA in DER or plain r || s), X.509 signatures of certificates and CRLs, and what makes a
certificate fit to sign documents or other certificates at a given time.

Every check answers what is wrong (a sentence, or a list of them) and None / [] when all holds: Passive
Authentication names every failure, so nothing here raises for a bad signature or a bad certificate.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import hmac
from collections.abc import Callable

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding

from nfc.crypto import HASHES
from nfc.decoding import X509_ERRORS
from nfc.errors import ParseError
from nfc.lds.cms import SignedData, parse_pss_parameters
from nfc.oids import ECDSA_PLAIN_OIDS, SIGNATURE_ALGORITHMS
from nfc.pki.keys import PublicKey
from nfc.pki.x509 import format_time, load_certificate, name_text, public_key_of, unknown_critical_extensions


def signed_data_problems(signed: SignedData, signer: x509.Certificate, *, document: str, content: str,
                         signer_role: str) -> list[str]:
    """The one CMS signer check, of EF.SOD and of master lists: :func:`signed_attribute_problems`, then
    :func:`signer_signature_problems`. [] when ``signer`` signed exactly this content."""
    return [*signed_attribute_problems(signed, document=document, content=content),
            *signer_signature_problems(signed, signer, document=document, signer_role=signer_role)]


def signed_attribute_problems(signed: SignedData, *, document: str, content: str) -> list[str]:
    """Signed attributes present, their contentType the encapsulated content's type and their messageDigest
    that content's hash (``document`` "EF.SOD", ``content`` "the LDSSecurityObject" name them)."""
    if signed.signed_attributes is None:
        return [f"{document} has no signed attributes"]
    problems = []
    if signed.content_type_attribute != signed.content_type:
        problems.append(f"contentType attribute {signed.content_type_attribute} does not match eContentType "
                        f"{signed.content_type}")
    digest = hashlib.new(signed.digest_algorithm, signed.content).digest()
    if signed.message_digest is None or not hmac.compare_digest(digest, signed.message_digest):
        problems.append(f"messageDigest attribute does not match {content}")
    return problems


def signer_signature_problems(signed: SignedData, signer: x509.Certificate, *, document: str,
                              signer_role: str) -> list[str]:
    """The signature over the signed attributes verifies under ``signer``'s key (``signer_role`` "the DSC")."""
    try:
        key = public_key_of(signer)
    except ParseError as exc:
        return [f"{signer_role} public key unusable: {exc}"]
    if signed.signed_attributes is None:
        return []  # nothing was signed: signed_attribute_problems says so
    problem = verify_signer_signature(key, signed.signature, signed.signed_attributes,
                                      algorithm=signed.signature_algorithm,
                                      parameters=signed.signature_algorithm_parameters,
                                      digest_algorithm=signed.digest_algorithm)
    return [f"{document} signature by {signer_role}: {problem}"] if problem else []


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


def verify_x509_signature(
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
        key = public_key_of(load_certificate(issuer_der))
    except ParseError as exc:
        return f"signature cannot be checked: the issuer key is unusable: {exc}"
    return verify_x509_signature(key, certificate.signature, certificate.tbs_certificate_bytes, certificate)


def verify_certificate_signature(certificate: x509.Certificate, issuer: x509.Certificate) -> str | None:
    """None when ``issuer``'s key verifies ``certificate``'s signature, else what is wrong (results cached)."""
    return _certificate_signature_cached(certificate.public_bytes(Encoding.DER), issuer.public_bytes(Encoding.DER))


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


def issued_by_problems(
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    at: _dt.datetime,
    at_label: str,
    *,
    role: str,
    issuer_role: str = "CSCA",
) -> list[str]:
    """Everything wrong with ``certificate`` (a signer) under ``issuer`` at time ``at``: the issuer's
    signature, both validities, the signer's digitalSignature and the issuer's CA rights, critical extensions.
    """
    issuer_name = f"{issuer_role} {name_text(issuer.subject)}"
    problem = verify_certificate_signature(certificate, issuer)
    if problem is not None:
        return [f"{role} {problem} under {issuer_name}"]
    return [
        *signer_certificate_problems(certificate, role, at, at_label),
        *ca_certificate_problems(issuer, issuer_name, at, at_label),
    ]
