"""Chip Authentication as a trust check (ICAO 9303-11 §6.2): does the chip hold the private key of DG14?

The protocol (:mod:`nfc.chip_auth`) agrees new session keys with DG14's public key; only a chip holding the
private key can then answer under them. So the first protected answer after the switch is the proof: it is
``valid`` when it verifies, ``invalid`` when the chip refuses the protocol or its answer does not verify
(a clone, or a chip substituted under a copied DG14). ``not_supported`` when DG14 offers no Chip
Authentication this library runs; the session is then untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nfc.apdu import INS, SW, CommandApdu
from nfc.chip_auth import ChipAuthenticationUnsupported, chip_authentication_parameters
from nfc.errors import ApduError, ParseError, SecureMessagingError
from nfc.lds import EF_COM
from nfc.lds.security_infos import Dg14
from nfc.trust import CheckResult, CheckStatus

if TYPE_CHECKING:
    from nfc.reader import ChipSession


def check_chip_authentication(session: ChipSession, dg14: Dg14, *,
                              proof: Callable[[], object] | None = None) -> CheckResult:
    """Run Chip Authentication on the opened ``session`` and prove the chip's key with its next answer.

    ``proof`` is that first protected exchange on the new keys (by default SELECT EF.COM); a reader that needs
    one anyway (the next file's first read) passes it to save an APDU. After ``invalid`` the secure session is
    gone: open the chip again to read on. Transport failures (card removed) propagate.
    """
    try:
        params = chip_authentication_parameters(dg14)
    except ChipAuthenticationUnsupported as exc:
        return CheckResult(CheckStatus.NOT_SUPPORTED, str(exc))
    what = f"{params.protocol_name} on {params.curve_name}"
    try:
        session.authenticate_chip(params)
    except ApduError as exc:  # a chip whose signed DG14 offers CA but will not run it is not that chip
        return CheckResult(CheckStatus.INVALID, f"Chip Authentication ({what}): {exc}")
    except SecureMessagingError as exc:
        return CheckResult(CheckStatus.INVALID, f"Chip Authentication ({what}): secure messaging broke before the "
                                                f"key switch: {exc}")
    except ParseError as exc:
        return CheckResult(CheckStatus.INVALID, f"Chip Authentication ({what}): {exc}")
    try:
        status = _prove(session, proof)
    except SecureMessagingError as exc:
        return CheckResult(CheckStatus.INVALID, f"the chip could not prove its Chip Authentication key ({what}): its "
                                                f"answer under the new session keys does not verify ({exc}); "
                                                "possible clone")
    return CheckResult(CheckStatus.VALID, f"the chip proved the DG14 key with {what}: its answer under the new "
                                          f"session keys verifies{status}; secure messaging continues on those keys")


def _prove(session: ChipSession, proof: Callable[[], object] | None) -> str:
    """The first exchange under the new keys; a note when the chip answered it with an error status."""
    if proof is not None:
        proof()
        return ""
    resp = session.sender.send(CommandApdu(0x00, INS.SELECT, 0x02, 0x0C, EF_COM.fid.to_bytes(2, "big")))
    return "" if resp.sw == SW.OK else f" (it answered SW {resp.sw:04X} to SELECT EF.COM)"
