"""Chip Authentication v1, terminal side (ICAO 9303-11 §6.2): is the chip holding the private key of DG14?

The terminal sends an ephemeral ECDH public key under the running secure messaging; both sides agree on
K = x(sk_ifd · PK_chip) = x(SK_chip · pk_ifd) and derive new session keys KSenc = KDF(K, 1), KSmac = KDF(K, 2)
with the cipher of the CA protocol. Secure messaging restarts on those keys with SSC 0. The proof is
implicit: only a chip that knows the private key of DG14's ChipAuthenticationPublicKeyInfo can produce a
response whose MAC verifies under the new keys, so the terminal sends one more protected command (SELECT
EF.COM) and checks its answer.

3DES variants use MSE:Set KAT (``00 22 41 A6``, DO91 ephemeral key, DO84 key id); AES variants use MSE:Set AT
(``00 22 41 A4``, DO80 protocol OID, DO84 key id) then GENERAL AUTHENTICATE (``7C { 80 ephemeral key }``).
Only ECDH is supported (CCCD announces id-CA-ECDH-AES-CBC-CMAC-128); DH keys report ``not_supported``.
The curve arithmetic, key derivation and OID encoding are those of :mod:`nfc.pace`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from ecdsa.ellipticcurve import PointJacobi

from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.crypto import CIPHER_3DES, CIPHER_AES
from nfc.errors import ApduError, NfcError, ParseError, SecureMessagingError
from nfc.lds import EF_COM
from nfc.lds.security_infos import ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo, Dg14
from nfc.oids import ID_CA
from nfc.pace import (
    CURVES,
    TAG_DYNAMIC_AUTH,
    Curve,
    decode_point,
    encode_point,
    general_authenticate,
    oid_bytes,
    public_point,
    random_scalar,
    session_keys,
    shared_secret,
)
from nfc.sm import SecureChannel, SecureMessaging, encode_do, parse_dos
from nfc.trust import INVALID, NOT_SUPPORTED, VALID, CheckResult
from nfc.trust.active import ActiveAuthenticationError, load_public_key

if TYPE_CHECKING:
    from nfc.reader import ChipSession

_STEP = "chip_authentication"

ID_CA_DH = ID_CA + ".1"
ID_CA_ECDH = ID_CA + ".2"
ID_CA_DH_3DES = ID_CA_DH + ".1"
ID_CA_ECDH_3DES = ID_CA_ECDH + ".1"
ID_CA_ECDH_AES_128 = ID_CA_ECDH + ".2"
ID_CA_ECDH_AES_192 = ID_CA_ECDH + ".3"
ID_CA_ECDH_AES_256 = ID_CA_ECDH + ".4"

CA_PROTOCOL_NAMES: dict[str, str] = {
    ID_CA_ECDH_3DES: "id-CA-ECDH-3DES-CBC-CBC",
    ID_CA_ECDH_AES_128: "id-CA-ECDH-AES-CBC-CMAC-128",
    ID_CA_ECDH_AES_192: "id-CA-ECDH-AES-CBC-CMAC-192",
    ID_CA_ECDH_AES_256: "id-CA-ECDH-AES-CBC-CMAC-256",
    ID_CA_DH_3DES: "id-CA-DH-3DES-CBC-CBC",
    ID_CA_DH + ".2": "id-CA-DH-AES-CBC-CMAC-128",
    ID_CA_DH + ".3": "id-CA-DH-AES-CBC-CMAC-192",
    ID_CA_DH + ".4": "id-CA-DH-AES-CBC-CMAC-256",
}

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
    """What the terminal runs: the protocol from DG14 and the chip's static public key on its curve."""

    info: ChipAuthenticationInfo
    public_key: ChipAuthenticationPublicKeyInfo
    curve_name: str
    curve: Curve
    point: PointJacobi

    @property
    def protocol_name(self) -> str:
        return CA_PROTOCOL_NAMES.get(self.info.protocol, self.info.protocol)

    @property
    def key_id(self) -> int | None:
        return self.info.key_id if self.info.key_id is not None else self.public_key.key_id


def protocol_name(oid: str) -> str:
    return CA_PROTOCOL_NAMES.get(oid, oid)


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
    pairs = []
    for info in infos:
        for key in keys:
            if info.key_id is None or key.key_id is None or info.key_id == key.key_id:
                pairs.append((info, key))
    return pairs


def _rank(pair: tuple[ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo]) -> tuple[int, int]:
    info = pair[0]
    return (1 if info.cipher == CIPHER_AES else 0, info.key_length)


