"""PACE (ICAO 9303-11 §4.4), ECDH with generic mapping, terminal side; plus the pieces the chip shares.

Steps: MSE:Set AT picks the protocol and the password; GENERAL AUTHENTICATE (chained) fetches the nonce
encrypted under Kπ, maps the generator (G' = s·G + H), agrees on a shared secret on G', and exchanges
authentication tokens (MACs over the other side's ephemeral public key). A wrong CAN or MRZ only shows
at the last step, when the chip's MAC check fails. The chip side is :class:`nfc.sim.pace_chip.PaceChip`.

Elliptic-curve arithmetic uses python-ecdsa, since pyca/cryptography does not expose point addition.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable

from ecdsa import curves as ec_curves
from ecdsa.ellipticcurve import INFINITY, PointJacobi

from nfc.access import AccessKey
from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.crypto import (
    AES_BLOCK,
    CIPHER_3DES,
    CIPHER_AES,
    DES_BLOCK,
    KDF_PACE,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_cmac,
    des3_cbc_decrypt,
    des3_cbc_encrypt,
    kdf,
    pad,
    retail_mac,
    session_keys,
)
from nfc.errors import AccessDeniedError, ApduError, NfcError, ParseError
from nfc.general_authenticate import general_authenticate, parse_dynamic_auth
from nfc.lds.security_infos import PaceInfo
from nfc.lds.tlv import encode_tlv
from nfc.oids import oid_bytes
from nfc.sm import SecureMessaging
from nfc.transport import ApduSender

Curve = ec_curves.Curve

# Curve names of nfc.oids.STANDARDIZED_DOMAIN_PARAMETERS -> python-ecdsa curves.
CURVES: dict[str, Curve] = {
    "secp192r1": ec_curves.NIST192p,
    "secp224r1": ec_curves.NIST224p,
    "secp256r1": ec_curves.NIST256p,
    "secp384r1": ec_curves.NIST384p,
    "secp521r1": ec_curves.NIST521p,
    "brainpoolP192r1": ec_curves.BRAINPOOLP192r1,
    "brainpoolP224r1": ec_curves.BRAINPOOLP224r1,
    "brainpoolP256r1": ec_curves.BRAINPOOLP256r1,
    "brainpoolP320r1": ec_curves.BRAINPOOLP320r1,
    "brainpoolP384r1": ec_curves.BRAINPOOLP384r1,
    "brainpoolP512r1": ec_curves.BRAINPOOLP512r1,
}

TAG_NONCE = 0x80
TAG_MAP_IFD = 0x81
TAG_MAP_IC = 0x82
TAG_EPH_IFD = 0x83
TAG_EPH_IC = 0x84
TAG_TOKEN_IFD = 0x85
TAG_TOKEN_IC = 0x86
TAG_PUBLIC_KEY = 0x7F49
TAG_OID = 0x06
TAG_EC_POINT = 0x86

MSE_SET_AT_P1P2 = (0xC1, 0xA4)

# Status words with which a chip turns the password down (6300 / 63Cx: wrong, x tries left).
REFUSAL_SWS = frozenset({0x6300, SW.SECURITY_STATUS_NOT_SATISFIED, SW.AUTH_METHOD_BLOCKED, 0x6984})


class PaceUnsupportedError(NfcError):
    """This PACE variant (DH, integrated or chip-authentication mapping, unknown curve) is not supported."""

    message_key = "chip.unsupported"


def is_refusal(sw: int) -> bool:
    """Whether ``sw`` means the chip refused the password."""
    return sw in REFUSAL_SWS or sw & 0xFFF0 == 0x63C0


# -- parameters -------------------------------------------------------------------------------------

def check_supported(info: PaceInfo) -> Curve:
    """The curve of a supported PACEInfo; :class:`PaceUnsupportedError` for anything else."""
    try:
        agreement, mapping = info.agreement, info.mapping
    except ValueError as exc:
        raise PaceUnsupportedError(str(exc), step="pace") from None
    if agreement != "ECDH" or mapping != "GM":
        raise PaceUnsupportedError(f"PACE {agreement} with {mapping} mapping is not supported", step="pace")
    name = info.curve
    if name is None or name not in CURVES:
        raise PaceUnsupportedError(f"PACE domain parameters {info.parameter_id} are not supported", step="pace")
    return CURVES[name]


def block_size(cipher: str) -> int:
    return DES_BLOCK if cipher == CIPHER_3DES else AES_BLOCK


# -- key derivation ---------------------------------------------------------------------------------

def password_key(key: AccessKey, cipher: str, key_length: int) -> bytes:
    """Kπ = KDF(π, 3): π is the CAN's ASCII digits, or SHA-1 of the MRZ information (G.1)."""
    return kdf(key.pace_password(), KDF_PACE, cipher, key_length)


