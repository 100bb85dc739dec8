"""Active Authentication, terminal side (ICAO 9303-11 §6.1): is the chip holding the private key of DG15?

The terminal sends an 8-byte challenge with INTERNAL AUTHENTICATE; the chip answers with either an RSA
signature under ISO/IEC 9796-2 digital signature scheme 1 (partial message recovery: the recovered part M1 is
a chip nonce, the non-recoverable part M2 is the challenge) or an ECDSA signature in plain ``r || s`` form.
A signature that does not verify (a clone, a wrong key, tampering) gives ``False``; a key or signature that
cannot even be read raises :class:`ActiveAuthenticationError`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from nfc.crypto import HASHES
from nfc.errors import ApduError, ParseError
from nfc.lds.dg15 import Dg15
from nfc.oids import AA_SIGNATURE_ALGORITHMS
from nfc.pki.keys import load_public_key
from nfc.trust import CheckResult, CheckStatus

_STEP = "active_authentication"


class ActiveAuthenticationError(ParseError):
    """The DG15 public key or the chip's INTERNAL AUTHENTICATE answer is malformed or unsupported."""

    message_key = "chip.active_auth_malformed"


#: ISO/IEC 10118-3 hash identifiers, as in the two-byte 9796-2 trailer ``<id> CC``.
ISO9796_HASH_IDS: dict[str, int] = {
    "sha1": 0x33,
    "sha256": 0x34,
    "sha512": 0x35,
    "sha384": 0x36,
    "sha224": 0x38,
}
_HASH_BY_ID = {value: name for name, value in ISO9796_HASH_IDS.items()}
TRAILER_IMPLICIT = 0xBC

_IMPLICIT_CANDIDATES = ("sha1", "sha256", "sha224", "sha384", "sha512")


def normalize_hash_name(name: str) -> str:
    """``"SHA-256"``, ``"SHA256"``, ``"sha256"`` or a DG14 signature algorithm OID -> ``"sha256"``."""
    if name in AA_SIGNATURE_ALGORITHMS:
        return AA_SIGNATURE_ALGORITHMS[name]
    normalized = name.lower().replace("-", "").replace("_", "")
    if normalized not in HASHES:
        raise ActiveAuthenticationError(f"unsupported hash algorithm {name!r}", step=_STEP)
    return normalized


def verify_active_authentication(
    public_key_info: bytes, challenge: bytes, signature: bytes, hash_name: str | None = None
) -> bool:
    """Whether ``signature`` is the chip's answer to ``challenge`` under the DG15 key ``public_key_info``.

    ``hash_name`` comes from DG14's ActiveAuthenticationInfo: it selects the ECDSA hash (default SHA-256)
    and, for RSA with the implicit trailer ``BC``, the hash (default: SHA-1, then the SHA-2 family are
    tried). An explicit 9796-2 trailer names its own hash.
    """
    try:
        key = load_public_key(public_key_info)
    except ParseError as exc:
        raise ActiveAuthenticationError(f"unreadable Active Authentication public key: {exc}", step=_STEP) from None
    wanted = normalize_hash_name(hash_name) if hash_name is not None else None
    if isinstance(key, rsa.RSAPublicKey):
        return _verify_rsa(key, bytes(challenge), bytes(signature), wanted)
    return _verify_ecdsa(key, bytes(challenge), bytes(signature), wanted or "sha256")


def _verify_ecdsa(key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes, hash_name: str) -> bool:
    size = (key.curve.key_size + 7) // 8
    if len(signature) == 2 * size:
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
    elif signature[:1] == b"\x30":  # some chips answer with a DER ECDSA-Sig-Value
        try:
            r, s = decode_dss_signature(signature)
        except ValueError as exc:
            raise ActiveAuthenticationError("malformed ECDSA signature", step=_STEP) from exc
    else:
        raise ActiveAuthenticationError(f"ECDSA signature is {len(signature)} bytes, expected {2 * size}", step=_STEP)
    if r <= 0 or s <= 0:
        return False
    try:
        key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(HASHES[hash_name]()))
    except InvalidSignature:
        return False
    return True


def _verify_rsa(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes, hash_name: str | None) -> bool:
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        raise ActiveAuthenticationError(f"RSA signature is {len(signature)} bytes, expected {k}", step=_STEP)
    s = int.from_bytes(signature, "big")
    if not 0 < s < n:
        return False
    j = pow(s, e, n)
    # ISO/IEC 9796-2 lets the chip send min(J, n - J); the right representative ends in nibble C.
    return any(
        candidate & 0x0F == 0x0C and _check_9796_2_representative(candidate.to_bytes(k, "big"), challenge, hash_name)
        for candidate in (j, n - j)
    )


def _check_9796_2_representative(f: bytes, challenge: bytes, hash_name: str | None) -> bool:
    k = len(f)
    if f[0] & 0xC0 != 0x40:  # header '01'
        return False
    partial = bool(f[0] & 0x20)  # ICAO chips use partial recovery: M2 (the challenge) is not in F
    if f[-1] == TRAILER_IMPLICIT:
        trailer_length = 1
        candidates: tuple[str, ...] = (hash_name,) if hash_name is not None else _IMPLICIT_CANDIDATES
    elif f[-1] == 0xCC and f[-2] in _HASH_BY_ID:
        trailer_length = 2
        candidates = (_HASH_BY_ID[f[-2]],)
    else:
        return False
    low = f[0] & 0x0F
    if low == 0x0A:
        start = 1
    elif low == 0x0B:  # padding nibbles B...B A before M1
        start = 1
        while start < k and f[start] == 0xBB:
            start += 1
        if start >= k or f[start] != 0xBA:
            return False
        start += 1
    else:
        return False
    for name in candidates:
        digest_size = hashlib.new(name).digest_size
        end = k - trailer_length - digest_size
        if end < start:
            continue
        m1 = f[start:end]
        if not partial and not hmac.compare_digest(m1, challenge):
            continue
        expected = hashlib.new(name, m1 + challenge if partial else m1).digest()
        if hmac.compare_digest(expected, f[end : k - trailer_length]):
            return True
    return False


def check_active_authentication(sign: Callable[[bytes], bytes], dg15: Dg15, hash_name: str | None,
                                rng: Callable[[int], bytes]) -> CheckResult:
    """Active Authentication as a trust check: ``sign`` (the chip's INTERNAL AUTHENTICATE) answers a fresh
    8-byte challenge from ``rng``, checked under DG15's key; ``hash_name`` is DG14's signature algorithm.

    ``valid`` when the signature verifies, ``invalid`` when it does not (a clone), the chip refuses to sign
    or its answer cannot be read. A chip with DG15 that will not sign is not the chip DG15 describes.
    """
    challenge = rng(8)
    try:
        genuine = verify_active_authentication(dg15.public_key_info, challenge, sign(challenge), hash_name)
    except ApduError as exc:
        return CheckResult(CheckStatus.INVALID, f"the chip refused INTERNAL AUTHENTICATE: {exc}")
    except ActiveAuthenticationError as exc:
        return CheckResult(CheckStatus.INVALID, f"the chip's answer cannot be checked: {exc}")
    if genuine:
        return CheckResult(CheckStatus.VALID, "the chip signed a fresh challenge with the DG15 key")
    return CheckResult(CheckStatus.INVALID, "the chip's signature does not verify with the DG15 key (possible clone)")
