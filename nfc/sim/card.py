"""The chip side of a CCCD: files, access conditions, and the commands a reader sends.

:class:`VirtualCccd` holds the files it was built with (see :mod:`nfc.sim.builder`) and answers raw
APDUs like the real chip: EF.CardAccess readable in the clear (SELECT MF answers 6D00, as on CCCD
cards), everything in the eMRTD application behind PACE or BAC and secure messaging, READ BINARY
short, extended and odd-INS, INTERNAL AUTHENTICATE for Active Authentication, and Chip Authentication v1
(MSE:Set AT + GENERAL AUTHENTICATE, or MSE:Set KAT) after which secure messaging restarts on the new keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import ec

from nfc.access import CanKey, MrzKey
from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.errors import NfcError, ParseError, SecureMessagingError
from nfc.lds.security_infos import ChipAuthenticationInfo, PaceInfo
from nfc.lds.tlv import encode_length, encode_tag, encode_tlv, read_tlv
from nfc.sim.bac_chip import BacChip
from nfc.sim.chip_auth_chip import ChipAuthChip
from nfc.sim.pace_chip import PaceChip
from nfc.sim.vpcd import contactless_atr
from nfc.sm import SecureMessaging

EMRTD_AID = bytes.fromhex("A0000002471001")
FID_CARD_ACCESS = 0x011C
FID_MF = 0x3F00
# short EF identifiers (ICAO 9303-10 table 39)
SFI = {0x1C: 0x011C, 0x1D: 0x011D, 0x1E: 0x011E} | {n: 0x0100 | n for n in range(1, 17)}


class Signer(Protocol):
    def sign(self, challenge: bytes) -> bytes: ...


@dataclass(frozen=True)
class AnnouncedFile:
    """A hostile file: its header announces ``length`` value bytes, and every one of them is served (zeros after
    the header) without being held in memory, however large."""

    tag: int
    length: int

    @property
    def header(self) -> bytes:
        return encode_tag(self.tag) + encode_length(self.length)

    def __len__(self) -> int:
        return len(self.header) + self.length

    def __getitem__(self, part: slice) -> bytes:
        start, stop, _ = part.indices(len(self))
        header = self.header[start:stop]
        return header + bytes(max(0, stop - max(start, len(self.header))))


ChipFile = bytes | AnnouncedFile


class VirtualCccd:
    """A software CCCD chip. ``files`` maps file identifiers (0x0101 for DG1, …) to their bytes."""

    def __init__(
        self,
        files: dict[int, ChipFile],
        *,
        can: CanKey,
        mrz_key: MrzKey,
        pace_infos: list[PaceInfo],
        aa_key: Signer | None = None,
        ca_key: ec.EllipticCurvePrivateKey | None = None,
        ca_infos: tuple[ChipAuthenticationInfo, ...] | list[ChipAuthenticationInfo] = (),
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.files = dict(files)
        self.can = can
        self.mrz_key = mrz_key
        self.pace_infos = list(pace_infos)
        self.aa_key = aa_key
        self.ca_key = ca_key  # the Chip Authentication private key (None: the chip does not run CA)
        self.ca_infos = list(ca_infos)
        self.rng = rng
        self.atr = contactless_atr()
        self.sfi_reads = True  # False models chips that refuse READ BINARY by short EF identifier
        self.aa_empty_extended = False  # True models chips answering INTERNAL AUTHENTICATE with extended Le empty
        self.reset()

    def reset(self) -> None:
        """Power cycle: forget the selected application, the current file and any session."""
        self.app_selected = False
        self.current: int | None = None
        self.sm: SecureMessaging | None = None
        passwords = {self.can.password_reference: self.can, self.mrz_key.password_reference: self.mrz_key}
        self._pace = PaceChip(passwords, self.pace_infos, rng=self.rng) if self.pace_infos else None
        self._bac = BacChip(self.mrz_key, rng=self.rng)
        self._ca = ChipAuthChip(self.ca_key, self.ca_infos) if self.ca_key is not None and self.ca_infos else None
        self._next_sm: SecureMessaging | None = None  # Chip Authentication keys, taken after the current answer

    # -- framing -----------------------------------------------------------------------------------
    def process(self, raw: bytes) -> bytes:
        try:
            cmd = CommandApdu.decode(raw)
        except ParseError:
            return SW.WRONG_LENGTH.to_bytes(2, "big")
        if cmd.cla & 0x0C == 0x0C:
            return self._process_protected(cmd).encode()
        if self.sm is not None and cmd.ins not in (INS.MSE, INS.GENERAL_AUTHENTICATE, INS.GET_CHALLENGE):
            self.sm = None  # a plain command ends the secure session (ICAO 9303-11 §9.8.6)
            self.app_selected = False
        return self._dispatch(cmd, protected=False).encode()

    def _process_protected(self, cmd: CommandApdu) -> ResponseApdu:
        if self.sm is None:
            return ResponseApdu(b"", SW.CONDITIONS_NOT_SATISFIED)
        try:
            plain = self.sm.unprotect_command(cmd)
        except (SecureMessagingError, ParseError):
            self.sm = None
            self.app_selected = False
            return ResponseApdu(b"", SW.SM_DATA_OBJECTS_INCORRECT)
        resp = self._dispatch(plain, protected=True)
        if self.sm is None:  # the session ended while handling (should not happen)
            return resp
        protected = self.sm.protect_response(resp)
        if self._next_sm is not None:
            # Chip Authentication (9303-11 §6.2): its answer goes under the old keys, then secure messaging
            # restarts on the new ones with SSC 0; the old keys are no longer accepted.
            self.sm, self._next_sm = self._next_sm, None
        return protected

    # -- commands ----------------------------------------------------------------------------------
    def _dispatch(self, cmd: CommandApdu, *, protected: bool) -> ResponseApdu:
        try:
            if cmd.ins == INS.SELECT:
                return self._select(cmd, protected)
            if cmd.ins in (INS.READ_BINARY, INS.READ_BINARY_ODD):
                return self._read_binary(cmd, protected)
            if self._ca is not None:
                if self._ca.handles(cmd):
                    return self._chip_authentication(cmd, protected)
                if cmd.ins == INS.MSE:
                    self._ca.abort()  # another protocol's MSE cancels a pending Chip Authentication
            if self._pace is not None and self._pace.handles(cmd):
                resp = self._pace.handle(cmd)
                if self._pace.session is not None:
                    self.sm, self._pace.session = self._pace.session, None
                return resp
            if self._bac.handles(cmd):
                if not self.app_selected:
                    return ResponseApdu(b"", SW.CONDITIONS_NOT_SATISFIED)
                resp = self._bac.handle(cmd)
                if self._bac.session is not None:
                    self.sm, self._bac.session = self._bac.session, None
                return resp
            if cmd.ins == INS.INTERNAL_AUTHENTICATE:
                return self._internal_authenticate(cmd, protected)
        except NfcError:
            return ResponseApdu(b"", SW.WRONG_DATA)
        return ResponseApdu(b"", SW.INS_NOT_SUPPORTED)

    def _select(self, cmd: CommandApdu, protected: bool) -> ResponseApdu:
        if cmd.p1 == 0x04:
            if cmd.data != EMRTD_AID:
                return ResponseApdu(b"", SW.FILE_NOT_FOUND)
            self.app_selected = True
            self.current = None
            return ResponseApdu(b"", SW.OK)
        if cmd.p1 in (0x00, 0x02) and len(cmd.data) in (0, 2):
            fid = int.from_bytes(cmd.data, "big") if cmd.data else FID_MF
            if fid == FID_MF:
                return ResponseApdu(b"", SW.INS_NOT_SUPPORTED)  # what CCCD chips answer
            return self._make_current(fid, protected)
        return ResponseApdu(b"", SW.INCORRECT_P1P2)

    def _make_current(self, fid: int, protected: bool) -> ResponseApdu:
        if fid not in self.files:
            return ResponseApdu(b"", SW.FILE_NOT_FOUND)
        if fid != FID_CARD_ACCESS and not (self.app_selected and protected):
            return ResponseApdu(b"", SW.SECURITY_STATUS_NOT_SATISFIED)
        self.current = fid
        return ResponseApdu(b"", SW.OK)

    def _read_binary(self, cmd: CommandApdu, protected: bool) -> ResponseApdu:
        odd = cmd.ins == INS.READ_BINARY_ODD
        if not odd and cmd.p1 & 0x80:  # short EF identifier in P1, offset in P2
            if not self.sfi_reads:
                return ResponseApdu(b"", SW.INCORRECT_P1P2)
            fid = SFI.get(cmd.p1 & 0x1F)
            resp = self._make_current(fid, protected) if fid else ResponseApdu(b"", SW.FILE_NOT_FOUND)
            if resp.sw != SW.OK:
                return resp
            offset = cmd.p2
        elif odd:
            if cmd.p1 or cmd.p2:
                resp = self._make_current(int.from_bytes(bytes([cmd.p1, cmd.p2]), "big"), protected)
                if resp.sw != SW.OK:
                    return resp
            try:
                tag, value, _ = read_tlv(cmd.data)
            except ParseError:
                return ResponseApdu(b"", SW.WRONG_DATA)
            if tag != 0x54:
                return ResponseApdu(b"", SW.WRONG_DATA)
            offset = int.from_bytes(value, "big")
        else:
            offset = ((cmd.p1 & 0x7F) << 8) | cmd.p2
        if self.current is None:
            return ResponseApdu(b"", SW.CONDITIONS_NOT_SATISFIED)
        if self.current != FID_CARD_ACCESS and not protected:
            return ResponseApdu(b"", SW.SECURITY_STATUS_NOT_SATISFIED)
        content = self.files[self.current]
        if offset > len(content):
            return ResponseApdu(b"", SW.WRONG_P1P2)
        want = cmd.le if cmd.le is not None else 256
        if odd:  # leave room for the DO53 header inside Le
            want = max(0, want - 4)
        chunk = content[offset : offset + want]
        sw = SW.OK if chunk or offset < len(content) else SW.WARNING_END_OF_FILE
        return ResponseApdu(encode_tlv(0x53, chunk) if odd else chunk, sw)

    def _chip_authentication(self, cmd: CommandApdu, protected: bool) -> ResponseApdu:
        assert self._ca is not None
        if not protected or not self.app_selected:
            self._ca.abort()
            return ResponseApdu(b"", SW.SECURITY_STATUS_NOT_SATISFIED)
        resp = self._ca.handle(cmd)
        if self._ca.session is not None:
            self._next_sm, self._ca.session = self._ca.session, None
        return resp

    def _internal_authenticate(self, cmd: CommandApdu, protected: bool) -> ResponseApdu:
        if self.aa_key is None:
            return ResponseApdu(b"", SW.INS_NOT_SUPPORTED)
        if not protected or not self.app_selected:
            return ResponseApdu(b"", SW.SECURITY_STATUS_NOT_SATISFIED)
        if len(cmd.data) != 8:
            return ResponseApdu(b"", SW.WRONG_LENGTH)
        if self.aa_empty_extended and (cmd.le or 0) > 256:
            return ResponseApdu(b"", SW.OK)
        return ResponseApdu(self.aa_key.sign(cmd.data), SW.OK)
