"""Symmetric primitives of ICAO 9303-11: padding, key derivation, DES retail MAC, AES-CMAC, CBC helpers.

Everything here is a pure function of its inputs; the protocols (:mod:`nfc.bac`, :mod:`nfc.pace`,
:mod:`nfc.sm`) compose them. 3DES means two-key DESede (K1 || K2, K3 = K1) as eMRTDs use it.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

from nfc.errors import SecureMessagingError

DES_BLOCK = 8
AES_BLOCK = 16

KDF_ENC = 1
KDF_MAC = 2
KDF_PACE = 3

CIPHER_3DES = "DESede"
CIPHER_AES = "AES"

MAC_LENGTH = 8


# -- padding (ISO/IEC 9797-1 method 2) -------------------------------------------------------------

def pad(data: bytes, block_size: int = DES_BLOCK) -> bytes:
    """Append 0x80 then zeros up to a multiple of ``block_size`` (always adds at least one byte)."""
    out = data + b"\x80"
    return out + b"\x00" * (-len(out) % block_size)


def unpad(data: bytes) -> bytes:
    """Strip method-2 padding; a missing 0x80 marker is a secure-messaging failure."""
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise SecureMessagingError("bad padding in decrypted data")
    return stripped[:-1]


# -- key derivation (ICAO 9303-11 §9.7.1) ------------------------------------------------------------

def adjust_parity(key: bytes) -> bytes:
    """Set each byte's low bit so the byte has odd parity, as DES keys carry it."""
    out = bytearray(key)
    for i, b in enumerate(out):
        ones = bin(b >> 1).count("1")
        out[i] = (b & 0xFE) | (0 if ones % 2 else 1)
    return bytes(out)


def kdf(secret: bytes, counter: int, cipher: str = CIPHER_3DES, key_length: int = 16) -> bytes:
    """KDF(K, c): hash K || c (32-bit counter); SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256.

    ``counter`` is :data:`KDF_ENC`, :data:`KDF_MAC` or :data:`KDF_PACE`. 3DES keys come back as
    16 bytes (K1 || K2) with DES parity adjusted.
    """
    data = secret + counter.to_bytes(4, "big")
    if cipher == CIPHER_3DES:
        if key_length != 16:
            raise ValueError("3DES keys are 16 bytes (two-key DESede)")
        return adjust_parity(hashlib.sha1(data).digest()[:16])
    if cipher != CIPHER_AES:
        raise ValueError(f"unknown cipher {cipher!r}")
    if key_length == 16:
        return hashlib.sha1(data).digest()[:16]
    if key_length in (24, 32):
        return hashlib.sha256(data).digest()[:key_length]
    raise ValueError("AES keys are 16, 24 or 32 bytes")


def session_keys(shared_secret: bytes, cipher: str, key_length: int) -> tuple[bytes, bytes]:
    """(KSenc, KSmac) from a key agreement's shared secret (PACE, Chip Authentication; §9.7.1)."""
    return kdf(shared_secret, KDF_ENC, cipher, key_length), kdf(shared_secret, KDF_MAC, cipher, key_length)


# -- block ciphers -----------------------------------------------------------------------------------

def _des3_key(key: bytes) -> bytes:
    if len(key) == 16:
        return key + key[:8]
    if len(key) in (8, 24):
        return key
    raise ValueError("DES keys are 8, 16 or 24 bytes")


def _run(algorithm: object, mode: object, data: bytes, encrypt: bool) -> bytes:
    cipher = Cipher(algorithm, mode)  # type: ignore[arg-type]
    ctx = cipher.encryptor() if encrypt else cipher.decryptor()
    return ctx.update(data) + ctx.finalize()


def des3_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(DES_BLOCK)) -> bytes:
    """3DES-CBC without padding (``data`` must already be block aligned)."""
    return _run(TripleDES(_des3_key(key)), modes.CBC(iv), data, True)


def des3_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(DES_BLOCK)) -> bytes:
    return _run(TripleDES(_des3_key(key)), modes.CBC(iv), data, False)


def aes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(AES_BLOCK)) -> bytes:
    """AES-CBC without padding (``data`` must already be block aligned)."""
    return _run(algorithms.AES(key), modes.CBC(iv), data, True)


def aes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(AES_BLOCK)) -> bytes:
    return _run(algorithms.AES(key), modes.CBC(iv), data, False)


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    """One AES block, used for the secure-messaging IV E(KSenc, SSC)."""
    return _run(algorithms.AES(key), modes.ECB(), block, True)


# -- MACs --------------------------------------------------------------------------------------------

def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (DES, zero IV) over block-aligned ``data``; pad it first.

    Single-DES CBC under K1 over every block, then decrypt with K2 and encrypt with K1 on the last.
    """
    if len(key) != 16:
        raise ValueError("the retail MAC key is 16 bytes (K1 || K2)")
    if not data or len(data) % DES_BLOCK:
        raise ValueError("retail MAC input must be a non-empty multiple of 8 bytes; pad it first")
    k1 = key[:8]
    h = bytes(DES_BLOCK)
    if len(data) > DES_BLOCK:
        h = _run(TripleDES(k1 * 3), modes.CBC(h), data[:-DES_BLOCK], True)[-DES_BLOCK:]
    last = bytes(a ^ b for a, b in zip(h, data[-DES_BLOCK:], strict=True))
    return _run(TripleDES(key + k1), modes.ECB(), last, True)


def aes_cmac(key: bytes, data: bytes, length: int = MAC_LENGTH) -> bytes:
    """AES-CMAC (NIST SP 800-38B) truncated to ``length`` bytes (8 in eMRTD secure messaging)."""
    mac = CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()[:length]


# Hash and curve names as this library writes them, mapped to pyca/cryptography classes (one table for
# EF.SOD, Passive and Active Authentication, the trust store and the virtual chip).
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

EC_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "secp224r1": ec.SECP224R1,
    "secp256r1": ec.SECP256R1,
    "secp384r1": ec.SECP384R1,
    "secp521r1": ec.SECP521R1,
    "brainpoolP256r1": ec.BrainpoolP256R1,
    "brainpoolP384r1": ec.BrainpoolP384R1,
    "brainpoolP512r1": ec.BrainpoolP512R1,
}
