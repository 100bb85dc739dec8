"""CMS ``SignedData`` (RFC 5652) as ICAO documents use it: EF.SOD and CSCA master lists.

:func:`parse_signed_data` reads a DER/BER ``ContentInfo`` holding a ``SignedData`` with one (the first)
``SignerInfo`` and keeps what a signature check needs: the encapsulated content, the embedded certificates, the
exact bytes that were signed, the signature and its algorithm, the signer identifier and the values of the
contentType, messageDigest and signingTime attributes. Every malformation raises :class:`~nfc.errors.ParseError`
(never a pyasn1 error). :func:`build_signed_data` is the encoder used by EF.SOD and the test PKI.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import univ, useful
from pyasn1_modules import rfc4055, rfc5280, rfc5652

from nfc.crypto import HASHES
from nfc.decoding import X509_ERRORS, decode_asn1, decoding
from nfc.errors import ParseError
from nfc.lds.tlv import read_tlv
from nfc.oids import (
    DIGEST_ALGORITHMS,
    DIGEST_OIDS,
    ECDSA_SIGNATURE_OIDS,
    ID_CONTENT_TYPE,
    ID_MESSAGE_DIGEST,
    ID_MGF1,
    ID_RSASSA_PSS,
    ID_SIGNED_DATA,
    ID_SIGNING_TIME,
    RSA_PKCS1_SIGNATURE_OIDS,
)
from nfc.pki.x509 import load_certificate

SignerKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


# --- the parsed object --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignerIdentifier:
    """Which certificate signed: issuer + serial number, or a subject key identifier."""

    issuer: bytes | None = None
    serial_number: int | None = None
    subject_key_identifier: bytes | None = None

    def matches(self, certificate: x509.Certificate) -> bool:
        """Whether ``certificate`` is the one this identifier names."""
        try:
            if self.subject_key_identifier is not None:
                ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
                return ski == self.subject_key_identifier
            if self.issuer is None or self.serial_number is None:
                return False
            return certificate.serial_number == self.serial_number and _same_name(
                certificate.issuer.public_bytes(), self.issuer
            )
        except (x509.ExtensionNotFound, *X509_ERRORS):  # a malformed certificate is not the signer's
            return False


@dataclass(frozen=True)
class SignedData:
    """A parsed CMS SignedData: its encapsulated content and its first SignerInfo."""

    #: eContentType OID.
    content_type: str
    #: The encapsulated content (eContent) exactly as signed.
    content: bytes
    #: Each entry of SignedData.certificates as encoded (DER re-encoding when the encoding cannot be walked).
    certificates: tuple[bytes, ...]
    #: How many SignerInfos there are (the fields below describe the first).
    signer_count: int
    #: Digest algorithm of the SignerInfo (messageDigest and the signature hash), e.g. ``"sha256"``.
    digest_algorithm: str
    #: Signed attributes re-tagged as ``SET OF`` (``31 ...``): the bytes the signature covers. None if absent.
    signed_attributes: bytes | None
    #: Signature algorithm OID (ecdsa-with-SHA256, sha256WithRSAEncryption, id-RSASSA-PSS, ...).
    signature_algorithm: str
    #: DER of the signature algorithm parameters, None when absent (NULL is kept as ``05 00``).
    signature_algorithm_parameters: bytes | None
    signature: bytes
    signer_id: SignerIdentifier
    #: Values of the contentType, messageDigest and signingTime (UTC) signed attributes, when present.
    content_type_attribute: str | None = None
    message_digest: bytes | None = None
    signing_time: _dt.datetime | None = None

    @property
    def signed_bytes(self) -> bytes:
        """What the signature covers: the signed attributes, or the content itself when there are none."""
        return self.signed_attributes if self.signed_attributes is not None else self.content

    def signer_certificate(self, others: Iterable[x509.Certificate] = ()) -> x509.Certificate | None:
        """The certificate the SignerInfo names: one of ``certificates``, else of ``others``; None when absent.
        A certificate that does not load, or whose names do not parse, is never the signer's."""
        for item in (*self.certificates, *others):
            try:
                certificate = item if isinstance(item, x509.Certificate) else load_certificate(item)
            except ParseError:
                continue
            if self.signer_id.matches(certificate):
                return certificate
        return None

    def pss_parameters(self) -> PssParameters | None:
        """The RSASSA-PSS parameters when the signature algorithm is id-RSASSA-PSS, else None."""
        if self.signature_algorithm != ID_RSASSA_PSS:
            return None
        return parse_pss_parameters(self.signature_algorithm_parameters)


