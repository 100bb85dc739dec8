"""Basic Access Control (ICAO 9303-11 §4.3), terminal side.

The MRZ key seed gives Kenc/Kmac; GET CHALLENGE and EXTERNAL AUTHENTICATE exchange nonces and key
halves encrypted and MACed under them; the session keys come from K.IFD xor K.IC and the SSC from the
nonces. The chip side is :class:`nfc.sim.bac_chip.BacChip`.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable

from nfc.access import MrzKey
from nfc.apdu import INS, SW, CommandApdu
from nfc.crypto import CIPHER_3DES, KDF_ENC, KDF_MAC, des3_cbc_decrypt, des3_cbc_encrypt, kdf, pad, retail_mac
from nfc.errors import AccessDeniedError, ApduError
from nfc.sm import SecureMessaging
from nfc.transport import ApduSender

NONCE_LENGTH = 8
KEY_HALF_LENGTH = 16
CRYPTOGRAM_LENGTH = 40  # E (32) || M (8)

# Status words a chip uses to turn the MRZ key down.
REFUSAL_SWS = frozenset({0x6300, SW.SECURITY_STATUS_NOT_SATISFIED, SW.AUTH_METHOD_BLOCKED,
                         SW.SM_DATA_OBJECTS_INCORRECT})


def derive_bac_keys(key_seed: bytes) -> tuple[bytes, bytes]:
    """(Kenc, Kmac) from the 16-byte key seed (D.2)."""
    return kdf(key_seed, KDF_ENC, CIPHER_3DES), kdf(key_seed, KDF_MAC, CIPHER_3DES)


def seal(k_enc: bytes, k_mac: bytes, plain: bytes) -> bytes:
    """E || M of EXTERNAL AUTHENTICATE: 3DES-CBC of ``plain`` then the retail MAC over it."""
    encrypted = des3_cbc_encrypt(k_enc, plain)
    return encrypted + retail_mac(k_mac, pad(encrypted))


def unseal(k_enc: bytes, k_mac: bytes, cryptogram: bytes) -> bytes | None:
    """Check the MAC of E || M and decrypt E; None when the length or MAC is wrong."""
    if len(cryptogram) != CRYPTOGRAM_LENGTH:
        return None
    encrypted, mac = cryptogram[:32], cryptogram[32:]
    if not hmac.compare_digest(retail_mac(k_mac, pad(encrypted)), mac):
        return None
    return des3_cbc_decrypt(k_enc, encrypted)


def session_from(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SecureMessaging:
    """Session keys from K.IFD xor K.IC, SSC = last 4 bytes of RND.IC || last 4 bytes of RND.IFD (D.3)."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    ks_enc, ks_mac = derive_bac_keys(seed)
    ssc = int.from_bytes(rnd_ic[-4:] + rnd_ifd[-4:], "big")
    return SecureMessaging(CIPHER_3DES, ks_enc, ks_mac, ssc)


def perform_bac(sender: ApduSender, key: MrzKey, rng: Callable[[int], bytes] = os.urandom) -> SecureMessaging:
    """Run BAC and return the terminal's secure messaging.

    ``rng`` is asked for RND.IFD (8 bytes) and then K.IFD (16 bytes). A chip refusing the key raises
    :class:`~nfc.errors.AccessDeniedError`; any other error status :class:`~nfc.errors.ApduError`.
    """
    k_enc, k_mac = derive_bac_keys(key.key_seed())

    resp = sender.send(CommandApdu(0x00, INS.GET_CHALLENGE, 0, 0, le=NONCE_LENGTH))
    if not resp.ok:
        raise ApduError("GET CHALLENGE refused", resp.sw, step="bac.get_challenge")
    rnd_ic = resp.data
    if len(rnd_ic) != NONCE_LENGTH:
        raise ApduError(f"GET CHALLENGE returned {len(rnd_ic)} bytes, expected 8", resp.sw,
                        step="bac.get_challenge")

    rnd_ifd = rng(NONCE_LENGTH)
    k_ifd = rng(KEY_HALF_LENGTH)
    cryptogram = seal(k_enc, k_mac, rnd_ifd + rnd_ic + k_ifd)
    resp = sender.send(CommandApdu(0x00, INS.EXTERNAL_AUTHENTICATE, 0, 0, cryptogram, le=CRYPTOGRAM_LENGTH))
    if resp.sw in REFUSAL_SWS:
        raise AccessDeniedError("the chip refused the MRZ key", step="bac.external_authenticate", sw=resp.sw)
    if not resp.ok:
        raise ApduError("EXTERNAL AUTHENTICATE failed", resp.sw, step="bac.external_authenticate")

    plain = unseal(k_enc, k_mac, resp.data)
    if plain is None or not hmac.compare_digest(plain[:8], rnd_ic) or not hmac.compare_digest(plain[8:16],
                                                                                                rnd_ifd):
        raise AccessDeniedError("the chip's BAC cryptogram did not verify", step="bac.external_authenticate",
                                sw=resp.sw)
    return session_from(k_ifd, plain[16:32], rnd_ic, rnd_ifd)
