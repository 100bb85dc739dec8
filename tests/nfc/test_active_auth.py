"""Active Authentication: the virtual chip signs a challenge, the terminal checks it against DG15's key."""

from __future__ import annotations

import functools
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization

from nfc.errors import ParseError
from nfc.pki.keys import load_public_key
from nfc.sim.active_auth import AaKey
from nfc.trust.active import ActiveAuthenticationError, normalize_hash_name, verify_active_authentication

CHALLENGE = bytes.fromhex("4608F91988702212")


@functools.cache
def rsa_key(bits: int = 1024) -> AaKey:
    return AaKey.generate(f"rsa-{bits}")  # type: ignore[arg-type]


def _representative(key: AaKey, signature: bytes) -> bytes:
    numbers = key.private_key.public_key().public_numbers()
    j = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n)
    return j.to_bytes(len(signature), "big")


def test_rsa_sha1_implicit_trailer() -> None:
    key = rsa_key()
    nonce = bytes(range(106))
    fixed = AaKey(key.private_key, rng=lambda n: nonce[:n])
    signature = fixed.sign(CHALLENGE)
    assert len(signature) == 128
    f = _representative(key, signature)
    assert f[0] == 0x6A and f[-1] == 0xBC
    assert f[1:107] == nonce  # M1: the recoverable nonce fills the block
    assert f[107:127] == hashlib.sha1(nonce + CHALLENGE).digest()
    assert fixed.sign(CHALLENGE) == signature  # deterministic with an injected RNG
    spki = key.public_key_info()
    assert verify_active_authentication(spki, CHALLENGE, signature)
    assert verify_active_authentication(spki, CHALLENGE, signature, "sha1")
    assert verify_active_authentication(spki, CHALLENGE, signature, "SHA-1")


@pytest.mark.parametrize("bits", [1024, 2048])
def test_rsa_sha256_explicit_trailer(bits: int) -> None:
    key = AaKey(rsa_key(bits).private_key, hash_name="sha256")
    signature = key.sign(CHALLENGE)
    f = _representative(key, signature)
    assert f[0] == 0x6A and f[-2:] == b"\x34\xcc"
    assert verify_active_authentication(key.public_key_info(), CHALLENGE, signature)
    # The explicit trailer names its own hash; a DG14 hint does not override it.
    assert verify_active_authentication(key.public_key_info(), CHALLENGE, signature, "sha1")


def test_rsa_sha256_implicit_trailer_is_found_without_a_hint() -> None:
    key = AaKey(rsa_key().private_key, hash_name="sha256", implicit_trailer=True)
    signature = key.sign(CHALLENGE)
    assert _representative(key, signature)[-1] == 0xBC
    assert verify_active_authentication(key.public_key_info(), CHALLENGE, signature)
    assert verify_active_authentication(key.public_key_info(), CHALLENGE, signature, "sha256")
    assert not verify_active_authentication(key.public_key_info(), CHALLENGE, signature, "sha1")


def test_rsa_accepts_n_minus_signature() -> None:
    """ISO/IEC 9796-2 lets the signer send min(s, n - s); (n - s)^e = n - J for odd e."""
    key = rsa_key()
    signature = key.sign(CHALLENGE)
    n = key.private_key.public_key().public_numbers().n
    other = (n - int.from_bytes(signature, "big")).to_bytes(128, "big")
    assert verify_active_authentication(key.public_key_info(), CHALLENGE, other)


@pytest.mark.parametrize(
    ("kind", "hash_name"),
    [("ec-p256", None), ("ec-brainpoolP256r1", None), ("ec-brainpoolP256r1", "sha384"), ("ec-p384", "sha512")],
)
def test_ecdsa(kind: str, hash_name: str | None) -> None:
    key = AaKey.generate(kind, hash_name=hash_name)  # type: ignore[arg-type]
    signature = key.sign(CHALLENGE)
    size = 48 if kind == "ec-p384" else 32
    assert len(signature) == 2 * size
    spki = key.public_key_info()
    assert verify_active_authentication(spki, CHALLENGE, signature, hash_name)
    assert verify_active_authentication(key.public_key_info(explicit_parameters=True), CHALLENGE, signature, hash_name)
    assert not verify_active_authentication(spki, CHALLENGE[::-1], signature, hash_name)
    assert key.signature_algorithm_oid is not None