@dataclass(frozen=True)
class PssParameters:
    """RSASSA-PSS-params (RFC 4055) with their defaults filled in."""

    hash_name: str = "sha1"
    mgf_hash_name: str = "sha1"
    salt_length: int = 20


# --- parsing ------------------------------------------------------------------------------------------------


def parse_signed_data(data: bytes, *, content_type: str, content_name: str, what: str, step: str) -> SignedData:
    """Parse a ``ContentInfo`` (``data``, one TLV) holding SignedData whose eContentType is ``content_type``.

    ``content_name`` names that content type and ``what`` the document in error messages; ``step`` is the
    :class:`ParseError` step. Any malformed or unsupported input raises :class:`ParseError`.
    """
    with decoding(what, step=step):
        return _parse(bytes(data), content_type, content_name, what, step)


def _decode(substrate: bytes, spec: univ.Asn1Item, what: str, step: str) -> univ.Asn1Item:
    return decode_asn1(substrate, spec, what, step=step)


def _parse(data: bytes, content_type: str, content_name: str, what: str, step: str) -> SignedData:
    content_info = _decode(data, rfc5652.ContentInfo(), "ContentInfo", step)
    if str(content_info["contentType"]) != ID_SIGNED_DATA:
        raise ParseError(f"{what} does not hold CMS SignedData", step=step)
    signed_data = _decode(bytes(content_info["content"]), rfc5652.SignedData(), "SignedData", step)

    encap = signed_data["encapContentInfo"]
    if str(encap["eContentType"]) != content_type:
        raise ParseError(f"encapsulated content type {encap['eContentType']} is not {content_name}", step=step)
    if not encap["eContent"].isValue:
        raise ParseError("SignedData has no encapsulated content", step=step)

    signer_infos = signed_data["signerInfos"]
    if len(signer_infos) == 0:
        raise ParseError("SignedData has no SignerInfo", step=step)
    signer = signer_infos[0]
    raw_certificates, raw_signed_attributes = _raw_parts(data)

    certificates: tuple[bytes, ...] = ()
    if signed_data["certificates"].isValue:
        certificates = raw_certificates if raw_certificates is not None else tuple(
            der_encoder.encode(choice["certificate"])
            for choice in signed_data["certificates"]
            if choice.getName() == "certificate"
        )

    signed_attributes: bytes | None = None
    content_type_attribute = message_digest = signing_time = None
    if signer["signedAttrs"].isValue:
        signed_attributes = raw_signed_attributes
        if signed_attributes is None:
            attrs = univ.SetOf(componentType=rfc5652.Attribute())
            for attribute in signer["signedAttrs"]:
                attrs.append(attribute)
            signed_attributes = der_encoder.encode(attrs)
        content_type_attribute, message_digest, signing_time = _attribute_values(signer["signedAttrs"], step)

    algorithm = signer["signatureAlgorithm"]
    parameters = der_encoder.encode(algorithm["parameters"]) if algorithm["parameters"].isValue else None
    return SignedData(
        content_type=content_type,
        content=bytes(encap["eContent"]),
        certificates=certificates,
        signer_count=len(signer_infos),
        digest_algorithm=digest_name(signer["digestAlgorithm"], step=step),
        signed_attributes=signed_attributes,
        signature_algorithm=str(algorithm["algorithm"]),
        signature_algorithm_parameters=parameters,
        signature=bytes(signer["signature"]),
        signer_id=_signer_identifier(signer["sid"]),
        content_type_attribute=content_type_attribute,
        message_digest=message_digest,
        signing_time=signing_time,
    )


