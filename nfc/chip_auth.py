"""Chip Authentication v1 (ICAO 9303-11 §6.2, BSI TR-03110), terminal side: the protocol, beside PACE and BAC.

The terminal draws an ephemeral key pair on the curve of the chip's static key (DG14), sends its public key,
and both sides derive new session keys from the ECDH shared secret; secure messaging then restarts on them
with SSC 0. AES variants: MSE:Set AT (``41 A4``: 80 protocol OID, 84 key id) then GENERAL AUTHENTICATE
``7C { 80 ephemeral public key }``; 3DES variants: MSE:Set KAT (``41 A6``: 91 key, 84 key id). Only a chip
holding the private key of DG14 can answer the next command under the new keys: that proof, and what it
means for trust, is :mod:`nfc.trust.chip`'s. The key agreement is plain ECDH through `cryptography` (no
point arithmetic is needed, unlike PACE's mapping). The chip side is :class:`nfc.sim.chip_auth_chip.ChipAuthChip`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.crypto import CIPHER_3DES, CIPHER_AES, EC_CURVES, session_keys
from nfc.errors import ApduError, NfcError, ParseError
from nfc.general_authenticate import TAG_DYNAMIC_AUTH, general_authenticate
from nfc.lds.security_infos import ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo, Dg14
from nfc.lds.tlv import encode_tlv, parse_all
from nfc.oids import ID_CA_DH_3DES, ID_CA_ECDH_3DES, ca_protocol_name, oid_bytes
from nfc.pki.keys import load_public_key
from nfc.sm import SecureMessaging
from nfc.transport import ApduSender

STEP = "chip_authentication"

MSE_SET_AT_CA_P1P2 = (0x41, 0xA4)  # set for internal authentication (computation)
MSE_SET_KAT_P1P2 = (0x41, 0xA6)  # key agreement template
TAG_PROTOCOL = 0x80
TAG_KEY_ID = 0x84
TAG_KAT_PUBLIC_KEY = 0x91
TAG_CA_EPHEMERAL_KEY = 0x80  # inside 7C


class ChipAuthenticationUnsupported(NfcError):
    """DG14 offers no Chip Authentication this library can run (no CA at all, DH, an unknown curve)."""

    message_key = "chip.unsupported"


@dataclass(frozen=True)
class ChipAuthenticationParameters:
    """What the terminal runs: the protocol from DG14 and the chip's static public key."""

    info: ChipAuthenticationInfo
    public_key_info: ChipAuthenticationPublicKeyInfo
    chip_key: ec.EllipticCurvePublicKey

    @property
    def protocol_name(self) -> str:
        return ca_protocol_name(self.info.protocol)

    @property
    def curve_name(self) -> str:
        return self.chip_key.curve.name

    @property
    def key_id(self) -> int | None:
        return self.info.key_id if self.info.key_id is not None else self.public_key_info.key_id


