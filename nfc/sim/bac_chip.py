"""The chip side of Basic Access Control (GET CHALLENGE, EXTERNAL AUTHENTICATE) for the virtual card."""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable

from nfc.access import MrzKey
from nfc.apdu import INS, SW, CommandApdu, ResponseApdu
from nfc.bac import CRYPTOGRAM_LENGTH, KEY_HALF_LENGTH, NONCE_LENGTH, derive_bac_keys, seal, session_from, unseal
from nfc.sm import SecureMessaging

SW_AUTH_FAILED = 0x6300


class BacChip:
    """Answers BAC for one MRZ key; ``session`` is set when EXTERNAL AUTHENTICATE succeeds.

    A failed EXTERNAL AUTHENTICATE (wrong key, stale challenge) answers 6300 and needs a new challenge.
    """

    def __init__(self, key: MrzKey, rng: Callable[[int], bytes] = os.urandom) -> None:
        self._k_enc, self._k_mac = derive_bac_keys(key.key_seed())
        self._rng = rng
        self._challenge: bytes | None = None
        self.session: SecureMessaging | None = None

    def handles(self, cmd: CommandApdu) -> bool:
        return cmd.ins in (INS.GET_CHALLENGE, INS.EXTERNAL_AUTHENTICATE)

    def handle(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.ins == INS.GET_CHALLENGE:
            return self._get_challenge(cmd)
        if cmd.ins == INS.EXTERNAL_AUTHENTICATE:
            return self._external_authenticate(cmd)
        return ResponseApdu(b"", SW.INS_NOT_SUPPORTED)

    def _get_challenge(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.p1 or cmd.p2:
            return ResponseApdu(b"", SW.INCORRECT_P1P2)
        if cmd.data or cmd.le != NONCE_LENGTH:
            return ResponseApdu(b"", SW.WRONG_LENGTH)
        self._challenge = self._rng(NONCE_LENGTH)
        return ResponseApdu(self._challenge, SW.OK)

    def _external_authenticate(self, cmd: CommandApdu) -> ResponseApdu:
        challenge, self._challenge = self._challenge, None  # one attempt per challenge
        if challenge is None:
            return ResponseApdu(b"", SW.CONDITIONS_NOT_SATISFIED)
        if cmd.p1 or cmd.p2:
            return ResponseApdu(b"", SW.INCORRECT_P1P2)
        if len(cmd.data) != CRYPTOGRAM_LENGTH:
            return ResponseApdu(b"", SW.WRONG_LENGTH)
        plain = unseal(self._k_enc, self._k_mac, cmd.data)
        if plain is None or not hmac.compare_digest(plain[8:16], challenge):
            return ResponseApdu(b"", SW_AUTH_FAILED)
        rnd_ifd, k_ifd = plain[:8], plain[16:32]
        k_ic = self._rng(KEY_HALF_LENGTH)
        answer = seal(self._k_enc, self._k_mac, challenge + rnd_ifd + k_ic)
        self.session = session_from(k_ifd, k_ic, challenge, rnd_ifd)
        return ResponseApdu(answer, SW.OK)