def digest_name(algorithm: univ.Asn1Item, *, step: str) -> str:
    """The hashlib name of a digest AlgorithmIdentifier; ParseError (with ``step``) when unsupported."""
    oid = str(algorithm["algorithm"])
    try:
        return DIGEST_ALGORITHMS[oid]
    except KeyError:
        raise ParseError(f"unsupported digest algorithm {oid}", step=step) from None


def parse_pss_parameters(parameters: bytes | None, *, step: str | None = None) -> PssParameters:
    """Decode RSASSA-PSS-params (RFC 4055); absent fields take their defaults (SHA-1, MGF1-SHA-1, 20)."""
    if parameters is None or parameters == b"\x05\x00":
        return PssParameters()
    with decoding("RSASSA-PSS parameters", step=step):
        params = decode_asn1(parameters, rfc4055.RSASSA_PSS_params(), "RSASSA-PSS parameters", der=True)
        hash_name = digest_name(params["hashAlgorithm"], step=step) if params["hashAlgorithm"].isValue else "sha1"
        mgf_hash = "sha1"
        if params["maskGenAlgorithm"].isValue:
            mgf = params["maskGenAlgorithm"]
            if str(mgf["algorithm"]) != ID_MGF1:
                raise ParseError("unsupported PSS mask generation function", step=step)
            inner = decode_asn1(bytes(mgf["parameters"]), rfc5280.AlgorithmIdentifier(), "MGF1 parameters", der=True)
            mgf_hash = digest_name(inner, step=step)
        return PssParameters(hash_name, mgf_hash, int(params["saltLength"]))


def _signer_identifier(sid: univ.Asn1Item) -> SignerIdentifier:
    if sid.getName() == "subjectKeyIdentifier":
        return SignerIdentifier(subject_key_identifier=bytes(sid["subjectKeyIdentifier"]))
    issuer_serial = sid["issuerAndSerialNumber"]
    return SignerIdentifier(
        issuer=der_encoder.encode(issuer_serial["issuer"]),
        serial_number=int(issuer_serial["serialNumber"]),
    )


_KNOWN_ATTRIBUTES = (ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNING_TIME)


def _attribute_values(
    attributes: univ.Asn1Item, step: str
) -> tuple[str | None, bytes | None, _dt.datetime | None]:
    seen: set[str] = set()
    content_type = message_digest = signing_time = None
    for attribute in attributes:
        oid = str(attribute["attrType"])
        if oid not in _KNOWN_ATTRIBUTES:
            continue
        if oid in seen:
            raise ParseError(f"signed attribute {oid} appears twice", step=step)
        seen.add(oid)
        values = attribute["attrValues"]
        if len(values) != 1:
            raise ParseError(f"signed attribute {oid} must have exactly one value", step=step)
        if oid == ID_CONTENT_TYPE:
            content_type = str(_decode(bytes(values[0]), univ.ObjectIdentifier(), "contentType", step))
        elif oid == ID_MESSAGE_DIGEST:
            message_digest = bytes(_decode(bytes(values[0]), univ.OctetString(), "messageDigest", step))
        else:
            moment = _decode(bytes(values[0]), rfc5280.Time(), "signingTime", step).getComponent().asDateTime
            signing_time = moment.replace(tzinfo=_dt.UTC) if moment.tzinfo is None else moment.astimezone(_dt.UTC)
    return content_type, message_digest, signing_time


def _same_name(a: bytes, b: bytes) -> bool:
    """Compare two DER Names after a DER round trip, so harmless encoding differences do not matter."""
    if a == b:
        return True
    try:
        with decoding("Name"):
            return der_encoder.encode(decode_asn1(a, rfc5280.Name(), "Name")) == der_encoder.encode(
                decode_asn1(b, rfc5280.Name(), "Name"))
    except ParseError:
        return False


# --- the original bytes of what is signed, found with a definite-length TLV walk -----------------------------


def _elements(value: bytes) -> list[tuple[int, bytes]]:
    """Split a constructed value into (tag, complete TLV bytes) elements."""
    out = []
    offset = 0
    while offset < len(value):
        tag, _, end = read_tlv(value, offset)
        out.append((tag, value[offset:end]))
        offset = end
    return out