def test_ecdsa_hash_from_dg14_oid() -> None:
    key = AaKey.generate("ec-p256", hash_name="sha384")
    signature = key.sign(CHALLENGE)
    assert key.signature_algorithm_oid == "0.4.0.127.0.7.1.1.4.1.4"
    assert verify_active_authentication(key.public_key_info(), CHALLENGE, signature, key.signature_algorithm_oid)
    assert not verify_active_authentication(key.public_key_info(), CHALLENGE, signature)  # default SHA-256


def test_explicit_brainpool_parameters_are_recognised() -> None:
    key = AaKey.generate("ec-brainpoolP256r1")
    loaded = load_public_key(key.public_key_info(explicit_parameters=True))
    assert loaded.curve.name == "brainpoolP256r1"


@pytest.mark.parametrize("kind", ["rsa", "ec-p256"])
def test_clone_key_fails(kind: str) -> None:
    genuine = rsa_key() if kind == "rsa" else AaKey.generate("ec-p256")
    clone = AaKey.generate("rsa-1024") if kind == "rsa" else AaKey.generate("ec-p256")
    signature = clone.sign(CHALLENGE)
    assert not verify_active_authentication(genuine.public_key_info(), CHALLENGE, signature)


@pytest.mark.parametrize("kind", ["rsa-sha1", "rsa-sha256", "ec"])
def test_tampered_signature_or_challenge_fails(kind: str) -> None:
    key = AaKey.generate("ec-p256") if kind == "ec" else AaKey(rsa_key().private_key, kind.split("-")[1])
    signature = key.sign(CHALLENGE)
    spki = key.public_key_info()
    for index in (0, len(signature) // 2, len(signature) - 1):
        tampered = bytearray(signature)
        tampered[index] ^= 0x01
        assert not verify_active_authentication(spki, CHALLENGE, bytes(tampered))
    assert not verify_active_authentication(spki, b"\x00" * 8, signature)
    assert not verify_active_authentication(spki, CHALLENGE, b"\xff" * len(signature))
    assert not verify_active_authentication(spki, CHALLENGE, b"\x00" * len(signature))


def test_malformed_key_or_signature_raises() -> None:
    key = rsa_key()
    signature = key.sign(CHALLENGE)
    with pytest.raises(ActiveAuthenticationError):
        verify_active_authentication(b"\x30\x03\x02\x01\x00", CHALLENGE, signature)
    with pytest.raises(ParseError):
        verify_active_authentication(b"", CHALLENGE, signature)
    with pytest.raises(ActiveAuthenticationError):
        verify_active_authentication(key.public_key_info(), CHALLENGE, signature[:-1])
    ec_key = AaKey.generate("ec-p256")
    with pytest.raises(ActiveAuthenticationError):
        verify_active_authentication(ec_key.public_key_info(), CHALLENGE, b"\x01" * 63)
    with pytest.raises(ActiveAuthenticationError):
        verify_active_authentication(ec_key.public_key_info(), CHALLENGE, ec_key.sign(CHALLENGE), "md5")


def test_ecdsa_der_signature_is_tolerated() -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    key = AaKey.generate("ec-p256")
    plain = key.sign(CHALLENGE)
    der = encode_dss_signature(int.from_bytes(plain[:32], "big"), int.from_bytes(plain[32:], "big"))
    assert verify_active_authentication(key.public_key_info(), CHALLENGE, der)


def test_keys_round_trip_through_pem() -> None:
    key = AaKey.generate("ec-brainpoolP256r1", hash_name="sha256")
    again = AaKey.from_pem(key.to_pem(), hash_name="sha256")
    assert again.public_key_info() == key.public_key_info()
    spki = serialization.load_der_public_key(key.public_key_info())
    assert spki.public_numbers() == key.private_key.public_key().public_numbers()


def test_hash_names() -> None:
    assert normalize_hash_name("SHA-256") == "sha256"
    assert normalize_hash_name("0.4.0.127.0.7.1.1.4.1.3") == "sha256"
    with pytest.raises(ActiveAuthenticationError):
        normalize_hash_name("ripemd160")
    with pytest.raises(ValueError):
        AaKey.generate("dsa-1024")  # type: ignore[arg-type]
