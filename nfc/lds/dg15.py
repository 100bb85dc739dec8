"""DG15 (ICAO 9303-10 §4.7.15): the Active Authentication public key, tag 6F { SubjectPublicKeyInfo }."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

from nfc.decoding import X509_ERRORS
from nfc.errors import ParseError
from nfc.lds.tlv import encode_tlv, read_tlv, unwrap

TAG = 0x6F
_SEQUENCE = 0x30


@dataclass(frozen=True)
class Dg15:
    """DG15: ``public_key_info`` is the SubjectPublicKeyInfo DER exactly as stored."""

    public_key_info: bytes

    @classmethod
    def parse(cls, data: bytes) -> Dg15:
        value = unwrap(data, TAG, "DG15")
        tag, _, end = read_tlv(value)
        if tag != _SEQUENCE or end != len(value):
            raise ParseError("DG15 does not hold exactly one SubjectPublicKeyInfo")
        return cls(value)

    @classmethod
    def from_public_key(cls, key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> Dg15:
        """DG15 for ``key`` (the virtual card's Active Authentication key)."""
        return cls(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))

    def public_key(self) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
        """The key, loaded with cryptography; ParseError when it is neither RSA nor a named-curve EC key.

        EC keys with explicit domain parameters (some passports) do not load; cryptography refuses them.
        """
        try:
            key = load_der_public_key(self.public_key_info)
        except X509_ERRORS:
            raise ParseError("DG15 public key does not load (malformed, or an unsupported algorithm)") from None
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise ParseError("DG15 public key is neither RSA nor EC")
        return key

    def encode(self) -> bytes:
        return encode_tlv(TAG, self.public_key_info)
