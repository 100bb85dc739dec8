"""SecurityInfos (ICAO 9303-11 §9.2, BSI TR-03110-3 A.1): what EF.CardAccess and DG14 announce.

``SecurityInfos ::= SET OF SecurityInfo``; ``SecurityInfo ::= SEQUENCE { protocol OID, requiredData ANY,
optionalData ANY OPTIONAL }``. Each known protocol family becomes a small dataclass; anything else is kept raw
so nothing the chip says is lost. What the protocol OIDs mean is :mod:`nfc.oids`'s.
EF.CardAccess is the bare SET; DG14 wraps the same SET in tag 6E.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyasn1.codec.der import encoder as der_encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import namedtype, univ
from pyasn1_modules import rfc5280

from nfc.decoding import decode_asn1
from nfc.errors import ParseError
from nfc.lds.tlv import encode_tlv, parse_all, unwrap
from nfc.oids import (
    ID_ACTIVE_AUTHENTICATION,
    ID_CA_DH,
    ID_CA_ECDH,
    ID_PACE,
    ID_PK_DH,
    ID_PK_ECDH,
    ID_TA,
    STANDARDIZED_DOMAIN_PARAMETERS,
    ca_parts,
    pace_parts,
)

_SET = 0x31
_SEQUENCE = 0x30


class _SecurityInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("protocol", univ.ObjectIdentifier()),
        namedtype.NamedType("requiredData", univ.Any()),
        namedtype.OptionalNamedType("optionalData", univ.Any()),
    )


def _decode(der: bytes, spec: object, what: str) -> object:
    """DER-decode ``der`` fully against ``spec``; every failure becomes ParseError."""
    return decode_asn1(der, spec, what, der=True)  # type: ignore[arg-type]


def _int(der: bytes, what: str) -> int:
    """A version, parameter id or key id: an INTEGER from 0 to 2^32 - 1."""
    if der[:2] == b"\x02\x00":
        raise ParseError(f"{what} has an empty INTEGER")
    value = int(_decode(der, univ.Integer(), what))  # type: ignore[call-overload]
    if not 0 <= value <= 0xFFFFFFFF:
        raise ParseError(f"{what} has an INTEGER out of range")
    return value


def _oid(der: bytes, what: str) -> str:
    return str(_decode(der, univ.ObjectIdentifier(), what))


def _enc_int(value: int) -> bytes:
    return der_encoder.encode(univ.Integer(value))


def _enc_oid(value: str) -> bytes:
    try:
        return der_encoder.encode(univ.ObjectIdentifier(value))
    except PyAsn1Error as exc:
        raise ValueError(f"not an object identifier: {value}") from exc


def _seq(*parts: bytes) -> bytes:
    return encode_tlv(_SEQUENCE, b"".join(parts))


def _under(oid: str, base: str, arcs: int) -> bool:
    """Whether ``oid`` is ``base`` followed by exactly ``arcs`` more arcs."""
    return oid.startswith(base + ".") and len(oid[len(base) + 1:].split(".")) == arcs


def _algorithm_identifier(der: bytes, what: str) -> bytes:
    _decode(der, rfc5280.AlgorithmIdentifier(), what)
    return der


@dataclass(frozen=True)
class PaceInfo:
    """One PACEInfo from EF.CardAccess: which PACE variant the chip offers."""

    protocol: str
    version: int = 2
    parameter_id: int | None = None

    @property
    def agreement(self) -> str:
        """"ECDH" or "DH" (ValueError for an OID that is not a PACE protocol)."""
        return pace_parts(self.protocol)[0]

    @property
    def mapping(self) -> str:
        """"GM" (generic), "IM" (integrated) or "CAM" (chip authentication mapping)."""
        return pace_parts(self.protocol)[1]

    @property
    def cipher(self) -> str:
        """"DESede" or "AES"."""
        return pace_parts(self.protocol)[2]

    @property
    def key_length(self) -> int:
        """Session key length in bytes: 16, 24 or 32."""
        return pace_parts(self.protocol)[3]

    @property
    def curve(self) -> str | None:
        """Curve name of the standardized domain parameters, None when unknown or DH."""
        if self.parameter_id is None:
            return None
        name = STANDARDIZED_DOMAIN_PARAMETERS.get(self.parameter_id)
        return None if name is None or name.startswith("modp") else name

    @property
    def supported(self) -> bool:
        """Whether this library can run this variant (ECDH generic mapping on a standardized curve)."""
        try:
            return self.agreement == "ECDH" and self.mapping == "GM" and self.curve is not None
        except ValueError:
            return False

    def encode(self) -> bytes:
        tail = _enc_int(self.parameter_id) if self.parameter_id is not None else b""
        return _seq(_enc_oid(self.protocol), _enc_int(self.version), tail)


@dataclass(frozen=True)
class PaceDomainParameterInfo:
    """Proprietary PACE domain parameters (an AlgorithmIdentifier, kept as DER)."""

    protocol: str
    domain_parameter: bytes
    parameter_id: int | None = None

    def encode(self) -> bytes:
        tail = _enc_int(self.parameter_id) if self.parameter_id is not None else b""
        return _seq(_enc_oid(self.protocol), self.domain_parameter, tail)


@dataclass(frozen=True)
class ChipAuthenticationInfo:
    """Chip Authentication is offered with this protocol (id-CA-DH-… / id-CA-ECDH-…)."""

    protocol: str
    version: int = 1
    key_id: int | None = None

    @property
    def agreement(self) -> str:
        """"DH" or "ECDH"."""
        return ca_parts(self.protocol)[0]

    @property
    def cipher(self) -> str:
        """"DESede" or "AES"."""
        return ca_parts(self.protocol)[1]

    @property
    def key_length(self) -> int:
        """Session key length in bytes."""
        return ca_parts(self.protocol)[2]

    def encode(self) -> bytes:
        tail = _enc_int(self.key_id) if self.key_id is not None else b""
        return _seq(_enc_oid(self.protocol), _enc_int(self.version), tail)


@dataclass(frozen=True)
class ChipAuthenticationDomainParameterInfo:
    """Domain parameters for Chip Authentication (id-CA-DH / id-CA-ECDH), AlgorithmIdentifier kept as DER."""

    protocol: str
    domain_parameter: bytes
    key_id: int | None = None

    def encode(self) -> bytes:
        tail = _enc_int(self.key_id) if self.key_id is not None else b""
        return _seq(_enc_oid(self.protocol), self.domain_parameter, tail)


@dataclass(frozen=True)
class ChipAuthenticationPublicKeyInfo:
    """The chip's static Chip Authentication key; ``public_key_info`` is the SubjectPublicKeyInfo DER as stored."""

    protocol: str  # id-PK-DH or id-PK-ECDH
    public_key_info: bytes
    key_id: int | None = None

    @property
    def agreement(self) -> str:
        """"DH" or "ECDH"."""
        return "ECDH" if self.protocol == ID_PK_ECDH else "DH"

    def encode(self) -> bytes:
        tail = _enc_int(self.key_id) if self.key_id is not None else b""
        return _seq(_enc_oid(self.protocol), self.public_key_info, tail)


