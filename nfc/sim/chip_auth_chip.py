"""The chip side of Chip Authentication v1 (ICAO 9303-11 §6.2, ECDH) for the virtual card.

AES variants: MSE:Set AT (``41 A4``: 80 protocol OID, 84 key id) arms the protocol, then GENERAL
AUTHENTICATE ``7C { 80 terminal ephemeral key }`` is answered with an empty ``7C``. 3DES variants: MSE:Set
KAT (``41 A6``: 91 terminal ephemeral key, 84 key id) answered with 9000. Either way the chip computes
K = x(SK_chip · PK_ifd) and the new session keys, and sets :attr:`ChipAuthChip.session`; the card protects
this very answer with the *old* keys and only then switches (see :class:`nfc.sim.card.VirtualCccd`).
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.chip_auth import (
    MSE_SET_AT_CA_P1P2,
    MSE_SET_KAT_P1P2,
    TAG_CA_EPHEMERAL_KEY,
    TAG_KAT_PUBLIC_KEY,
    TAG_KEY_ID,
    TAG_PROTOCOL,
    agree,
    key_id_bytes,
)
from nfc.crypto import CIPHER_3DES, EC_CURVES
from nfc.errors import NfcError, ParseError
from nfc.general_authenticate import TAG_DYNAMIC_AUTH, parse_dynamic_auth
from nfc.lds.security_infos import ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo
from nfc.lds.tlv import encode_tlv, parse_all
from nfc.oids import ID_PK_ECDH, oid_bytes
from nfc.sm import SecureMessaging

SW_REFERENCE_NOT_FOUND = 0x6A88


def generate_ca_key(curve: str = "brainpoolP256r1") -> ec.EllipticCurvePrivateKey:
    """A fresh static Chip Authentication key pair on ``curve``."""
    if curve not in EC_CURVES:
        raise ValueError(f"unsupported Chip Authentication curve {curve!r}")
    return ec.generate_private_key(EC_CURVES[curve]())


def ca_public_key_info(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey,
                       key_id: int | None = None) -> ChipAuthenticationPublicKeyInfo:
    """DG14's ChipAuthenticationPublicKeyInfo (id-PK-ECDH, SubjectPublicKeyInfo with the named curve)."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, key_id)


def _error(sw: int) -> ResponseApdu:
    return ResponseApdu(b"", sw)


class ChipAuthChip:
    """Answers Chip Authentication v1 with ``private_key`` for the ECDH protocols of ``infos``.

    ``session`` is set when the key agreement is done: the card must protect the current answer with the old
    keys, then take ``session`` (SSC 0) and clear it. Protection and access rules (secure messaging, selected
    application) are the card's job.
    """

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, infos: Iterable[ChipAuthenticationInfo]) -> None:
        if private_key.curve.name not in EC_CURVES:
            raise ValueError(f"unsupported Chip Authentication curve {private_key.curve.name!r}")
        self._key = private_key
        self.infos = [i for i in infos if i.agreement == "ECDH"]
        self.session: SecureMessaging | None = None
        self._armed: ChipAuthenticationInfo | None = None

    def handles(self, cmd: CommandApdu) -> bool:
        """MSE:Set AT (41 A4) / Set KAT (41 A6) always; GENERAL AUTHENTICATE only after MSE:Set AT for CA."""
        if cmd.ins == INS.MSE:
            return (cmd.p1, cmd.p2) in (MSE_SET_AT_CA_P1P2, MSE_SET_KAT_P1P2)
        return cmd.ins == INS.GENERAL_AUTHENTICATE and self._armed is not None

    def abort(self) -> None:
        """Forget a pending MSE:Set AT (another protocol's MSE, a new session)."""
        self._armed = None

    def handle(self, cmd: CommandApdu) -> ResponseApdu:
        try:
            if cmd.ins == INS.MSE and (cmd.p1, cmd.p2) == MSE_SET_AT_CA_P1P2:
                return self._mse_set_at(cmd)
            if cmd.ins == INS.MSE and (cmd.p1, cmd.p2) == MSE_SET_KAT_P1P2:
                return self._mse_set_kat(cmd)
            if cmd.ins == INS.GENERAL_AUTHENTICATE:
                return self._general_authenticate(cmd)
        except NfcError:
            self.abort()
            return _error(SW.WRONG_DATA)
        return _error(SW.INS_NOT_SUPPORTED)

    # -- steps ------------------------------------------------------------------------------------
    def _find(self, objects: dict[int, bytes], *, des: bool, oid: bytes | None = None) -> ChipAuthenticationInfo | None:
        key_id = objects.get(TAG_KEY_ID)
        for info in self.infos:
            if (info.cipher == CIPHER_3DES) != des:
                continue
            if oid is not None and oid_bytes(info.protocol) != oid:
                continue
            if key_id is not None and info.key_id is not None and key_id != key_id_bytes(info.key_id):
                continue
            return info
        return None

    def _mse_set_at(self, cmd: CommandApdu) -> ResponseApdu:
        self.abort()
        self.session = None
        objects = _objects(cmd.data)
        oid = objects.get(TAG_PROTOCOL)
        if oid is None:
            return _error(SW.WRONG_DATA)
        info = self._find(objects, des=False, oid=oid)
        if info is None:  # unknown protocol, a 3DES one (those use MSE:Set KAT), or another key id
            return _error(SW_REFERENCE_NOT_FOUND)
        self._armed = info
        return ResponseApdu(b"", SW.OK)

    def _general_authenticate(self, cmd: CommandApdu) -> ResponseApdu:
        info, self._armed = self._armed, None
        assert info is not None
        if cmd.cla or cmd.p1 or cmd.p2:
            return _error(SW.INCORRECT_P1P2 if cmd.p1 or cmd.p2 else SW.CONDITIONS_NOT_SATISFIED)
        objects = parse_dynamic_auth(cmd.data)
        if TAG_CA_EPHEMERAL_KEY not in objects:
            raise ParseError("missing terminal ephemeral key (80)")
        self._agree(info, objects[TAG_CA_EPHEMERAL_KEY])
        return ResponseApdu(encode_tlv(TAG_DYNAMIC_AUTH, b""), SW.OK)

    def _mse_set_kat(self, cmd: CommandApdu) -> ResponseApdu:
        self.abort()
        self.session = None
        objects = _objects(cmd.data)
        if TAG_KAT_PUBLIC_KEY not in objects:
            return _error(SW.WRONG_DATA)
        info = self._find(objects, des=True)
        if info is None:
            return _error(SW_REFERENCE_NOT_FOUND)
        self._agree(info, objects[TAG_KAT_PUBLIC_KEY])
        return ResponseApdu(b"", SW.OK)

    def _agree(self, info: ChipAuthenticationInfo, terminal_key: bytes) -> None:
        try:  # checks the point lies on the curve
            terminal = ec.EllipticCurvePublicKey.from_encoded_point(self._key.curve, terminal_key)
        except ValueError:
            raise ParseError("the terminal's ephemeral key is not a point on the curve") from None
        self.session = agree(self._key, terminal, info)


def _objects(data: bytes) -> dict[int, bytes]:
    return dict(parse_all(data))
