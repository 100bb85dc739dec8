"""The chip side of PACE-ECDH-GM (MSE:Set AT, four chained GENERAL AUTHENTICATE) for the virtual card."""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable, Mapping

from ecdsa.ellipticcurve import PointJacobi

from nfc.access import AccessKey, CanKey, MrzKey
from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.crypto import KDF_PACE, kdf, session_keys
from nfc.errors import NfcError, ParseError
from nfc.general_authenticate import CLA_CHAIN, TAG_DYNAMIC_AUTH, parse_dynamic_auth
from nfc.lds.security_infos import PaceInfo
from nfc.lds.tlv import encode_tlv, parse_all
from nfc.oids import oid_bytes
from nfc.pace import (
    MSE_SET_AT_P1P2,
    TAG_EPH_IC,
    TAG_EPH_IFD,
    TAG_MAP_IC,
    TAG_MAP_IFD,
    TAG_NONCE,
    TAG_TOKEN_IC,
    TAG_TOKEN_IFD,
    Curve,
    authentication_token,
    block_size,
    check_supported,
    decode_point,
    encode_point,
    encrypt_nonce,
    map_generator,
    public_point,
    random_scalar,
    shared_secret,
)
from nfc.sm import SecureMessaging

SW_AUTH_FAILED = 0x6300
SW_REFERENCE_NOT_FOUND = 0x6A88

Passwords = Mapping[int, bytes | AccessKey] | Iterable[AccessKey]


def _ok(tag: int, value: bytes) -> ResponseApdu:
    return ResponseApdu(encode_tlv(TAG_DYNAMIC_AUTH, encode_tlv(tag, value)), SW.OK)


def _error(sw: int) -> ResponseApdu:
    return ResponseApdu(b"", sw)