@dataclass(frozen=True)
class ActiveAuthenticationInfo:
    """Active Authentication with ECDSA: which signature algorithm the chip uses (RSA needs no info)."""

    signature_algorithm: str
    version: int = 1
    protocol: str = ID_ACTIVE_AUTHENTICATION

    def encode(self) -> bytes:
        return _seq(_enc_oid(self.protocol), _enc_int(self.version), _enc_oid(self.signature_algorithm))


@dataclass(frozen=True)
class TerminalAuthenticationInfo:
    """Terminal Authentication is supported; ``ef_cvca`` is the optional FileID DER."""

    version: int = 1
    ef_cvca: bytes | None = None
    protocol: str = ID_TA

    def encode(self) -> bytes:
        return _seq(_enc_oid(self.protocol), _enc_int(self.version), self.ef_cvca or b"")


@dataclass(frozen=True)
class UnknownSecurityInfo:
    """A SecurityInfo this library does not interpret; ``required_data`` / ``optional_data`` are DER."""

    protocol: str
    required_data: bytes
    optional_data: bytes | None = None

    def encode(self) -> bytes:
        return _seq(_enc_oid(self.protocol), self.required_data, self.optional_data or b"")


SecurityInfo = (PaceInfo | PaceDomainParameterInfo | ChipAuthenticationInfo | ChipAuthenticationDomainParameterInfo
                | ChipAuthenticationPublicKeyInfo | ActiveAuthenticationInfo | TerminalAuthenticationInfo
                | UnknownSecurityInfo)


