"""Secure messaging of ICAO 9303-11 §9.8, 3DES and AES, terminal side and chip side.

The terminal protects commands and unprotects responses; the virtual chip does the mirror image. Both
ends keep a send sequence counter (SSC) that is incremented before every protect and unprotect, so the
two stay in lock step as long as every protected command gets exactly one protected answer.
"""

from __future__ import annotations

import hmac

from nfc.apdu import SHORT_MAX_LC, CommandApdu, ResponseApdu
from nfc.crypto import (
    AES_BLOCK,
    CIPHER_3DES,
    CIPHER_AES,
    DES_BLOCK,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_cmac,
    aes_ecb_encrypt,
    des3_cbc_decrypt,
    des3_cbc_encrypt,
    pad,
    retail_mac,
    unpad,
)
from nfc.errors import ExtendedLengthNotSupported, ParseError, SecureMessagingError
from nfc.lds.tlv import encode_tlv, parse_located
from nfc.transport import ApduSender

SM_CLA = 0x0C
SW_SM_MISSING = 0x6987
SW_SM_INCORRECT = 0x6988

TAG_CRYPTOGRAM = 0x87  # padding indicator + encrypted data (even INS)
TAG_CRYPTOGRAM_ODD = 0x85  # encrypted BER-TLV data (odd INS), no padding indicator
TAG_LE = 0x97
TAG_SW = 0x99
TAG_MAC = 0x8E


# -- the secure messaging state -----------------------------------------------------------------------