def _raw_parts(content_info: bytes) -> tuple[tuple[bytes, ...] | None, bytes | None]:
    """Original bytes of the certificates and of the first SignerInfo's [0] signedAttrs (re-tagged ``31``).

    Each is None when its encoding cannot be walked (indefinite lengths): the caller then re-encodes as DER.
    """
    try:
        _, ci, _ = read_tlv(content_info, 0)
        _, explicit_value, _ = read_tlv(_elements(ci)[1][1], 0)
        _, signed_data, _ = read_tlv(explicit_value, 0)
        fields = _elements(signed_data)
    except (ParseError, IndexError):
        return None, None
    certificates: tuple[bytes, ...] | None = ()
    try:
        for tag, tlv in fields[3:-1]:
            if tag == 0xA0:
                certificates = tuple(child for _, child in _elements(read_tlv(tlv, 0)[1]))
    except (ParseError, IndexError):
        certificates = None
    signed_attributes = None
    try:
        _, signer_infos, _ = read_tlv(fields[-1][1], 0)
        _, signer_info, _ = read_tlv(_elements(signer_infos)[0][1], 0)
        for tag, tlv in _elements(signer_info)[3:4]:
            if tag == 0xA0:
                signed_attributes = b"\x31" + tlv[1:]
    except (ParseError, IndexError):
        signed_attributes = None
    return certificates, signed_attributes


# --- encoding -----------------------------------------------------------------------------------------------


def algorithm_identifier(oid: str, parameters: univ.Asn1Item | bytes | None = None) -> rfc5280.AlgorithmIdentifier:
    """An AlgorithmIdentifier; ``parameters`` as a pyasn1 value or DER bytes, absent when None."""
    algorithm = rfc5280.AlgorithmIdentifier()
    algorithm["algorithm"] = univ.ObjectIdentifier(oid)
    if parameters is not None:
        algorithm["parameters"] = parameters if isinstance(parameters, bytes) else der_encoder.encode(parameters)
    return algorithm


def _attribute(oid: str, value: univ.Asn1Item) -> rfc5652.Attribute:
    attribute = rfc5652.Attribute()
    attribute["attrType"] = univ.ObjectIdentifier(oid)
    attribute["attrValues"].append(der_encoder.encode(value))
    return attribute


def _time(moment: _dt.datetime) -> rfc5280.Time:
    moment = moment.astimezone(_dt.UTC)
    time = rfc5280.Time()
    if 1950 <= moment.year < 2050:
        time["utcTime"] = useful.UTCTime(moment.strftime("%y%m%d%H%M%SZ"))
    else:
        time["generalTime"] = useful.GeneralizedTime(moment.strftime("%Y%m%d%H%M%SZ"))
    return time