def chip_authentication_parameters(dg14: Dg14) -> ChipAuthenticationParameters:
    """The strongest ECDH Chip Authentication DG14 offers; :class:`ChipAuthenticationUnsupported` otherwise."""
    if not dg14.chip_authentication_public_keys:
        if dg14.chip_authentication_infos:
            raise ChipAuthenticationUnsupported("DG14 announces Chip Authentication but holds no public key",
                                                step=_STEP)
        raise ChipAuthenticationUnsupported("DG14 does not offer Chip Authentication", step=_STEP)
    pairs = _pairs(dg14)
    if not pairs:
        versions = sorted({i.version for i in dg14.chip_authentication_infos})
        if 1 not in versions:
            raise ChipAuthenticationUnsupported(
                f"DG14 offers Chip Authentication version {', '.join(map(str, versions))}; only version 1 is "
                "supported", step=_STEP)
        raise ChipAuthenticationUnsupported("no Chip Authentication public key in DG14 matches the key id of its "
                                            "ChipAuthenticationInfo", step=_STEP)
    ecdh = [(i, k) for i, k in pairs if i.agreement == "ECDH" and k.agreement == "ECDH"]
    if not ecdh:
        names = ", ".join(sorted({protocol_name(i.protocol) for i, _ in pairs}))
        raise ChipAuthenticationUnsupported(f"Chip Authentication with DH ({names}) is not supported; only ECDH",
                                            step=_STEP)
    reasons = []
    for info, key in sorted(ecdh, key=_rank, reverse=True):
        try:
            name, curve, point = _chip_point(key)
        except ChipAuthenticationUnsupported as exc:
            reasons.append(str(exc))
            continue
        return ChipAuthenticationParameters(info, key, name, curve, point)
    raise ChipAuthenticationUnsupported("; ".join(reasons), step=_STEP)


def _chip_point(key: ChipAuthenticationPublicKeyInfo) -> tuple[str, Curve, PointJacobi]:
    try:
        public = load_public_key(key.public_key_info)
    except ActiveAuthenticationError as exc:
        message = str(exc).replace("Active Authentication", "Chip Authentication")
        raise ChipAuthenticationUnsupported(f"DG14's Chip Authentication key cannot be used: {message}",
                                            step=_STEP) from None
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise ChipAuthenticationUnsupported("DG14's ECDH Chip Authentication key is not an EC key", step=_STEP)
    name = public.curve.name
    if name not in CURVES:
        raise ChipAuthenticationUnsupported(f"Chip Authentication on curve {name} is not supported", step=_STEP)
    curve = CURVES[name]
    raw = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return name, curve, decode_point(raw, curve)


# -- APDUs ------------------------------------------------------------------------------------------

def mse_set_at_ca(info: ChipAuthenticationInfo, key_id: int | None) -> CommandApdu:
    """MSE:Set AT for Chip Authentication (AES): 80 protocol OID, optionally 84 key id."""
    data = encode_do(TAG_PROTOCOL, oid_bytes(info.protocol))
    if key_id is not None:
        data += encode_do(TAG_KEY_ID, key_id_bytes(key_id))
    return CommandApdu(0x00, INS.MSE, *MSE_SET_AT_CA_P1P2, data)


def mse_set_kat(ephemeral_public_key: bytes, key_id: int | None) -> CommandApdu:
    """MSE:Set KAT for Chip Authentication (3DES): 91 ephemeral public key, optionally 84 key id."""
    data = encode_do(TAG_KAT_PUBLIC_KEY, ephemeral_public_key)
    if key_id is not None:
        data += encode_do(TAG_KEY_ID, key_id_bytes(key_id))
    return CommandApdu(0x00, INS.MSE, *MSE_SET_KAT_P1P2, data)


def general_authenticate_ca(ephemeral_public_key: bytes) -> CommandApdu:
    """GENERAL AUTHENTICATE 00 86 00 00 with 7C { 80 ephemeral public key }, not chained."""
    return general_authenticate(encode_do(TAG_CA_EPHEMERAL_KEY, ephemeral_public_key), last=True)


def _expect_ok(resp: ResponseApdu, what: str) -> None:
    if resp.sw != SW.OK:
        raise ApduError(f"the chip refused {what}", resp.sw, step=_STEP)


def _check_ga_answer(data: bytes) -> None:
    """CA v1 answers GENERAL AUTHENTICATE with an empty 7C (some chips send nothing at all)."""
    if not data:
        return
    try:
        objects = parse_dos(data)
    except ParseError:
        objects = []
    if len(objects) != 1 or objects[0][0] != TAG_DYNAMIC_AUTH:
        raise ParseError("GENERAL AUTHENTICATE answer is not a 7C dynamic authentication data object", step=_STEP)


