"""EF.SOD, the Document Security Object (ICAO 9303-10 §4.6.2, RFC 5652).

EF.SOD is tag ``77`` around a CMS ``ContentInfo`` holding a ``SignedData`` whose encapsulated content is an
``LDSSecurityObject``: the hash of every data group, signed by the Document Signer. :func:`parse_sod` keeps
the hashes and the parsed SignedData (:mod:`nfc.lds.cms`: the exact bytes that were signed, the signature
and its algorithm, the embedded Document Signer certificate, the signer identifier) and turns any malformed
input into :class:`~nfc.errors.ParseError`. :func:`build_sod` is the encoder used by the virtual card.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cryptography import x509
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import char, namedtype, univ
from pyasn1_modules import rfc5280

from nfc.decoding import decode_asn1, decoding
from nfc.errors import ParseError
from nfc.lds.cms import SignedData, SignerKey, algorithm_identifier, build_signed_data, digest_name, parse_signed_data
from nfc.lds.tlv import encode_length, read_tlv
from nfc.oids import DIGEST_OIDS, ID_LDS_SECURITY_OBJECT

SOD_TAG = 0x77
_STEP = "sod"


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
class Sod:
    """A parsed EF.SOD: the data group hashes, and in ``signed`` the CMS SignedData that says who signed them."""

    raw: bytes
    #: LDSSecurityObject version (0 for LDS 1.7, 1 for LDS 1.8 with ldsVersionInfo).
    version: int
    #: Hash algorithm of the data group hashes, e.g. ``"sha256"``.
    digest_algorithm: str
    dg_hashes: dict[int, bytes] = field(hash=False)
    #: (ldsVersion, unicodeVersion), e.g. ``("0108", "040000")``, when present.
    lds_version_info: tuple[str, str] | None
    #: The SignedData: the encapsulated LDSSecurityObject exactly as signed, the SignerInfo, the certificates.
    signed: SignedData


# --- parsing ------------------------------------------------------------------------------------------------


def parse_sod(data: bytes) -> Sod:
    """Parse EF.SOD (tag ``77``). Any malformed or unsupported content raises :class:`ParseError`."""
    data = bytes(data)
    try:
        tag, content, end = read_tlv(data, 0)
    except ParseError as exc:
        raise ParseError(f"malformed EF.SOD: {exc}", step=_STEP) from exc
    if tag != SOD_TAG:
        raise ParseError(f"EF.SOD must start with tag 77, not {tag:X}", step=_STEP)
    if end != len(data):
        raise ParseError("trailing bytes after EF.SOD", step=_STEP)
    signed = parse_signed_data(
        content, content_type=ID_LDS_SECURITY_OBJECT, content_name="an LDSSecurityObject", what="EF.SOD", step=_STEP
    )
    with decoding("EF.SOD", step=_STEP):
        return _parse_lds_security_object(data, signed)


def _parse_lds_security_object(raw: bytes, signed: SignedData) -> Sod:
    lds = decode_asn1(signed.content, _LdsSecurityObject(), "LDSSecurityObject", step=_STEP)
    dg_hashes: dict[int, bytes] = {}
    for item in lds["dataGroupHashValues"]:
        number = int(item["dataGroupNumber"])
        if not 1 <= number <= 16:
            raise ParseError(f"data group number {number} out of range", step=_STEP)
        if number in dg_hashes:
            raise ParseError(f"data group {number} hashed twice", step=_STEP)
        dg_hashes[number] = bytes(item["dataGroupHashValue"])
    digest_algorithm = digest_name(lds["hashAlgorithm"], step=_STEP)
    size = hashlib.new(digest_algorithm).digest_size
    if any(len(value) != size for value in dg_hashes.values()):
        raise ParseError("data group hash length does not match the hash algorithm", step=_STEP)
    version_info = None
    if lds["ldsVersionInfo"].isValue:
        info = lds["ldsVersionInfo"]
        version_info = (str(info["ldsVersion"]), str(info["unicodeVersion"]))

    return Sod(raw, int(lds["version"]), digest_algorithm, dg_hashes, version_info, signed)


# --- encoding -----------------------------------------------------------------------------------------------


def encode_lds_security_object(
    dg_hashes: Mapping[int, bytes],
    digest_algorithm: str = "sha256",
    lds_version_info: tuple[str, str] | None = None,
) -> bytes:
    """DER of an LDSSecurityObject (version 1 when ``lds_version_info`` is given, else version 0)."""
    if digest_algorithm not in DIGEST_OIDS:
        raise ValueError(f"unsupported digest algorithm {digest_algorithm!r}")
    lds = _LdsSecurityObject()
    lds["version"] = 0 if lds_version_info is None else 1
    lds["hashAlgorithm"] = algorithm_identifier(DIGEST_OIDS[digest_algorithm])
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
    econtent = encode_lds_security_object(dg_hashes, digest_algorithm, lds_version_info)
    body = build_signed_data(
        ID_LDS_SECURITY_OBJECT,
        econtent,
        signer_key=signer_key,
        signer_certificate=signer_certificate,
        digest_algorithm=digest_algorithm,
        rsa_padding=rsa_padding,
        signing_time=signing_time,
        signer_id=signer_id,
        certificates=(signer_certificate, *extra_certificates),
    )
    return bytes([SOD_TAG]) + encode_length(len(body)) + body


def hash_data_groups(data_groups: Mapping[int, bytes], digest_algorithm: str = "sha256") -> dict[int, bytes]:
    """Hash each data group's complete file bytes (tag, length and value), as EF.SOD records them."""
    return {number: hashlib.new(digest_algorithm, raw).digest() for number, raw in data_groups.items()}