class SecureMessaging:
    """Session keys and SSC of one secure-messaging session.

    ``cipher`` is ``"DESede"`` (8-byte SSC, zero IV, retail MAC) or ``"AES"`` (16-byte SSC,
    IV = E(KSenc, SSC), CMAC truncated to 8 bytes).
    """

    def __init__(self, cipher: str, ks_enc: bytes, ks_mac: bytes, ssc: int = 0) -> None:
        if cipher == CIPHER_3DES:
            if len(ks_enc) != 16 or len(ks_mac) != 16:
                raise ValueError("3DES session keys are 16 bytes")
            self.block_size = DES_BLOCK
        elif cipher == CIPHER_AES:
            if len(ks_enc) not in (16, 24, 32) or len(ks_mac) != len(ks_enc):
                raise ValueError("AES session keys are 16, 24 or 32 bytes, both the same length")
            self.block_size = AES_BLOCK
        else:
            raise ValueError(f"unknown cipher {cipher!r}")
        self.cipher = cipher
        self.ks_enc = bytes(ks_enc)
        self.ks_mac = bytes(ks_mac)
        self._ssc = 0
        self.ssc = ssc
        self._odd_ins = False  # chip side: whether the last command used DO85

    def __repr__(self) -> str:  # keys stay out of logs
        return f"SecureMessaging(cipher={self.cipher!r}, ssc={self.ssc_bytes.hex().upper()})"

    # SSC ---------------------------------------------------------------------------------------------
    @property
    def ssc(self) -> int:
        return self._ssc

    @ssc.setter
    def ssc(self, value: int) -> None:
        self._ssc = value % (1 << (8 * self.block_size))

    @property
    def ssc_bytes(self) -> bytes:
        return self._ssc.to_bytes(self.block_size, "big")

    def snapshot(self) -> int:
        """The SSC now, to :meth:`restore` if a command never reached the card."""
        return self._ssc

    def restore(self, ssc: int) -> None:
        self.ssc = ssc

    def _next(self) -> None:
        self.ssc = self._ssc + 1

    # primitives --------------------------------------------------------------------------------------
    def _iv(self) -> bytes:
        if self.cipher == CIPHER_AES:
            return aes_ecb_encrypt(self.ks_enc, self.ssc_bytes)
        return bytes(DES_BLOCK)

    def _encrypt(self, data: bytes) -> bytes:
        padded = pad(data, self.block_size)
        if self.cipher == CIPHER_AES:
            return aes_cbc_encrypt(self.ks_enc, padded, self._iv())
        return des3_cbc_encrypt(self.ks_enc, padded)

    def _decrypt(self, data: bytes) -> bytes:
        if not data or len(data) % self.block_size:
            raise SecureMessagingError("cryptogram is not a whole number of blocks", sw=SW_SM_INCORRECT)
        if self.cipher == CIPHER_AES:
            plain = aes_cbc_decrypt(self.ks_enc, data, self._iv())
        else:
            plain = des3_cbc_decrypt(self.ks_enc, data)
        try:
            return unpad(plain)
        except SecureMessagingError as exc:
            raise SecureMessagingError(exc.args[0], sw=SW_SM_INCORRECT) from None

    def mac(self, data: bytes) -> bytes:
        """MAC over SSC || data, padded to the block size (8 bytes out)."""
        message = pad(self.ssc_bytes + data, self.block_size)
        if self.cipher == CIPHER_AES:
            return aes_cmac(self.ks_mac, message)
        return retail_mac(self.ks_mac, message)

    def _header(self, cla: int, ins: int, p1: int, p2: int) -> bytes:
        return pad(bytes([cla, ins, p1, p2]), self.block_size)

    def _split(self, data: bytes, where: str) -> tuple[dict[int, bytes], bytes, bytes]:
        """Parse protected data: (objects by tag, the bytes the MAC covers, the MAC)."""
        try:
            objects = parse_located(data)
        except ParseError as exc:
            raise SecureMessagingError(f"malformed protected {where}: {exc}", sw=SW_SM_INCORRECT) from None
        if not objects or objects[-1][0] != TAG_MAC:
            raise SecureMessagingError(f"protected {where} has no MAC (DO8E)", sw=SW_SM_MISSING)
        by_tag: dict[int, bytes] = {}
        for tag, value, _ in objects[:-1]:
            if tag in by_tag or tag not in (TAG_CRYPTOGRAM, TAG_CRYPTOGRAM_ODD, TAG_LE, TAG_SW):
                raise SecureMessagingError(f"unexpected data object {tag:02X} in protected {where}",
                                           sw=SW_SM_INCORRECT)
            by_tag[tag] = value
        if TAG_CRYPTOGRAM in by_tag and TAG_CRYPTOGRAM_ODD in by_tag:
            raise SecureMessagingError(f"protected {where} has both DO85 and DO87", sw=SW_SM_INCORRECT)
        return by_tag, data[: objects[-1][2]], objects[-1][1]

    def _check_mac(self, covered: bytes, mac: bytes, where: str) -> None:
        if not hmac.compare_digest(self.mac(covered), mac):
            raise SecureMessagingError(f"MAC of the protected {where} does not verify", sw=SW_SM_INCORRECT)

    def _cryptogram(self, by_tag: dict[int, bytes], where: str) -> bytes:
        if TAG_CRYPTOGRAM in by_tag:
            value = by_tag[TAG_CRYPTOGRAM]
            if not value or value[0] != 0x01:
                raise SecureMessagingError(f"DO87 of the {where} lacks padding indicator 01",
                                           sw=SW_SM_INCORRECT)
            return self._decrypt(value[1:])
        if TAG_CRYPTOGRAM_ODD in by_tag:
            return self._decrypt(by_tag[TAG_CRYPTOGRAM_ODD])
        return b""

    def _data_do(self, data: bytes, odd: bool) -> bytes:
        if not data:
            return b""
        if odd:
            return encode_tlv(TAG_CRYPTOGRAM_ODD, self._encrypt(data))
        return encode_tlv(TAG_CRYPTOGRAM, b"\x01" + self._encrypt(data))

    # terminal side -----------------------------------------------------------------------------------
    def protect(self, cmd: CommandApdu) -> CommandApdu:
        """Wrap a plain command: DO87/DO85 (data), DO97 (Le), DO8E (MAC); CLA gets 0x0C."""
        if cmd.cla & SM_CLA:
            raise ValueError("command is already marked as secure messaging")
        self._next()
        extended = cmd.needs_extended()
        cla = cmd.cla | SM_CLA
        body = self._data_do(cmd.data, bool(cmd.ins & 1))
        if cmd.le is not None:
            size = 2 if extended else 1
            body += encode_tlv(TAG_LE, (cmd.le % (1 << (8 * size))).to_bytes(size, "big"))
        mac = self.mac(self._header(cla, cmd.ins, cmd.p1, cmd.p2) + body)
        body += encode_tlv(TAG_MAC, mac)
        le = 65536 if extended or len(body) > SHORT_MAX_LC else 256
        return CommandApdu(cla, cmd.ins, cmd.p1, cmd.p2, body, le)

    def unprotect(self, resp: ResponseApdu) -> ResponseApdu:
        """Check and open a protected response; its status word comes from DO99."""
        self._next()
        if not resp.data:
            raise SecureMessagingError("the card answered without secure messaging", step="sm", sw=resp.sw)
        try:
            by_tag, covered, mac = self._split(resp.data, "response")
            if TAG_SW not in by_tag or len(by_tag[TAG_SW]) != 2:
                raise SecureMessagingError("protected response has no status word (DO99)")
            self._check_mac(covered, mac, "response")
            data = self._cryptogram(by_tag, "response")
        except SecureMessagingError as exc:
            raise SecureMessagingError(exc.args[0], step="sm", sw=resp.sw) from None
        return ResponseApdu(data, int.from_bytes(by_tag[TAG_SW], "big"))

    # chip side ---------------------------------------------------------------------------------------
    def unprotect_command(self, cmd: CommandApdu) -> CommandApdu:
        """Chip side: check and open a protected command.

        Raises :class:`~nfc.errors.SecureMessagingError` whose ``sw`` is what the chip should answer
        (6987 data objects missing, 6988 data objects incorrect), unprotected.
        """
        self._next()
        if cmd.cla & SM_CLA != SM_CLA:
            raise SecureMessagingError("command is not protected", sw=SW_SM_MISSING)
        by_tag, covered, mac = self._split(cmd.data, "command")
        self._check_mac(self._header(cmd.cla, cmd.ins, cmd.p1, cmd.p2) + covered, mac, "command")
        data = self._cryptogram(by_tag, "command")
        le: int | None = None
        if TAG_LE in by_tag:
            raw = by_tag[TAG_LE]
            if len(raw) not in (1, 2):
                raise SecureMessagingError("DO97 must hold 1 or 2 bytes", sw=SW_SM_INCORRECT)
            le = int.from_bytes(raw, "big") or (256 if len(raw) == 1 else 65536)
        self._odd_ins = bool(cmd.ins & 1)
        return CommandApdu(cmd.cla & ~SM_CLA & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, le)

    def protect_response(self, resp: ResponseApdu) -> ResponseApdu:
        """Chip side: wrap a plain response (DO85 when the last command had an odd INS)."""
        self._next()
        body = self._data_do(resp.data, self._odd_ins)
        body += encode_tlv(TAG_SW, resp.sw.to_bytes(2, "big"))
        body += encode_tlv(TAG_MAC, self.mac(body))
        return ResponseApdu(body, resp.sw)


class SecureChannel:
    """An :class:`~nfc.transport.ApduSender` that protects every command and unprotects its answer."""

    def __init__(self, inner: ApduSender, sm: SecureMessaging) -> None:
        self.inner = inner
        self.sm = sm

    @property
    def extended_length(self) -> bool:
        return self.inner.extended_length

    def send(self, cmd: CommandApdu) -> ResponseApdu:
        """Send one command; on a reader refusing extended length the SSC is rolled back."""
        before = self.sm.snapshot()
        protected = self.sm.protect(cmd)
        try:
            resp = self.inner.send(protected)
        except ExtendedLengthNotSupported:
            self.sm.restore(before)
            raise
        return self.sm.unprotect(resp)