class PaceChip:
    """Answers PACE for the passwords it knows (by password reference: 1 MRZ, 2 CAN).

    ``passwords`` maps a reference to π (bytes) or to a :class:`~nfc.access.CanKey` /
    :class:`~nfc.access.MrzKey`, or is a list of keys. ``rng`` draws the nonce (one cipher block), then the
    chip's mapping and ephemeral private keys. ``session`` is set when mutual authentication succeeds; a
    wrong password shows there and answers 6300.
    """

    def __init__(self, passwords: Passwords, infos: Iterable[PaceInfo],
                 rng: Callable[[int], bytes] = os.urandom) -> None:
        self._passwords: dict[int, bytes] = {}
        items = passwords.items() if isinstance(passwords, Mapping) else (
            (k.password_reference, k) for k in passwords)
        for ref, pw in items:
            self._passwords[ref] = pw.pace_password() if isinstance(pw, CanKey | MrzKey) else bytes(pw)
        self.infos = list(infos)
        self._rng = rng
        self.session: SecureMessaging | None = None
        self._reset()

    def _reset(self) -> None:
        self._step = 0  # 0 idle, 1 after MSE:Set AT, 2 nonce sent, 3 mapped, 4 keys agreed
        self._info: PaceInfo | None = None
        self._curve: Curve | None = None
        self._password = b""
        self._nonce = b""
        self._g_hat: PointJacobi | None = None
        self._pk_ifd = b""
        self._pk_ic = b""
        self._ks: tuple[bytes, bytes] = (b"", b"")

    def handles(self, cmd: CommandApdu) -> bool:
        """MSE:Set AT for PACE always; GENERAL AUTHENTICATE only while a PACE run is under way."""
        if cmd.ins == INS.MSE:
            return (cmd.p1, cmd.p2) == MSE_SET_AT_P1P2
        return cmd.ins == INS.GENERAL_AUTHENTICATE and self._step > 0

    def handle(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.ins == INS.MSE and (cmd.p1, cmd.p2) == MSE_SET_AT_P1P2:
            return self._mse_set_at(cmd)
        if cmd.ins != INS.GENERAL_AUTHENTICATE:
            return _error(SW.INS_NOT_SUPPORTED)
        if self._step == 0:
            return _error(SW.CONDITIONS_NOT_SATISFIED)
        if cmd.p1 or cmd.p2:
            return _error(SW.INCORRECT_P1P2)
        last = self._step == 4
        if cmd.cla & ~CLA_CHAIN & 0xFF or bool(cmd.cla & CLA_CHAIN) == last:
            self._reset()
            return _error(SW.CONDITIONS_NOT_SATISFIED)
        try:
            objects = parse_dynamic_auth(cmd.data)
            return (self._nonce_step, self._map_step, self._agree_step, self._auth_step)[self._step - 1](objects)
        except NfcError:
            self._reset()
            return _error(SW.WRONG_DATA)

    # -- steps ------------------------------------------------------------------------------------
    def _mse_set_at(self, cmd: CommandApdu) -> ResponseApdu:
        self._reset()
        self.session = None
        try:
            objects = dict(parse_all(cmd.data))
        except ParseError:
            return _error(SW.WRONG_DATA)
        oid, ref, param = objects.get(0x80), objects.get(0x83), objects.get(0x84)
        if oid is None or ref is None or len(ref) != 1:
            return _error(SW.WRONG_DATA)
        info = next((i for i in self.infos if oid_bytes(i.protocol) == oid
                     and (param is None or param == bytes([i.parameter_id or 0]))), None)
        if info is None:
            return _error(SW.WRONG_DATA)
        try:
            self._curve = check_supported(info)
        except NfcError:
            return _error(SW.WRONG_DATA)
        if ref[0] not in self._passwords:
            return _error(SW_REFERENCE_NOT_FOUND)
        self._info, self._password, self._step = info, self._passwords[ref[0]], 1
        return ResponseApdu(b"", SW.OK)

    def _nonce_step(self, objects: dict[int, bytes]) -> ResponseApdu:
        assert self._info is not None
        if objects:
            raise ParseError("the first GENERAL AUTHENTICATE carries no data")
        cipher = self._info.cipher
        self._nonce = self._rng(block_size(cipher))
        k_pi = kdf(self._password, KDF_PACE, cipher, self._info.key_length)
        self._step = 2
        return _ok(TAG_NONCE, encrypt_nonce(k_pi, self._nonce, cipher))

    def _map_step(self, objects: dict[int, bytes]) -> ResponseApdu:
        assert self._curve is not None
        if TAG_MAP_IFD not in objects:
            raise ParseError("missing terminal mapping key (81)")
        pk_map_ifd = decode_point(objects[TAG_MAP_IFD], self._curve)
        sk_map = random_scalar(self._curve, self._rng)
        self._g_hat = map_generator(self._nonce, sk_map, pk_map_ifd, self._curve)
        self._step = 3
        return _ok(TAG_MAP_IC, encode_point(public_point(self._curve, sk_map), self._curve))

    def _agree_step(self, objects: dict[int, bytes]) -> ResponseApdu:
        assert self._curve is not None and self._info is not None
        if TAG_EPH_IFD not in objects:
            raise ParseError("missing terminal ephemeral key (83)")
        self._pk_ifd = objects[TAG_EPH_IFD]
        pk_ifd = decode_point(self._pk_ifd, self._curve)
        sk = random_scalar(self._curve, self._rng)
        self._pk_ic = encode_point(public_point(self._curve, sk, self._g_hat), self._curve)
        if self._pk_ic == self._pk_ifd:
            raise ParseError("terminal ephemeral key equals the chip's")
        secret = shared_secret(sk, pk_ifd, self._curve)
        self._ks = session_keys(secret, self._info.cipher, self._info.key_length)
        self._step = 4
        return _ok(TAG_EPH_IC, self._pk_ic)

    def _auth_step(self, objects: dict[int, bytes]) -> ResponseApdu:
        assert self._info is not None
        info, (ks_enc, ks_mac) = self._info, self._ks
        expected = authentication_token(ks_mac, info.protocol, self._pk_ic, info.cipher)
        if not hmac.compare_digest(expected, objects.get(TAG_TOKEN_IFD, b"")):
            self._reset()
            return _error(SW_AUTH_FAILED)
        token = authentication_token(ks_mac, info.protocol, self._pk_ifd, info.cipher)
        self.session = SecureMessaging(info.cipher, ks_enc, ks_mac, 0)
        self._reset()
        return _ok(TAG_TOKEN_IC, token)