# -- the protocol, terminal side --------------------------------------------------------------------

def perform_chip_authentication(session: ChipSession, dg14: Dg14, *,
                                rng: Callable[[int], bytes] = os.urandom,
                                proof: Callable[[], object] | None = None) -> CheckResult:
    """Run Chip Authentication v1 on an opened :class:`~nfc.reader.ChipSession` and switch it to the new keys.

    ``session.sender`` must be the :class:`~nfc.sm.SecureChannel` left by PACE or BAC; on success it is
    replaced by a new one on ``session.channel`` with the Chip Authentication session keys and SSC 0, so
    every later read runs on them. ``rng`` draws the terminal's ephemeral private key. ``proof`` is the
    first protected exchange on the new keys (by default SELECT EF.COM); a reader that needs one anyway
    (the next file's first read) passes it to save an APDU. Errors it raises other than a secure
    messaging failure propagate.

    Returns ``valid`` when the chip's answer under the new keys verifies, ``invalid`` when the chip refuses
    the protocol or cannot prove its key (the secure session is then gone: open the chip again to read on),
    ``not_supported`` when DG14 offers no Chip Authentication this library runs (the session is untouched).
    Transport failures (card removed) propagate as :class:`~nfc.errors.TransportError`.
    """
    try:
        params = chip_authentication_parameters(dg14)
    except ChipAuthenticationUnsupported as exc:
        return CheckResult(NOT_SUPPORTED, str(exc))
    sender = session.sender
    if not isinstance(sender, SecureChannel):
        raise NfcError("Chip Authentication needs the secure messaging of PACE or BAC; open the chip first",
                       step=_STEP)
    info, curve = params.info, params.curve
    what = f"{params.protocol_name} on {params.curve_name}"

    sk = random_scalar(curve, rng)
    pk = encode_point(public_point(curve, sk), curve)
    ks_enc, ks_mac = session_keys(shared_secret(sk, params.point, curve), info.cipher, info.key_length)

    try:
        if info.cipher == CIPHER_3DES:
            _expect_ok(sender.send(mse_set_kat(pk, params.key_id)), "MSE:Set KAT")
        else:
            _expect_ok(sender.send(mse_set_at_ca(info, params.key_id)), "MSE:Set AT for Chip Authentication")
            resp = sender.send(general_authenticate_ca(pk))
            _expect_ok(resp, "GENERAL AUTHENTICATE")
            _check_ga_answer(resp.data)
    except ApduError as exc:  # a chip whose signed DG14 offers CA but will not run it is not that chip
        return CheckResult(INVALID, f"Chip Authentication ({what}): {exc}")
    except SecureMessagingError as exc:
        return CheckResult(INVALID, f"Chip Authentication ({what}): secure messaging broke before the key "
                                    f"switch: {exc}")
    except ParseError as exc:
        return CheckResult(INVALID, f"Chip Authentication ({what}): {exc}")

    new = SecureChannel(session.channel, SecureMessaging(info.cipher, ks_enc, ks_mac, 0))
    session.sender = new
    try:
        if proof is not None:
            proof()
            status = ""
        else:
            resp = new.send(CommandApdu(0x00, INS.SELECT, 0x02, 0x0C, EF_COM.fid.to_bytes(2, "big")))
            status = "" if resp.sw == SW.OK else f" (it answered SW {resp.sw:04X} to SELECT EF.COM)"
    except SecureMessagingError as exc:
        return CheckResult(INVALID, f"the chip could not prove its Chip Authentication key ({what}): its answer "
                                    f"under the new session keys does not verify ({exc}); possible clone")
    return CheckResult(VALID, f"the chip proved the DG14 key with {what}: its answer under the new session "
                              f"keys verifies{status}; secure messaging continues on those keys")


__all__ = [
    "CA_PROTOCOL_NAMES", "ChipAuthenticationParameters", "ChipAuthenticationUnsupported", "ID_CA_DH_3DES",
    "ID_CA_ECDH_3DES", "ID_CA_ECDH_AES_128", "ID_CA_ECDH_AES_192", "ID_CA_ECDH_AES_256", "MSE_SET_AT_CA_P1P2",
    "MSE_SET_KAT_P1P2", "chip_authentication_parameters", "general_authenticate_ca", "key_id_bytes",
    "mse_set_at_ca", "mse_set_kat", "perform_chip_authentication",
]