def key_id_bytes(key_id: int) -> bytes:
    """Content of DO84: the key id as an unsigned big-endian number, at least one byte."""
    if key_id < 0:
        raise ValueError("a key id is not negative")
    return key_id.to_bytes(max(1, (key_id.bit_length() + 7) // 8), "big")


# -- choosing what to run ---------------------------------------------------------------------------

def _pairs(dg14: Dg14) -> list[tuple[ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo]]:
    infos = [i for i in dg14.chip_authentication_infos if i.version == 1]
    keys = dg14.chip_authentication_public_keys
    if not infos and not dg14.chip_authentication_infos:
        # Early EAC chips list only the key: the protocol is then the 3DES one of its agreement (as JMRTD does).
        return [(ChipAuthenticationInfo(ID_CA_ECDH_3DES if k.agreement == "ECDH" else ID_CA_DH_3DES, 1, k.key_id), k)
                for k in keys]
    return [(info, key) for info in infos for key in keys
            if info.key_id is None or key.key_id is None or info.key_id == key.key_id]


def _strength(pair: tuple[ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo]) -> tuple[int, int]:
    return (1 if pair[0].cipher == CIPHER_AES else 0, pair[0].key_length)


def chip_authentication_parameters(dg14: Dg14) -> ChipAuthenticationParameters:
    """The strongest ECDH Chip Authentication DG14 offers; :class:`ChipAuthenticationUnsupported` otherwise."""
    if not dg14.chip_authentication_public_keys:
        if dg14.chip_authentication_infos:
            raise ChipAuthenticationUnsupported("DG14 announces Chip Authentication but holds no public key", step=STEP)
        raise ChipAuthenticationUnsupported("DG14 does not offer Chip Authentication", step=STEP)
    pairs = _pairs(dg14)
    if not pairs:
        versions = sorted({i.version for i in dg14.chip_authentication_infos})
        if 1 not in versions:
            raise ChipAuthenticationUnsupported(
                f"DG14 offers Chip Authentication version {', '.join(map(str, versions))}; only version 1 is "
                "supported", step=STEP)
        raise ChipAuthenticationUnsupported("no Chip Authentication public key in DG14 matches the key id of its "
                                            "ChipAuthenticationInfo", step=STEP)
    ecdh = [(i, k) for i, k in pairs if i.agreement == "ECDH" and k.agreement == "ECDH"]
    if not ecdh:
        names = ", ".join(sorted({ca_protocol_name(i.protocol) for i, _ in pairs}))
        raise ChipAuthenticationUnsupported(f"Chip Authentication with DH ({names}) is not supported; only ECDH",
                                            step=STEP)
    reasons = []
    for info, key in sorted(ecdh, key=_strength, reverse=True):
        try:
            return ChipAuthenticationParameters(info, key, _chip_key(key))
        except ChipAuthenticationUnsupported as exc:
            reasons.append(str(exc))
    raise ChipAuthenticationUnsupported("; ".join(reasons), step=STEP)


def _chip_key(key: ChipAuthenticationPublicKeyInfo) -> ec.EllipticCurvePublicKey:
    try:
        public = load_public_key(key.public_key_info)
    except ParseError as exc:
        raise ChipAuthenticationUnsupported(f"DG14's Chip Authentication key cannot be used: {exc}",
                                            step=STEP) from None
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise ChipAuthenticationUnsupported("DG14's ECDH Chip Authentication key is not an EC key", step=STEP)
    if public.curve.name not in EC_CURVES:
        raise ChipAuthenticationUnsupported(f"Chip Authentication on curve {public.curve.name} is not supported",
                                            step=STEP)
    return public


# -- key agreement ----------------------------------------------------------------------------------

def ephemeral_key(curve: ec.EllipticCurve, rng: Callable[[int], bytes] = os.urandom) -> ec.EllipticCurvePrivateKey:
    """A private key on ``curve`` from ``rng`` bytes (redrawn when out of range): deterministic under a test rng."""
    bits = curve.key_size
    while True:
        scalar = int.from_bytes(rng((bits + 7) // 8), "big") & ((1 << bits) - 1)
        try:
            return ec.derive_private_key(scalar, curve)
        except ValueError:  # zero, or not below the curve's order
            continue


def encode_public_key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    """The uncompressed point 04 || x || y."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def agree(private: ec.EllipticCurvePrivateKey, peer: ec.EllipticCurvePublicKey, info: ChipAuthenticationInfo
          ) -> SecureMessaging:
    """Secure messaging on the session keys of ECDH(private, peer) for ``info``'s cipher, SSC 0 (both sides)."""
    ks_enc, ks_mac = session_keys(private.exchange(ec.ECDH(), peer), info.cipher, info.key_length)
    return SecureMessaging(info.cipher, ks_enc, ks_mac, 0)


# -- APDUs ------------------------------------------------------------------------------------------

def mse_set_at_ca(info: ChipAuthenticationInfo, key_id: int | None) -> CommandApdu:
    """MSE:Set AT for Chip Authentication (AES): 80 protocol OID, optionally 84 key id."""
    data = encode_tlv(TAG_PROTOCOL, oid_bytes(info.protocol))
    if key_id is not None:
        data += encode_tlv(TAG_KEY_ID, key_id_bytes(key_id))
    return CommandApdu(0x00, INS.MSE, *MSE_SET_AT_CA_P1P2, data)


def mse_set_kat(ephemeral_public_key: bytes, key_id: int | None) -> CommandApdu:
    """MSE:Set KAT for Chip Authentication (3DES): 91 ephemeral public key, optionally 84 key id."""
    data = encode_tlv(TAG_KAT_PUBLIC_KEY, ephemeral_public_key)
    if key_id is not None:
        data += encode_tlv(TAG_KEY_ID, key_id_bytes(key_id))
    return CommandApdu(0x00, INS.MSE, *MSE_SET_KAT_P1P2, data)


def general_authenticate_ca(ephemeral_public_key: bytes) -> CommandApdu:
    """GENERAL AUTHENTICATE 00 86 00 00 with 7C { 80 ephemeral public key }, not chained."""
    return general_authenticate(encode_tlv(TAG_CA_EPHEMERAL_KEY, ephemeral_public_key), last=True)


def _expect_ok(resp: ResponseApdu, what: str) -> None:
    if resp.sw != SW.OK:
        raise ApduError(f"the chip refused {what}", resp.sw, step=STEP)


def _check_ga_answer(data: bytes) -> None:
    """CA v1 answers GENERAL AUTHENTICATE with an empty 7C (some chips send nothing at all)."""
    if not data:
        return
    try:
        objects = parse_all(data)
    except ParseError:
        objects = []
    if len(objects) != 1 or objects[0][0] != TAG_DYNAMIC_AUTH:
        raise ParseError("GENERAL AUTHENTICATE answer is not a 7C dynamic authentication data object", step=STEP)


# -- the protocol, terminal side --------------------------------------------------------------------

def perform_chip_authentication(sender: ApduSender, params: ChipAuthenticationParameters,
                                rng: Callable[[int], bytes] = os.urandom) -> SecureMessaging:
    """Run Chip Authentication v1 on ``sender`` (the secure channel of PACE or BAC) and return the secure
    messaging of the new session keys (SSC 0); the caller's session switches to it
    (:meth:`nfc.reader.ChipSession.authenticate_chip`).

    ``rng`` draws the ephemeral private key. A chip refusing a step raises :class:`~nfc.errors.ApduError`, a
    malformed answer :class:`~nfc.errors.ParseError`; secure messaging and transport errors propagate.
    """
    private = ephemeral_key(params.chip_key.curve, rng)
    public = encode_public_key(private)
    if params.info.cipher == CIPHER_3DES:
        _expect_ok(sender.send(mse_set_kat(public, params.key_id)), "MSE:Set KAT")
    else:
        _expect_ok(sender.send(mse_set_at_ca(params.info, params.key_id)), "MSE:Set AT for Chip Authentication")
        resp = sender.send(general_authenticate_ca(public))
        _expect_ok(resp, "GENERAL AUTHENTICATE")
        _check_ga_answer(resp.data)
    return agree(private, params.chip_key, params.info)