def encrypt_nonce(k_pi: bytes, nonce: bytes, cipher: str) -> bytes:
    """z = E(Kπ, s), CBC with a zero IV."""
    if cipher == CIPHER_3DES:
        return des3_cbc_encrypt(k_pi, nonce)
    return aes_cbc_encrypt(k_pi, nonce)


def decrypt_nonce(k_pi: bytes, encrypted: bytes, cipher: str) -> bytes:
    """s = D(Kπ, z)."""
    if not encrypted or len(encrypted) % block_size(cipher):
        raise ParseError("the encrypted nonce is not a whole number of cipher blocks", step="pace.nonce")
    if cipher == CIPHER_3DES:
        return des3_cbc_decrypt(k_pi, encrypted)
    return aes_cbc_decrypt(k_pi, encrypted)


# -- curve arithmetic -------------------------------------------------------------------------------

def random_scalar(curve: Curve, rng: Callable[[int], bytes] = os.urandom) -> int:
    """A private key in [1, n-1]: rng bytes masked to the order's bit length, redrawn when out of range.

    Deterministic under an injected rng: feeding a valid private key's bytes returns that key.
    """
    n = curve.order
    bits = n.bit_length()
    while True:
        k = int.from_bytes(rng((bits + 7) // 8), "big") & ((1 << bits) - 1)
        if 1 <= k < n:
            return k


def field_length(curve: Curve) -> int:
    return (curve.curve.p().bit_length() + 7) // 8


def encode_point(point: PointJacobi, curve: Curve) -> bytes:
    """Uncompressed encoding 04 || x || y."""
    size = field_length(curve)
    return b"\x04" + point.x().to_bytes(size, "big") + point.y().to_bytes(size, "big")


def decode_point(data: bytes, curve: Curve) -> PointJacobi:
    """Decode an uncompressed point and check it lies on the curve (all supported curves have cofactor 1)."""
    size = field_length(curve)
    if len(data) != 1 + 2 * size or data[0] != 0x04:
        raise ParseError("public key is not an uncompressed point of the expected size", step="pace")
    x = int.from_bytes(data[1 : 1 + size], "big")
    y = int.from_bytes(data[1 + size :], "big")
    p = curve.curve.p()
    if not (0 <= x < p and 0 <= y < p) or not curve.curve.contains_point(x, y):
        raise ParseError("public key is not a point on the curve", step="pace")
    return PointJacobi(curve.curve, x, y, 1, curve.order)


def public_point(curve: Curve, private: int, base: PointJacobi | None = None) -> PointJacobi:
    """private · base (the curve's generator by default)."""
    return (base if base is not None else curve.generator) * private


def map_generator(nonce: bytes, private: int, peer_mapping_key: PointJacobi, curve: Curve) -> PointJacobi:
    """Generic mapping: G' = s·G + H with H = private · peer mapping key (§4.4.3.3.1)."""
    h = peer_mapping_key * private
    if h == INFINITY:
        raise ParseError("mapping produced the point at infinity", step="pace.map")
    g_hat = curve.generator * int.from_bytes(nonce, "big") + h
    if g_hat == INFINITY:
        raise ParseError("mapped generator is the point at infinity", step="pace.map")
    return g_hat


def shared_secret(private: int, peer: PointJacobi, curve: Curve) -> bytes:
    """ECDH: x coordinate of private · peer, left-padded to the field length."""
    point = peer * private
    if point == INFINITY:
        raise ParseError("key agreement produced the point at infinity", step="pace.key_agreement")
    return point.x().to_bytes(field_length(curve), "big")


# -- tokens -----------------------------------------------------------------------------------------

def public_key_data(oid: str, point: bytes) -> bytes:
    """7F49 { 06 protocol OID, 86 uncompressed point }: the input of the authentication token."""
    return encode_tlv(TAG_PUBLIC_KEY, encode_tlv(TAG_OID, oid_bytes(oid)) + encode_tlv(TAG_EC_POINT, point))


def authentication_token(ks_mac: bytes, oid: str, peer_point: bytes, cipher: str) -> bytes:
    """T = MAC(KSmac, public key data of the *other* side's ephemeral key), 8 bytes (§4.4.3.4)."""
    data = public_key_data(oid, peer_point)
    if cipher == CIPHER_3DES:
        return retail_mac(ks_mac, pad(data))
    if cipher == CIPHER_AES:
        return aes_cmac(ks_mac, data)
    raise ValueError(f"unknown cipher {cipher!r}")


# -- APDUs ------------------------------------------------------------------------------------------

def mse_set_at(info: PaceInfo, password_reference: int, *, send_parameter_id: bool = False) -> CommandApdu:
    """MSE:Set AT for PACE: 80 protocol OID, 83 password reference, optionally 84 domain parameter id."""
    data = encode_tlv(0x80, oid_bytes(info.protocol)) + encode_tlv(0x83, bytes([password_reference]))
    if send_parameter_id and info.parameter_id is not None:
        data += encode_tlv(0x84, bytes([info.parameter_id]))
    return CommandApdu(0x00, INS.MSE, *MSE_SET_AT_P1P2, data)


def _exchange(sender: ApduSender, payload: bytes, expect: int, step: str, *, last: bool = False) -> bytes:
    resp: ResponseApdu = sender.send(general_authenticate(payload, last=last))
    if is_refusal(resp.sw):
        raise AccessDeniedError("the chip refused the PACE password", step=step, sw=resp.sw)
    if not resp.ok:
        raise ApduError("GENERAL AUTHENTICATE failed", resp.sw, step=step)
    try:
        objects = parse_dynamic_auth(resp.data)
    except ParseError as exc:
        raise ParseError(exc.args[0], step=step) from None
    if expect not in objects:
        raise ParseError(f"GENERAL AUTHENTICATE answer lacks tag {expect:02X}", step=step)
    return objects[expect]


# -- the protocol, terminal side --------------------------------------------------------------------

def perform_pace(sender: ApduSender, key: AccessKey, info: PaceInfo, rng: Callable[[int], bytes] = os.urandom,
                 *, send_parameter_id: bool = False) -> SecureMessaging:
    """Run PACE-ECDH-GM and return the terminal's secure messaging (SSC 0).

    ``rng`` is asked for the mapping private key, then the ephemeral private key (see
    :func:`random_scalar`). A wrong password raises :class:`~nfc.errors.AccessDeniedError`, as does a
    chip token that does not verify.
    """
    curve = check_supported(info)
    cipher, key_length, oid = info.cipher, info.key_length, info.protocol

    resp = sender.send(mse_set_at(info, key.password_reference, send_parameter_id=send_parameter_id))
    if not (resp.ok or (resp.sw & 0xFFF0 == 0x63C0 and resp.sw & 0x0F)):
        if is_refusal(resp.sw):
            raise AccessDeniedError("the chip refused the PACE password", step="pace.mse_set_at", sw=resp.sw)
        raise ApduError("MSE:Set AT for PACE refused", resp.sw, step="pace.mse_set_at")

    k_pi = password_key(key, cipher, key_length)
    nonce = decrypt_nonce(k_pi, _exchange(sender, b"", TAG_NONCE, "pace.nonce"), cipher)

    sk_map = random_scalar(curve, rng)
    pk_map = encode_point(public_point(curve, sk_map), curve)
    pk_map_ic = decode_point(_exchange(sender, encode_tlv(TAG_MAP_IFD, pk_map), TAG_MAP_IC, "pace.map"), curve)
    g_hat = map_generator(nonce, sk_map, pk_map_ic, curve)

    sk_eph = random_scalar(curve, rng)
    pk_eph = encode_point(public_point(curve, sk_eph, g_hat), curve)
    pk_eph_ic_raw = _exchange(sender, encode_tlv(TAG_EPH_IFD, pk_eph), TAG_EPH_IC, "pace.key_agreement")
    pk_eph_ic = decode_point(pk_eph_ic_raw, curve)
    if pk_eph_ic_raw == pk_eph:
        raise AccessDeniedError("the chip echoed the terminal's ephemeral key", step="pace.key_agreement")
    ks_enc, ks_mac = session_keys(shared_secret(sk_eph, pk_eph_ic, curve), cipher, key_length)

    token = authentication_token(ks_mac, oid, pk_eph_ic_raw, cipher)
    chip_token = _exchange(sender, encode_tlv(TAG_TOKEN_IFD, token), TAG_TOKEN_IC, "pace.mutual_auth", last=True)
    expected = authentication_token(ks_mac, oid, pk_eph, cipher)
    if not hmac.compare_digest(expected, chip_token):
        raise AccessDeniedError("the chip's token did not verify", step="pace.mutual_auth")
    return SecureMessaging(cipher, ks_enc, ks_mac, 0)