def build_signed_data(
    content_type: str,
    content: bytes,
    *,
    signer_key: SignerKey,
    signer_certificate: x509.Certificate,
    digest_algorithm: str = "sha256",
    rsa_padding: Literal["pkcs1v15", "pss"] = "pkcs1v15",
    signing_time: _dt.datetime | None = None,
    signer_id: Literal["issuer_serial", "ski"] = "issuer_serial",
    certificates: Sequence[x509.Certificate] = (),
) -> bytes:
    """DER ``ContentInfo`` of a SignedData v3 over ``content`` (eContentType ``content_type``), one SignerInfo.

    Signed attributes contentType, messageDigest and, when ``signing_time`` is given, signingTime; signed with
    ECDSA, RSA PKCS#1 v1.5 or RSASSA-PSS. ``certificates`` go into SignedData.certificates (omitted when empty).
    """
    if digest_algorithm not in DIGEST_OIDS:
        raise ValueError(f"unsupported digest algorithm {digest_algorithm!r}")
    signer = rfc5652.SignerInfo()
    signer["version"] = _signer_id(signer["sid"], signer_certificate, signer_id)
    signer["digestAlgorithm"] = algorithm_identifier(DIGEST_OIDS[digest_algorithm])
    attrs = signer["signedAttrs"]
    for attribute in _signed_attributes(content_type, content, digest_algorithm, signing_time):
        attrs.append(attribute)
    to_sign = b"\x31" + der_encoder.encode(attrs)[1:]  # signed as the DER SET OF, not as the [0] it is stored in
    signer["signature"], signer["signatureAlgorithm"] = _sign(signer_key, to_sign, digest_algorithm, rsa_padding)

    signed_data = rfc5652.SignedData()
    signed_data["version"] = 3
    signed_data["digestAlgorithms"].append(algorithm_identifier(DIGEST_OIDS[digest_algorithm]))
    encap = signed_data["encapContentInfo"]
    encap["eContentType"] = univ.ObjectIdentifier(content_type)
    encap["eContent"] = content
    for certificate in certificates:
        choice = rfc5652.CertificateChoices()
        choice["certificate"] = der_decoder.decode(
            certificate.public_bytes(Encoding.DER), asn1Spec=rfc5280.Certificate()
        )[0]
        signed_data["certificates"].append(choice)
    signed_data["signerInfos"].append(signer)

    content_info = rfc5652.ContentInfo()
    content_info["contentType"] = univ.ObjectIdentifier(ID_SIGNED_DATA)
    content_info["content"] = der_encoder.encode(signed_data)
    return der_encoder.encode(content_info)


def _signer_id(sid: univ.Asn1Item, certificate: x509.Certificate, kind: Literal["issuer_serial", "ski"]) -> int:
    """Fill the SignerIdentifier; return the SignerInfo version it implies (3 for a key identifier, else 1)."""
    if kind == "ski":
        sid["subjectKeyIdentifier"] = certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier).value.digest
        return 3
    issuer_serial = sid["issuerAndSerialNumber"]
    issuer_serial["issuer"] = der_decoder.decode(certificate.issuer.public_bytes(), asn1Spec=rfc5280.Name())[0]
    issuer_serial["serialNumber"] = certificate.serial_number
    return 1


def _signed_attributes(content_type: str, content: bytes, digest_algorithm: str,
                       signing_time: _dt.datetime | None) -> list[rfc5652.Attribute]:
    attributes = [_attribute(ID_CONTENT_TYPE, univ.ObjectIdentifier(content_type)),
                  _attribute(ID_MESSAGE_DIGEST, univ.OctetString(hashlib.new(digest_algorithm, content).digest()))]
    if signing_time is not None:
        attributes.append(_attribute(ID_SIGNING_TIME, _time(signing_time)))
    return attributes


def _sign(key: SignerKey, data: bytes, digest_algorithm: str,
          rsa_padding: Literal["pkcs1v15", "pss"]) -> tuple[bytes, rfc5280.AlgorithmIdentifier]:
    """The signature of ``data`` and its signatureAlgorithm: ECDSA, RSASSA-PSS or RSA PKCS#1 v1.5."""
    hash_algorithm = HASHES[digest_algorithm]()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hash_algorithm)), algorithm_identifier(ECDSA_SIGNATURE_OIDS[digest_algorithm])
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("signer_key must be an EC or RSA private key")
    if rsa_padding == "pkcs1v15":
        return (key.sign(data, padding.PKCS1v15(), hash_algorithm),
                algorithm_identifier(RSA_PKCS1_SIGNATURE_OIDS[digest_algorithm], univ.Null("")))
    salt = hash_algorithm.digest_size
    signature = key.sign(data, padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=salt), hash_algorithm)
    params = rfc4055.RSASSA_PSS_params()
    params["hashAlgorithm"]["algorithm"] = univ.ObjectIdentifier(DIGEST_OIDS[digest_algorithm])
    params["maskGenAlgorithm"]["algorithm"] = univ.ObjectIdentifier(ID_MGF1)
    params["maskGenAlgorithm"]["parameters"] = der_encoder.encode(algorithm_identifier(DIGEST_OIDS[digest_algorithm]))
    params["saltLength"] = salt
    return signature, algorithm_identifier(ID_RSASSA_PSS, params)
