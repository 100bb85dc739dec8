"""Active Authentication, chip side (ICAO 9303-11 §6.1): the virtual card's answer to INTERNAL AUTHENTICATE.

RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1, partial message recovery: the representative is
``6A || M1 || H(M1 || M2) || trailer`` where M1 is a chip nonce filling the block, M2 the terminal's challenge
and the trailer ``BC`` (implicit, SHA-1) or ``<hash id> CC``. EC keys answer with a plain ``r || s`` ECDSA
signature over the challenge. DG15 carries :meth:`AaKey.public_key_info`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import univ
from pyasn1_modules import rfc3279, rfc5280

from nfc.crypto import HASHES
from nfc.oids import ECDSA_PLAIN_SIGNATURE_OIDS, ID_EC_PUBLIC_KEY, ID_PRIME_FIELD
from nfc.pki.keys import EXPLICIT_CURVES
from nfc.trust.active import ISO9796_HASH_IDS, TRAILER_IMPLICIT, normalize_hash_name

AaKind = Literal["rsa-1024", "rsa-1536", "rsa-2048", "ec-p256", "ec-p384", "ec-brainpoolP256r1", "ec-brainpoolP384r1"]
AaPrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_CURVES: dict[str, Callable[[], ec.EllipticCurve]] = {
    "ec-p256": ec.SECP256R1,
    "ec-p384": ec.SECP384R1,
    "ec-brainpoolP256r1": ec.BrainpoolP256R1,
    "ec-brainpoolP384r1": ec.BrainpoolP384R1,
}
_RSA_BITS = {"rsa-1024": 1024, "rsa-1536": 1536, "rsa-2048": 2048}


@dataclass(frozen=True)
class AaKey:
    """The chip's Active Authentication key pair and how it signs.

    ``hash_name`` defaults to SHA-1 for RSA (trailer ``BC``) and SHA-256 for ECDSA. For RSA, the trailer is
    implicit ``BC`` for SHA-1 and explicit ``<id> CC`` otherwise, unless ``implicit_trailer`` says so.
    ``rng`` supplies the 9796-2 nonce M1; inject it for exact tests.
    """

    private_key: AaPrivateKey
    hash_name: str | None = None
    implicit_trailer: bool | None = None
    rng: Callable[[int], bytes] = field(default=os.urandom, compare=False, repr=False)

    @classmethod
    def generate(cls, kind: AaKind = "rsa-1024", *, hash_name: str | None = None) -> AaKey:
        """A fresh key of ``kind`` (``"rsa-1024"`` ... ``"ec-brainpoolP256r1"``)."""
        if kind in _RSA_BITS:
            return cls(rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS[kind]), hash_name)
        if kind in _CURVES:
            return cls(ec.generate_private_key(_CURVES[kind]()), hash_name)
        raise ValueError(f"unknown Active Authentication key kind {kind!r}")

    @property
    def is_rsa(self) -> bool:
        return isinstance(self.private_key, rsa.RSAPrivateKey)

    @property
    def effective_hash_name(self) -> str:
        """The hash actually used: the configured one, else SHA-1 (RSA) or SHA-256 (ECDSA)."""
        if self.hash_name is not None:
            return normalize_hash_name(self.hash_name)
        return "sha1" if self.is_rsa else "sha256"

    @property
    def signature_algorithm_oid(self) -> str | None:
        """ActiveAuthenticationInfo.signatureAlgorithm for DG14 (ECDSA only; RSA needs no DG14 entry)."""
        return None if self.is_rsa else ECDSA_PLAIN_SIGNATURE_OIDS[self.effective_hash_name]

    def sign(self, challenge: bytes) -> bytes:
        """The INTERNAL AUTHENTICATE response to ``challenge`` (normally 8 bytes)."""
        challenge = bytes(challenge)
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self._sign_9796_2(self.private_key, challenge)
        der = self.private_key.sign(challenge, ec.ECDSA(HASHES[self.effective_hash_name]()))
        r, s = decode_dss_signature(der)
        size = (self.private_key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def _sign_9796_2(self, key: rsa.RSAPrivateKey, challenge: bytes) -> bytes:
        numbers = key.private_numbers()
        n = numbers.public_numbers.n
        if n.bit_length() % 8:
            raise ValueError("ISO/IEC 9796-2 signing here needs a modulus of a whole number of bytes")
        k = n.bit_length() // 8
        name = self.effective_hash_name
        implicit = self.implicit_trailer if self.implicit_trailer is not None else name == "sha1"
        trailer = bytes([TRAILER_IMPLICIT]) if implicit else bytes([ISO9796_HASH_IDS[name], 0xCC])
        digest_size = hashlib.new(name).digest_size
        m1 = self.rng(k - 1 - digest_size - len(trailer))
        f = b"\x6a" + m1 + hashlib.new(name, m1 + challenge).digest() + trailer
        # Plain RSA private operation with CRT; a simulator needs no blinding.
        c = int.from_bytes(f, "big")
        m_p = pow(c, numbers.dmp1, numbers.p)
        m_q = pow(c, numbers.dmq1, numbers.q)
        h = (numbers.iqmp * (m_p - m_q)) % numbers.p
        return (m_q + h * numbers.q).to_bytes(k, "big")

    def public_key_info(self, *, explicit_parameters: bool = False) -> bytes:
        """SubjectPublicKeyInfo DER, the content of DG15; EC keys may carry explicit domain parameters."""
        public = self.private_key.public_key()
        if not explicit_parameters or isinstance(public, rsa.RSAPublicKey):
            return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return _explicit_ec_spki(public)

    def to_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM, for restarting a simulated card. Test use only."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @classmethod
    def from_pem(cls, data: bytes, *, hash_name: str | None = None) -> AaKey:
        """Reload a key written by :meth:`to_pem`."""
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("Active Authentication keys are RSA or EC")
        return cls(key, hash_name)


def _explicit_ec_spki(public: ec.EllipticCurvePublicKey) -> bytes:
    curve = EXPLICIT_CURVES.get(public.curve.name)
    if curve is None:
        raise ValueError(f"no explicit parameters known for {public.curve.name}")
    size = (curve.p.bit_length() + 7) // 8
    params = rfc3279.ECParameters()
    params["version"] = 1
    params["fieldID"]["fieldType"] = univ.ObjectIdentifier(ID_PRIME_FIELD)
    params["fieldID"]["parameters"] = der_encoder.encode(univ.Integer(curve.p))
    params["curve"]["a"] = curve.a.to_bytes(size, "big")
    params["curve"]["b"] = curve.b.to_bytes(size, "big")
    params["base"] = b"\x04" + curve.gx.to_bytes(size, "big") + curve.gy.to_bytes(size, "big")
    params["order"] = curve.n
    params["cofactor"] = 1
    spki = rfc5280.SubjectPublicKeyInfo()
    spki["algorithm"]["algorithm"] = univ.ObjectIdentifier(ID_EC_PUBLIC_KEY)
    spki["algorithm"]["parameters"] = der_encoder.encode(params)
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    spki["subjectPublicKey"] = univ.BitString.fromOctetString(point)
    return der_encoder.encode(spki)