def parse_security_info(der: bytes) -> SecurityInfo:
    """One SecurityInfo from its DER."""
    decoded = _decode(der, _SecurityInfo(), "SecurityInfo")
    protocol = str(decoded["protocol"])  # type: ignore[index]
    required = bytes(decoded["requiredData"])  # type: ignore[index]
    optional_value = decoded["optionalData"]  # type: ignore[index]
    optional = bytes(optional_value) if optional_value.isValue else None
    what = f"SecurityInfo {protocol}"

    def opt_int() -> int | None:
        return None if optional is None else _int(optional, what)

    if _under(protocol, ID_PACE, 2):
        return PaceInfo(protocol, _int(required, what), opt_int())
    if _under(protocol, ID_PACE, 1):
        return PaceDomainParameterInfo(protocol, _algorithm_identifier(required, what), opt_int())
    if _is_ca_protocol(protocol):
        return ChipAuthenticationInfo(protocol, _int(required, what), opt_int())
    if protocol in (ID_CA_DH, ID_CA_ECDH):
        return ChipAuthenticationDomainParameterInfo(protocol, _algorithm_identifier(required, what), opt_int())
    if protocol in (ID_PK_DH, ID_PK_ECDH):
        _decode(required, rfc5280.SubjectPublicKeyInfo(), what)
        return ChipAuthenticationPublicKeyInfo(protocol, required, opt_int())
    if protocol == ID_ACTIVE_AUTHENTICATION:
        if optional is None:
            raise ParseError("ActiveAuthenticationInfo has no signature algorithm")
        return ActiveAuthenticationInfo(_oid(optional, what), _int(required, what))
    if protocol == ID_TA:
        if optional is not None and optional[:1] != bytes([_SEQUENCE]):
            raise ParseError("TerminalAuthenticationInfo efCVCA is not a FileID")
        return TerminalAuthenticationInfo(_int(required, what), optional)
    return UnknownSecurityInfo(protocol, required, optional)


def _is_ca_protocol(oid: str) -> bool:
    try:
        ca_parts(oid)
    except ValueError:
        return False
    return True


def encode_security_info(info: SecurityInfo) -> bytes:
    """DER of one SecurityInfo."""
    return info.encode()


def parse_security_infos(data: bytes, what: str = "SecurityInfos") -> tuple[SecurityInfo, ...]:
    """The SecurityInfos SET from its DER (exactly one SET, nothing after it)."""
    body = unwrap(data, _SET, what)
    infos: list[SecurityInfo] = []
    for tag, value in parse_all(body):
        if tag != _SEQUENCE:
            raise ParseError(f"{what}: an element is not a SEQUENCE")
        infos.append(parse_security_info(encode_tlv(tag, value)))
    return tuple(infos)


def encode_security_infos(infos: list[SecurityInfo] | tuple[SecurityInfo, ...]) -> bytes:
    """The SET, elements in the order given (a chip's own order is kept; sort first if strict DER is wanted)."""
    return encode_tlv(_SET, b"".join(encode_security_info(i) for i in infos))


class _Infos:
    """Views over a tuple of SecurityInfo shared by EF.CardAccess and DG14."""

    security_infos: tuple[SecurityInfo, ...]

    @property
    def pace_infos(self) -> list[PaceInfo]:
        return [i for i in self.security_infos if isinstance(i, PaceInfo)]

    @property
    def chip_authentication_infos(self) -> list[ChipAuthenticationInfo]:
        return [i for i in self.security_infos if isinstance(i, ChipAuthenticationInfo)]

    @property
    def chip_authentication_public_keys(self) -> list[ChipAuthenticationPublicKeyInfo]:
        return [i for i in self.security_infos if isinstance(i, ChipAuthenticationPublicKeyInfo)]

    @property
    def active_authentication_info(self) -> ActiveAuthenticationInfo | None:
        return next((i for i in self.security_infos if isinstance(i, ActiveAuthenticationInfo)), None)

    @property
    def terminal_authentication_infos(self) -> list[TerminalAuthenticationInfo]:
        return [i for i in self.security_infos if isinstance(i, TerminalAuthenticationInfo)]


@dataclass(frozen=True)
class CardAccess(_Infos):
    """EF.CardAccess: the SecurityInfos readable before access control (PACE offers)."""

    security_infos: tuple[SecurityInfo, ...]

    @classmethod
    def parse(cls, data: bytes) -> CardAccess:
        return cls(parse_security_infos(data, "EF.CardAccess"))

    def encode(self) -> bytes:
        return encode_security_infos(self.security_infos)


DG14_TAG = 0x6E


@dataclass(frozen=True)
class Dg14(_Infos):
    """DG14: SecurityInfos for Chip Authentication (and Active Authentication with ECDSA)."""

    security_infos: tuple[SecurityInfo, ...]

    @classmethod
    def parse(cls, data: bytes) -> Dg14:
        return cls(parse_security_infos(unwrap(data, DG14_TAG, "DG14"), "DG14"))

    def encode(self) -> bytes:
        return encode_tlv(DG14_TAG, encode_security_infos(self.security_infos))


__all__ = [
    "ActiveAuthenticationInfo", "CardAccess", "ChipAuthenticationDomainParameterInfo",
    "ChipAuthenticationInfo", "ChipAuthenticationPublicKeyInfo", "Dg14", "PaceDomainParameterInfo", "PaceInfo",
    "SecurityInfo", "TerminalAuthenticationInfo", "UnknownSecurityInfo", "encode_security_info",
    "encode_security_infos", "parse_security_info", "parse_security_infos",
]
