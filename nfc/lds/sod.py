"""EF.SOD, the Document Security Object (ICAO 9303-10 §4.6.2, RFC 5652).

EF.SOD is tag ``77`` around a CMS ``ContentInfo`` holding a ``SignedData`` whose encapsulated content is an
``LDSSecurityObject``: the hash of every data group, signed by the Document Signer. :func:`parse_sod` keeps
everything Passive Authentication needs (the hashes, the exact bytes that were signed, the signature and its
algorithm, the embedded Document Signer certificates, the signer identifier) and turns any malformed input
into :class:`~nfc.errors.ParseError`. :func:`build_sod` is the encoder used by the virtual card.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pyasn1.codec.ber import decoder as ber_decoder
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import char, namedtype, univ, useful
from pyasn1_modules import rfc4055, rfc5280, rfc5652

from nfc.crypto import HASHES
from nfc.errors import ParseError
from nfc.oids import ID_LDS_SECURITY_OBJECT

SOD_TAG = 0x77
_STEP = "sod"

ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
ID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
ID_SIGNING_TIME = "1.2.840.113549.1.9.5"
ID_RSASSA_PSS = "1.2.840.113549.1.1.10"
ID_MGF1 = "1.2.840.113549.1.1.8"

#: Digest algorithm OID -> hashlib / cryptography name.
DIGEST_ALGORITHMS: dict[str, str] = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
_DIGEST_OIDS = {name: oid for oid, name in DIGEST_ALGORITHMS.items()}

#: Signature algorithm OIDs this module can produce, by (key type, hash).
ECDSA_SIGNATURE_OIDS: dict[str, str] = {
    "sha1": "1.2.840.10045.4.1",
    "sha224": "1.2.840.10045.4.3.1",
    "sha256": "1.2.840.10045.4.3.2",
    "sha384": "1.2.840.10045.4.3.3",
    "sha512": "1.2.840.10045.4.3.4",
}
RSA_PKCS1_SIGNATURE_OIDS: dict[str, str] = {
    "sha1": "1.2.840.113549.1.1.5",
    "sha224": "1.2.840.113549.1.1.14",
    "sha256": "1.2.840.113549.1.1.11",
    "sha384": "1.2.840.113549.1.1.12",
    "sha512": "1.2.840.113549.1.1.13",
}



# --- ASN.1 of ICAO 9303-10 §4.6.2.2 -------------------------------------------------------------------------


class _DataGroupHash(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("dataGroupNumber", univ.Integer()),
        namedtype.NamedType("dataGroupHashValue", univ.OctetString()),
    )


class _LdsVersionInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("ldsVersion", char.PrintableString()),
        namedtype.NamedType("unicodeVersion", char.PrintableString()),
    )


class _LdsSecurityObject(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("hashAlgorithm", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("dataGroupHashValues", univ.SequenceOf(componentType=_DataGroupHash())),
        namedtype.OptionalNamedType("ldsVersionInfo", _LdsVersionInfo()),
    )


# --- the parsed object --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignerIdentifier:
    """Which certificate signed the SOD: issuer + serial number, or a subject key identifier."""

    issuer: bytes | None = None
    serial_number: int | None = None
    subject_key_identifier: bytes | None = None

    def matches(self, certificate: x509.Certificate) -> bool:
        """Whether ``certificate`` is the one this identifier names."""
        if self.subject_key_identifier is not None:
            try:
                ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except (x509.ExtensionNotFound, x509.DuplicateExtension, ValueError):
                return False
            return ski == self.subject_key_identifier
        if self.issuer is None or self.serial_number is None:
            return False
        return certificate.serial_number == self.serial_number and _same_name(
            certificate.issuer.public_bytes(), self.issuer
        )


@dataclass(frozen=True)
class PssParameters:
    """RSASSA-PSS-params (RFC 4055) with their defaults filled in."""

    hash_name: str = "sha1"
    mgf_hash_name: str = "sha1"
    salt_length: int = 20


@dataclass(frozen=True)
class Sod:
    """A parsed EF.SOD: the data group hashes and everything needed to check who signed them."""

    raw: bytes
    #: LDSSecurityObject version (0 for LDS 1.7, 1 for LDS 1.8 with ldsVersionInfo).
    version: int
    #: Hash algorithm of the data group hashes, e.g. ``"sha256"``.
    digest_algorithm: str
    dg_hashes: dict[int, bytes] = field(hash=False)
    #: (ldsVersion, unicodeVersion), e.g. ``("0108", "040000")``, when present.
    lds_version_info: tuple[str, str] | None
    #: The encapsulated content (DER of the LDSSecurityObject) exactly as signed.
    encapsulated_content: bytes
    #: Digest algorithm of the SignerInfo (messageDigest and the signature hash).
    signer_digest_algorithm: str
    #: Signed attributes re-tagged as ``SET OF`` (``31 ...``): the bytes the signature covers. None if absent.
    signed_attributes: bytes | None
    #: Signature algorithm OID (ecdsa-with-SHA256, sha256WithRSAEncryption, id-RSASSA-PSS, ...).
    signature_algorithm: str
    #: DER of the signature algorithm parameters, None when absent (NULL is kept as ``05 00``).
    signature_algorithm_parameters: bytes | None
    signature: bytes
    #: DER of each certificate in SignedData.certificates (normally the Document Signer certificate).
    certificates: tuple[bytes, ...]
    signer_id: SignerIdentifier
    #: Values of the contentType, messageDigest and signingTime signed attributes, when present.
    content_type_attribute: str | None = None
    message_digest: bytes | None = None
    signing_time: _dt.datetime | None = None

    @property
    def signed_bytes(self) -> bytes:
        """What the signature covers: the signed attributes, or the content itself when there are none."""
        return self.signed_attributes if self.signed_attributes is not None else self.encapsulated_content

    def signer_certificate(self) -> x509.Certificate | None:
        """The embedded certificate named by :attr:`signer_id`, None when the SOD does not carry it."""
        for der in self.certificates:
            try:
                certificate = x509.load_der_x509_certificate(der)
            except (ValueError, x509.InvalidVersion, x509.DuplicateExtension):  # malformed certificate
                continue
            if self.signer_id.matches(certificate):
                return certificate
        return None

    def pss_parameters(self) -> PssParameters | None:
        """The RSASSA-PSS parameters when the signature algorithm is id-RSASSA-PSS, else None."""
        if self.signature_algorithm != ID_RSASSA_PSS:
            return None
        return parse_pss_parameters(self.signature_algorithm_parameters)


# --- parsing ------------------------------------------------------------------------------------------------

_DECODE_ERRORS = (PyAsn1Error, ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError)


def parse_sod(data: bytes) -> Sod:
    """Parse EF.SOD (tag ``77``). Any malformed or unsupported content raises :class:`ParseError`."""
    data = bytes(data)
    tag, content, end = _read_tlv(data, 0)
    if tag != SOD_TAG:
        raise ParseError(f"EF.SOD must start with tag 77, not {tag:X}", step=_STEP)
    if end != len(data):
        raise ParseError("trailing bytes after EF.SOD", step=_STEP)
    try:
        return _parse_content_info(data, content)
    except ParseError:
        raise
    except _DECODE_ERRORS as exc:
        raise ParseError(f"malformed EF.SOD: {type(exc).__name__}", step=_STEP) from exc


def _decode(substrate: bytes, spec: univ.Asn1Item, what: str) -> univ.Asn1Item:
    value, rest = ber_decoder.decode(substrate, asn1Spec=spec)
    if rest:
        raise ParseError(f"trailing bytes after {what}", step=_STEP)
    return value


def _parse_content_info(raw: bytes, content: bytes) -> Sod:
    content_info = _decode(content, rfc5652.ContentInfo(), "ContentInfo")
    if str(content_info["contentType"]) != ID_SIGNED_DATA:
        raise ParseError("EF.SOD does not hold CMS SignedData", step=_STEP)
    signed_data = _decode(bytes(content_info["content"]), rfc5652.SignedData(), "SignedData")

    encap = signed_data["encapContentInfo"]
    if str(encap["eContentType"]) != ID_LDS_SECURITY_OBJECT:
        raise ParseError("encapsulated content is not an LDSSecurityObject", step=_STEP)
    if not encap["eContent"].isValue:
        raise ParseError("SignedData has no encapsulated content", step=_STEP)
    econtent = bytes(encap["eContent"])
    lds = _decode(econtent, _LdsSecurityObject(), "LDSSecurityObject")

    dg_hashes: dict[int, bytes] = {}
    for item in lds["dataGroupHashValues"]:
        number = int(item["dataGroupNumber"])
        if not 1 <= number <= 16:
            raise ParseError(f"data group number {number} out of range", step=_STEP)
        if number in dg_hashes:
            raise ParseError(f"data group {number} hashed twice", step=_STEP)
        dg_hashes[number] = bytes(item["dataGroupHashValue"])
    digest_algorithm = _digest_name(lds["hashAlgorithm"])
    size = hashlib.new(digest_algorithm).digest_size
    if any(len(value) != size for value in dg_hashes.values()):
        raise ParseError("data group hash length does not match the hash algorithm", step=_STEP)
    version_info = None
    if lds["ldsVersionInfo"].isValue:
        info = lds["ldsVersionInfo"]
        version_info = (str(info["ldsVersion"]), str(info["unicodeVersion"]))

    signer_infos = signed_data["signerInfos"]
    if len(signer_infos) == 0:
        raise ParseError("SignedData has no SignerInfo", step=_STEP)
    signer = signer_infos[0]

    raw_parts = _raw_parts(content)
    certificates: list[bytes] = []
    if signed_data["certificates"].isValue:
        if raw_parts is not None:
            certificates = raw_parts[0]
        else:
            for choice in signed_data["certificates"]:
                if choice.getName() == "certificate":
                    certificates.append(der_encoder.encode(choice["certificate"]))

    signed_attributes: bytes | None = None
    content_type = message_digest = signing_time = None
    if signer["signedAttrs"].isValue:
        if raw_parts is not None and raw_parts[1] is not None:
            signed_attributes = b"\x31" + raw_parts[1][1:]
        else:
            attrs = univ.SetOf(componentType=rfc5652.Attribute())
            for attribute in signer["signedAttrs"]:
                attrs.append(attribute)
            signed_attributes = der_encoder.encode(attrs)
        content_type, message_digest, signing_time = _signed_attribute_values(signer["signedAttrs"])

    algorithm = signer["signatureAlgorithm"]
    parameters = der_encoder.encode(algorithm["parameters"]) if algorithm["parameters"].isValue else None

    return Sod(
        raw=raw,
        version=int(lds["version"]),
        digest_algorithm=digest_algorithm,
        dg_hashes=dg_hashes,
        lds_version_info=version_info,
        encapsulated_content=econtent,
        signer_digest_algorithm=_digest_name(signer["digestAlgorithm"]),
        signed_attributes=signed_attributes,
        signature_algorithm=str(algorithm["algorithm"]),
        signature_algorithm_parameters=parameters,
        signature=bytes(signer["signature"]),
        certificates=tuple(certificates),
        signer_id=_signer_identifier(signer["sid"]),
        content_type_attribute=content_type,
        message_digest=message_digest,
        signing_time=signing_time,
    )


def _digest_name(algorithm: univ.Asn1Item) -> str:
    oid = str(algorithm["algorithm"])
    try:
        return DIGEST_ALGORITHMS[oid]
    except KeyError:
        raise ParseError(f"unsupported digest algorithm {oid}", step=_STEP) from None


def _signer_identifier(sid: univ.Asn1Item) -> SignerIdentifier:
    if sid.getName() == "subjectKeyIdentifier":
        return SignerIdentifier(subject_key_identifier=bytes(sid["subjectKeyIdentifier"]))
    issuer_serial = sid["issuerAndSerialNumber"]
    return SignerIdentifier(
        issuer=der_encoder.encode(issuer_serial["issuer"]),
        serial_number=int(issuer_serial["serialNumber"]),
    )


def _signed_attribute_values(
    attributes: univ.Asn1Item,
) -> tuple[str | None, bytes | None, _dt.datetime | None]:
    seen: set[str] = set()
    content_type = message_digest = signing_time = None
    for attribute in attributes:
        oid = str(attribute["attrType"])
        if oid in seen and oid in (ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNING_TIME):
            raise ParseError(f"signed attribute {oid} appears twice", step=_STEP)
        seen.add(oid)
        values = attribute["attrValues"]
        if oid in (ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNING_TIME) and len(values) != 1:
            raise ParseError(f"signed attribute {oid} must have exactly one value", step=_STEP)
        if oid == ID_CONTENT_TYPE:
            content_type = str(_decode(bytes(values[0]), univ.ObjectIdentifier(), "contentType"))
        elif oid == ID_MESSAGE_DIGEST:
            message_digest = bytes(_decode(bytes(values[0]), univ.OctetString(), "messageDigest"))
        elif oid == ID_SIGNING_TIME:
            time = _decode(bytes(values[0]), rfc5280.Time(), "signingTime")
            signing_time = time.getComponent().asDateTime
            if signing_time.tzinfo is None:
                signing_time = signing_time.replace(tzinfo=_dt.UTC)
    return content_type, message_digest, signing_time


def parse_pss_parameters(parameters: bytes | None) -> PssParameters:
    """Decode RSASSA-PSS-params (RFC 4055); absent fields take their defaults (SHA-1, MGF1-SHA-1, 20)."""
    if parameters is None or parameters == b"\x05\x00":
        return PssParameters()
    try:
        params = der_decoder.decode(parameters, asn1Spec=rfc4055.RSASSA_PSS_params())[0]
        hash_name = "sha1"
        if params["hashAlgorithm"].isValue:
            hash_name = _digest_name(params["hashAlgorithm"])
        mgf_hash = "sha1"
        if params["maskGenAlgorithm"].isValue:
            mgf = params["maskGenAlgorithm"]
            if str(mgf["algorithm"]) != ID_MGF1:
                raise ParseError("unsupported PSS mask generation function", step=_STEP)
            inner = der_decoder.decode(bytes(mgf["parameters"]), asn1Spec=rfc5280.AlgorithmIdentifier())[0]
            mgf_hash = _digest_name(inner)
        return PssParameters(hash_name, mgf_hash, int(params["saltLength"]))
    except ParseError:
        raise
    except _DECODE_ERRORS as exc:
        raise ParseError("malformed RSASSA-PSS parameters", step=_STEP) from exc


def _same_name(a: bytes, b: bytes) -> bool:
    """Compare two DER Names after a DER round trip, so harmless encoding differences do not matter."""
    if a == b:
        return True
    try:
        ra = der_encoder.encode(ber_decoder.decode(a, asn1Spec=rfc5280.Name())[0])
        rb = der_encoder.encode(ber_decoder.decode(b, asn1Spec=rfc5280.Name())[0])
    except _DECODE_ERRORS:
        return False
    return ra == rb


# --- a tiny definite-length TLV walker, to keep signed bytes exactly as they were on the chip ----------------


def _read_tlv(data: bytes, offset: int) -> tuple[int, bytes, int]:
    """Read one BER TLV with a definite length at ``offset``: (tag as int, value, offset after it)."""
    n = len(data)
    if offset >= n:
        raise ParseError("truncated TLV: no tag", step=_STEP)
    start = offset
    first = data[offset]
    offset += 1
    if first & 0x1F == 0x1F:
        while True:
            if offset >= n:
                raise ParseError("truncated TLV tag", step=_STEP)
            more = data[offset] & 0x80
            offset += 1
            if not more:
                break
            if offset - start > 4:
                raise ParseError("TLV tag too long", step=_STEP)
    tag = int.from_bytes(data[start:offset], "big")
    if offset >= n:
        raise ParseError("truncated TLV: no length", step=_STEP)
    length = data[offset]
    offset += 1
    if length == 0x80:
        raise ParseError("indefinite length where a definite one is required", step=_STEP)
    if length > 0x80:
        count = length & 0x7F
        if count > 4 or offset + count > n:
            raise ParseError("bad TLV length", step=_STEP)
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    if offset + length > n:
        raise ParseError("truncated TLV value", step=_STEP)
    return tag, data[offset : offset + length], offset + length


def _children(value: bytes) -> list[tuple[int, bytes]]:
    """Split a constructed value into (tag, full TLV bytes) children."""
    out = []
    offset = 0
    while offset < len(value):
        tag, _, end = _read_tlv(value, offset)
        out.append((tag, value[offset:end]))
        offset = end
    return out


def _raw_parts(content_info: bytes) -> tuple[list[bytes], bytes | None] | None:
    """Original bytes of the certificates and of the first SignerInfo's [0] signedAttrs.

    None when the encoding uses indefinite lengths (then the caller falls back to DER re-encoding).
    """
    try:
        _, ci, _ = _read_tlv(content_info, 0)
        explicit = _children(ci)[1][1]
        _, explicit_value, _ = _read_tlv(explicit, 0)
        _, signed_data, _ = _read_tlv(explicit_value, 0)
        fields = _children(signed_data)
        certificates: list[bytes] = []
        for tag, tlv in fields[3:-1]:
            if tag == 0xA0:
                _, value, _ = _read_tlv(tlv, 0)
                certificates = [child for _, child in _children(value)]
        _, signer_infos, _ = _read_tlv(fields[-1][1], 0)
        _, signer_info, _ = _read_tlv(_children(signer_infos)[0][1], 0)
        signed_attrs = None
        for tag, tlv in _children(signer_info)[3:4]:
            if tag == 0xA0:
                signed_attrs = tlv
        return certificates, signed_attrs
    except (ParseError, IndexError):
        return None


# --- encoding -----------------------------------------------------------------------------------------------

SignerKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def encode_length(length: int) -> bytes:
    """BER/DER definite length octets."""
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _algorithm(oid: str, parameters: univ.Asn1Item | bytes | None = None) -> rfc5280.AlgorithmIdentifier:
    algorithm = rfc5280.AlgorithmIdentifier()
    algorithm["algorithm"] = univ.ObjectIdentifier(oid)
    if parameters is not None:
        algorithm["parameters"] = parameters if isinstance(parameters, bytes) else der_encoder.encode(parameters)
    return algorithm


def encode_lds_security_object(
    dg_hashes: Mapping[int, bytes],
    digest_algorithm: str = "sha256",
    lds_version_info: tuple[str, str] | None = None,
) -> bytes:
    """DER of an LDSSecurityObject (version 1 when ``lds_version_info`` is given, else version 0)."""
    if digest_algorithm not in _DIGEST_OIDS:
        raise ValueError(f"unsupported digest algorithm {digest_algorithm!r}")
    lds = _LdsSecurityObject()
    lds["version"] = 0 if lds_version_info is None else 1
    lds["hashAlgorithm"] = _algorithm(_DIGEST_OIDS[digest_algorithm])
    values = lds["dataGroupHashValues"]
    for number in sorted(dg_hashes):
        item = _DataGroupHash()
        item["dataGroupNumber"] = number
        item["dataGroupHashValue"] = dg_hashes[number]
        values.append(item)
    if lds_version_info is not None:
        info = lds["ldsVersionInfo"]
        info["ldsVersion"] = lds_version_info[0]
        info["unicodeVersion"] = lds_version_info[1]
    return der_encoder.encode(lds)


def _attribute(oid: str, value: univ.Asn1Item) -> rfc5652.Attribute:
    attribute = rfc5652.Attribute()
    attribute["attrType"] = univ.ObjectIdentifier(oid)
    attribute["attrValues"].append(der_encoder.encode(value))
    return attribute


def _utc_time(moment: _dt.datetime) -> rfc5280.Time:
    moment = moment.astimezone(_dt.UTC)
    time = rfc5280.Time()
    if 1950 <= moment.year < 2050:
        time["utcTime"] = useful.UTCTime(moment.strftime("%y%m%d%H%M%SZ"))
    else:
        time["generalTime"] = useful.GeneralizedTime(moment.strftime("%Y%m%d%H%M%SZ"))
    return time


def build_sod(
    dg_hashes: Mapping[int, bytes],
    *,
    signer_key: SignerKey,
    signer_certificate: x509.Certificate,
    digest_algorithm: str = "sha256",
    rsa_padding: Literal["pkcs1v15", "pss"] = "pkcs1v15",
    signing_time: _dt.datetime | None = None,
    signer_id: Literal["issuer_serial", "ski"] = "issuer_serial",
    lds_version_info: tuple[str, str] | None = None,
    extra_certificates: Sequence[x509.Certificate] = (),
) -> bytes:
    """Encode and sign EF.SOD (``77`` + ContentInfo) over precomputed data group hashes.

    CMS SignedData v3 with one SignerInfo; signed attributes contentType, messageDigest and, when
    ``signing_time`` is given, signingTime. The signer certificate is embedded in ``certificates``.
    """
    if digest_algorithm not in _DIGEST_OIDS:
        raise ValueError(f"unsupported digest algorithm {digest_algorithm!r}")
    digest_oid = _DIGEST_OIDS[digest_algorithm]
    econtent = encode_lds_security_object(dg_hashes, digest_algorithm, lds_version_info)

    signer = rfc5652.SignerInfo()
    sid = signer["sid"]
    if signer_id == "ski":
        ski = signer_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        signer["version"] = 3
        sid["subjectKeyIdentifier"] = ski
    else:
        signer["version"] = 1
        issuer_serial = sid["issuerAndSerialNumber"]
        issuer_serial["issuer"] = der_decoder.decode(signer_certificate.issuer.public_bytes(), asn1Spec=rfc5280.Name())[
            0
        ]
        issuer_serial["serialNumber"] = signer_certificate.serial_number
    signer["digestAlgorithm"] = _algorithm(digest_oid)

    attrs = signer["signedAttrs"]
    attrs.append(_attribute(ID_CONTENT_TYPE, univ.ObjectIdentifier(ID_LDS_SECURITY_OBJECT)))
    digest = hashlib.new(digest_algorithm, econtent).digest()
    attrs.append(_attribute(ID_MESSAGE_DIGEST, univ.OctetString(digest)))
    if signing_time is not None:
        attrs.append(_attribute(ID_SIGNING_TIME, _utc_time(signing_time)))
    tagged = der_encoder.encode(attrs)
    to_sign = b"\x31" + tagged[1:]

    hash_algorithm = HASHES[digest_algorithm]()
    if isinstance(signer_key, ec.EllipticCurvePrivateKey):
        signature = signer_key.sign(to_sign, ec.ECDSA(hash_algorithm))
        signer["signatureAlgorithm"] = _algorithm(ECDSA_SIGNATURE_OIDS[digest_algorithm])
    elif isinstance(signer_key, rsa.RSAPrivateKey) and rsa_padding == "pss":
        salt = hash_algorithm.digest_size
        signature = signer_key.sign(
            to_sign, padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=salt), hash_algorithm
        )
        params = rfc4055.RSASSA_PSS_params()
        params["hashAlgorithm"]["algorithm"] = univ.ObjectIdentifier(digest_oid)
        params["maskGenAlgorithm"]["algorithm"] = univ.ObjectIdentifier(ID_MGF1)
        params["maskGenAlgorithm"]["parameters"] = der_encoder.encode(_algorithm(digest_oid))
        params["saltLength"] = salt
        signer["signatureAlgorithm"] = _algorithm(ID_RSASSA_PSS, params)
    elif isinstance(signer_key, rsa.RSAPrivateKey):
        signature = signer_key.sign(to_sign, padding.PKCS1v15(), hash_algorithm)
        signer["signatureAlgorithm"] = _algorithm(RSA_PKCS1_SIGNATURE_OIDS[digest_algorithm], univ.Null(""))
    else:
        raise TypeError("signer_key must be an EC or RSA private key")
    signer["signature"] = signature

    signed_data = rfc5652.SignedData()
    signed_data["version"] = 3
    signed_data["digestAlgorithms"].append(_algorithm(digest_oid))
    encap = signed_data["encapContentInfo"]
    encap["eContentType"] = univ.ObjectIdentifier(ID_LDS_SECURITY_OBJECT)
    encap["eContent"] = econtent
    certificate_set = signed_data["certificates"]
    for certificate in (signer_certificate, *extra_certificates):
        choice = rfc5652.CertificateChoices()
        choice["certificate"] = der_decoder.decode(
            certificate.public_bytes(Encoding.DER), asn1Spec=rfc5280.Certificate()
        )[0]
        certificate_set.append(choice)
    signed_data["signerInfos"].append(signer)

    content_info = rfc5652.ContentInfo()
    content_info["contentType"] = univ.ObjectIdentifier(ID_SIGNED_DATA)
    content_info["content"] = der_encoder.encode(signed_data)
    body = der_encoder.encode(content_info)
    return bytes([SOD_TAG]) + encode_length(len(body)) + body


def hash_data_groups(data_groups: Mapping[int, bytes], digest_algorithm: str = "sha256") -> dict[int, bytes]:
    """Hash each data group's complete file bytes (tag, length and value), as EF.SOD records them."""
    return {number: hashlib.new(digest_algorithm, raw).digest() for number, raw in data_groups.items()}
