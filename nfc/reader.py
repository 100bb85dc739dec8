"""Open an eMRTD chip and read its files: access control, then fast, robust file reads.

The order follows ICAO 9303-11 §4 and what CCCD chips do: EF.CardAccess by direct SELECT (SELECT MF
answers 6D00 on CCCD), PACE when it is offered, BAC otherwise; then each file with a short first read
(its TLV header says how long it is) and the rest in as few extended-length reads as the reader takes,
falling back to 0xDF-byte short reads for readers that refuse extended APDUs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from nfc.access import AccessKey, MrzKey
from nfc.apdu import EXTENDED_MAX_LE, INS, SHORT_MAX_LE, SW, CommandApdu, ResponseApdu
from nfc.bac import perform_bac
from nfc.chip_auth import ChipAuthenticationParameters, perform_chip_authentication
from nfc.errors import (
    AccessKeyError,
    ApduError,
    ExtendedLengthNotSupported,
    FileNotFoundOnChip,
    FileTooLarge,
    NfcError,
    ParseError,
    SecureMessagingError,
)
from nfc.lds import EF_CARD_ACCESS, LdsFile
from nfc.lds.security_infos import CardAccess, PaceInfo
from nfc.lds.tlv import encode_tlv, read_tlv, tlv_total_length
from nfc.limits import ReadLimits
from nfc.pace import perform_pace
from nfc.sm import SecureChannel
from nfc.transport import ApduChannel, ApduSender, Connection

log = logging.getLogger(__name__)

EMRTD_AID = bytes.fromhex("A0000002471001")
SHORT_CHUNK = 0xDF  # keeps a protected response within 256 bytes
FIRST_EXTENDED = 0x1000  # whole EF.COM, EF.SOD, DG1, DG13-DG15 of a CCCD in one read
EXTENDED_CHUNK = 0xFF00  # leaves room for the secure-messaging wrapping within 65536
MAX_B0_OFFSET = 0x7FFF
_RETRYABLE_SFI = {SW.INCORRECT_P1P2, SW.FUNCTION_NOT_SUPPORTED, SW.WRONG_P1P2, SW.INS_NOT_SUPPORTED}


class ChipSession:
    """One opened chip: ``open`` runs access control, ``read_file`` reads under secure messaging."""

    def __init__(self, connection: Connection, *, prefer_extended: bool = True,
                 rng: Callable[[int], bytes] = os.urandom, limits: ReadLimits | None = None) -> None:
        self.channel = ApduChannel(connection, prefer_extended=prefer_extended)
        self.sender: ApduSender = self.channel
        self.rng = rng
        self.limits = limits or ReadLimits()
        self.access: str | None = None
        self.card_access: CardAccess | None = None
        self._key: AccessKey | None = None
        self._chip_authentication: ChipAuthenticationParameters | None = None  # run again after a reopen

    # -- access control ----------------------------------------------------------------------------
    def open(self, key: AccessKey) -> str:
        """Run PACE when EF.CardAccess offers a variant we support, BAC otherwise; return which."""
        self._key = key
        self._chip_authentication = None
        self.sender = self.channel
        if self.card_access is None:
            self.card_access = self._read_card_access()
        pace = _pick_pace(self.card_access)
        if pace is not None:
            sm = perform_pace(self.channel, key, pace, rng=self.rng)
            self.sender = SecureChannel(self.channel, sm)
            self._select_application()
            self.access = "PACE"
            return self.access
        if not isinstance(key, MrzKey):
            raise AccessKeyError("this chip offers only BAC, which needs the MRZ data (document number, "
                                 "birth and expiry dates); a CAN or ID number cannot open it", step="bac")
        self._select_application()
        sm = perform_bac(self.channel, key, rng=self.rng)
        self.sender = SecureChannel(self.channel, sm)
        self.access = "BAC"
        return self.access

    def authenticate_chip(self, params: ChipAuthenticationParameters) -> None:
        """Chip Authentication on this open session: secure messaging switches to the keys agreed with the chip's
        DG14 key (as yubikit's ``init_scp`` switches a session to a secure channel), and stays on them, also
        when the session has to be opened again. Whether the chip proves that key is
        :func:`nfc.trust.chip.check_chip_authentication`'s to judge. Raises what the protocol raises."""
        if not isinstance(self.sender, SecureChannel):
            raise NfcError("Chip Authentication needs the secure messaging of PACE or BAC; open the chip first",
                           step="chip_authentication")
        self.sender = SecureChannel(self.channel, perform_chip_authentication(self.sender, params, rng=self.rng))
        self._chip_authentication = params

    def _read_card_access(self) -> CardAccess | None:
        resp = self.channel.send(CommandApdu(0x00, INS.SELECT, 0x02, 0x0C, EF_CARD_ACCESS.fid.to_bytes(2, "big")))
        if resp.sw == SW.FILE_NOT_FOUND:
            return None  # no EF.CardAccess: a BAC-only chip
        if resp.sw != SW.OK:
            raise ApduError("SELECT EF.CardAccess failed", resp.sw, step="card_access")
        data = self._read_rest(self._read_binary(0, SHORT_CHUNK), EF_CARD_ACCESS, protected=False)
        try:
            return CardAccess.parse(data)
        except ParseError as exc:
            exc.step = exc.step or EF_CARD_ACCESS.name
            raise

    def _select_application(self) -> None:
        resp = self.sender.send(CommandApdu(0x00, INS.SELECT, 0x04, 0x0C, EMRTD_AID))
        if resp.sw != SW.OK:
            raise ApduError("the eMRTD application could not be selected", resp.sw, step="select_application")

    # -- files -------------------------------------------------------------------------------------
    def read_file(self, lds_file: LdsFile) -> bytes:
        """The whole file, exactly as stored; :class:`FileNotFoundOnChip` when the chip does not have it.

        The first read asks for up to 4 KB when extended length works (a chip answers what the file has,
        ISO 7816-4 "end of file reached before Le bytes"), so most files take one APDU; 0xDF otherwise.
        """
        try:
            resp = self._first_read(lds_file)
        except ExtendedLengthNotSupported as exc:
            log.warning("reader refused an extended-length READ BINARY (%s); continuing with short reads", exc)
            resp = self._first_read(lds_file)
        if resp.sw in _RETRYABLE_SFI:  # chip without short-EF-id reads: select, then read
            self._select_file(lds_file)
            resp = self.sender.send(CommandApdu(0x00, INS.READ_BINARY, 0, 0, le=self._first_size()))
        if resp.sw == SW.FILE_NOT_FOUND:
            raise FileNotFoundOnChip(f"{lds_file.name} is not on the chip", resp.sw, step=lds_file.name)
        _check_read(resp, lds_file.name)
        return self._read_rest(resp.data, lds_file, protected=True)

    def _first_size(self) -> int:
        return FIRST_EXTENDED if self.sender.extended_length else SHORT_CHUNK

    def _first_read(self, lds_file: LdsFile) -> ResponseApdu:
        return self.sender.send(CommandApdu(0x00, INS.READ_BINARY, 0x80 | lds_file.sfi, 0, le=self._first_size()))

    def _select_file(self, lds_file: LdsFile) -> None:
        resp = self.sender.send(CommandApdu(0x00, INS.SELECT, 0x02, 0x0C, lds_file.fid.to_bytes(2, "big")))
        if resp.sw == SW.FILE_NOT_FOUND:
            raise FileNotFoundOnChip(f"{lds_file.name} is not on the chip", resp.sw, step=lds_file.name)
        if resp.sw != SW.OK:
            raise ApduError(f"SELECT {lds_file.name} failed", resp.sw, step=lds_file.name)

    def _read_rest(self, first: bytes, lds_file: LdsFile, *, protected: bool) -> bytes:
        """The whole file from its first chunk: its announced length checked against the limit, then the rest
        read, in at most two APDUs per short chunk (a chip answering a few bytes at a time is refused)."""
        try:
            total = tlv_total_length(first)
        except ParseError as exc:
            raise ParseError(f"{lds_file.name} does not start with a TLV header: {exc}", step=lds_file.name) from None
        limit = self.limits.for_file(lds_file)
        if total > limit:
            raise FileTooLarge(f"{lds_file.name} announces {total} bytes; at most {limit} are accepted",
                               step=lds_file.name)
        data = bytearray(first[:total])
        budget = 2 * (-(-(total - len(data)) // SHORT_CHUNK))
        while len(data) < total:
            if budget <= 0:
                raise ParseError(f"{lds_file.name}: the chip answers too little per READ BINARY", step=lds_file.name)
            budget -= 1
            data += self._read_chunk(len(data), total - len(data), lds_file, protected)
        return bytes(data)

    def _read_chunk(self, offset: int, remaining: int, lds_file: LdsFile, protected: bool) -> bytes:
        size = min(remaining, EXTENDED_CHUNK if self.sender.extended_length else SHORT_CHUNK)
        try:
            return self._read_binary(offset, size)
        except ExtendedLengthNotSupported as exc:
            log.warning("reader refused an extended-length READ BINARY (%s); continuing with short reads", exc)
            return self._read_binary(offset, min(remaining, SHORT_CHUNK))
        except SecureMessagingError:
            if not protected or self._key is None:
                raise
            # the chip ended the session (e.g. it, not the reader, refused an extended APDU): reopen once
            log.warning("secure messaging lost while reading %s; opening the chip again", lds_file.name)
            chip_authentication = self._chip_authentication
            self.open(self._key)
            if chip_authentication is not None:  # a recovered session keeps its strength
                self.authenticate_chip(chip_authentication)
            self._select_file(lds_file)
            return self._read_binary(offset, min(remaining, SHORT_CHUNK))

    def _read_binary(self, offset: int, size: int) -> bytes:
        if offset <= MAX_B0_OFFSET:
            resp = self.sender.send(CommandApdu(0x00, INS.READ_BINARY, offset >> 8, offset & 0xFF, le=size))
            _check_read(resp, "READ BINARY")
            return resp.data
        # offsets above 0x7FFF: odd INS B1 with the offset in DO54, data comes back in DO53
        do54 = encode_tlv(0x54, offset.to_bytes((offset.bit_length() + 7) // 8, "big"))
        resp = self.sender.send(CommandApdu(0x00, INS.READ_BINARY_ODD, 0, 0, do54, le=size + 4))
        _check_read(resp, "READ BINARY (B1)")
        tag, value, _ = read_tlv(resp.data)
        if tag != 0x53:
            raise ApduError("READ BINARY (B1) answered without DO53", resp.sw, step="read_binary")
        return value

    # -- Active Authentication ---------------------------------------------------------------------
    def internal_authenticate(self, challenge: bytes) -> bytes:
        """The chip's signature of ``challenge``: asked with extended Le when the reader takes it, again with
        Le = 256 when the reader refuses that APDU or the chip answers it with no signature (some do)."""
        if self.sender.extended_length:
            try:
                signature = self._internal_authenticate(challenge, EXTENDED_MAX_LE)
            except ExtendedLengthNotSupported as exc:
                log.warning("reader refused an extended-length INTERNAL AUTHENTICATE (%s); asking with Le 256", exc)
            else:
                if signature:
                    return signature
                log.info("the chip answered INTERNAL AUTHENTICATE with extended Le without data; asking with Le 256")
        return self._internal_authenticate(challenge, SHORT_MAX_LE)

    def _internal_authenticate(self, challenge: bytes, le: int) -> bytes:
        resp = self.sender.send(CommandApdu(0x00, INS.INTERNAL_AUTHENTICATE, 0, 0, challenge, le=le))
        if resp.sw != SW.OK:
            raise ApduError("INTERNAL AUTHENTICATE failed", resp.sw, step="active_authentication")
        return resp.data


def _pick_pace(card_access: CardAccess | None) -> PaceInfo | None:
    if card_access is None:
        return None
    offers = [info for info in card_access.pace_infos if info.supported]
    # prefer the strongest cipher the chip offers at the same mapping (CCCD offers one)
    return max(offers, key=lambda info: info.key_length, default=None)


def _check_read(resp: ResponseApdu, what: str) -> None:
    if resp.sw in (SW.OK, SW.WARNING_END_OF_FILE) and resp.data:
        return
    if resp.sw in (SW.OK, SW.WARNING_END_OF_FILE):
        raise ApduError(f"{what} returned no data", resp.sw, step="read_binary")
    if resp.sw == SW.SECURITY_STATUS_NOT_SATISFIED:
        raise ApduError(f"{what}: the chip refused access", resp.sw, step="read_binary")
    raise ApduError(f"{what} failed", resp.sw, step="read_binary")


__all__ = ["ChipSession", "EMRTD_AID", "NfcError"]
