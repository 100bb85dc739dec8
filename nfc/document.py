"""Read a whole eMRTD into one typed, frozen :class:`CardData`.

The chip's files are read once, parsed by their :mod:`nfc.lds` classes, and kept as read (``raw``)
for Passive Authentication. Active Authentication runs when DG15 is present.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from nfc.access import AccessKey
from nfc.errors import FileNotFoundOnChip, NfcError, ParseError
from nfc.lds import EF_COM, EF_SOD, file_for_data_group
from nfc.lds.com import Com
from nfc.lds.dg1 import Dg1
from nfc.lds.dg2 import Dg2, FaceImage
from nfc.lds.dg11 import Dg11
from nfc.lds.dg12 import Dg12
from nfc.lds.dg13 import CitizenInfo
from nfc.lds.dg15 import Dg15
from nfc.lds.mrz import Mrz
from nfc.lds.security_infos import Dg14
from nfc.lds.sod import parse_sod
from nfc.reader import ChipSession
from nfc.trust import CheckResult, CheckStatus
from nfc.trust.active import check_active_authentication
from nfc.trust.chip import check_chip_authentication
from nfc.trust.passive import PassiveResult, verify_passive_authentication
from nfc.trust.store import TrustStore

log = logging.getLogger(__name__)
T = TypeVar("T")

# what a CCCD check-in reads (DG11/DG12 are absent on CCCD but read when EF.COM lists them)
DEFAULT_DATA_GROUPS = (1, 2, 11, 12, 13, 14, 15)


@dataclass(frozen=True)
class ReadStats:
    apdu_count: int
    bytes_exchanged: int
    elapsed_s: float
    extended_length: bool


@dataclass(frozen=True)
class CardData:
    """Everything read from one chip. ``raw`` maps data group numbers (and 0 for EF.SOD) to bytes as read."""

    access: str
    com: Com
    mrz: Mrz
    citizen: CitizenInfo | None
    portrait: FaceImage | None
    dg11: Dg11 | None
    dg12: Dg12 | None
    dg14: Dg14 | None
    dg15: Dg15 | None
    sod: bytes
    raw: Mapping[int, bytes]
    passive_authentication: CheckResult
    active_authentication: CheckResult
    chip_authentication: CheckResult
    stats: ReadStats = field(compare=False)

    def __repr__(self) -> str:  # personal data stays out of logs and tracebacks
        return f"CardData(access={self.access!r}, data_groups={sorted(k for k in self.raw if k)})"


def read_document(session: ChipSession, key: AccessKey, *, trust: TrustStore | None = None,
                  data_groups: tuple[int, ...] = DEFAULT_DATA_GROUPS,
                  clock: Callable[[], float] = time.perf_counter) -> CardData:
    """Open the chip with ``key``, run Chip Authentication after DG14, read EF.SOD and the wanted data groups
    it has, check them with Passive Authentication against ``trust``, then run Active Authentication
    (only when DG15 is present and its hash verified)."""
    start = clock()
    access = session.open(key)
    com = _parsed(Com.parse, session.read_file(EF_COM), EF_COM.name)
    raw: dict[int, bytes] = {}
    chip = CheckResult(CheckStatus.NOT_SUPPORTED, "the chip has no DG14")
    if 14 in data_groups and 14 in com.data_groups:
        # ICAO order: Chip Authentication right after DG14, so every other file is read on its keys
        raw[14] = session.read_file(file_for_data_group(14))
        chip = _chip_authentication(session, key, raw[14], proof=lambda: raw.update(
            {1: session.read_file(file_for_data_group(1))}))  # DG1's answer proves the chip's key
    for number in data_groups:
        if number in raw or (number not in com.data_groups and number != 1):
            continue
        try:
            raw[number] = session.read_file(file_for_data_group(number))
        except FileNotFoundOnChip:
            log.warning("EF.COM lists DG%d but the chip has no such file", number)
    if 1 not in raw:
        raise NfcError("the chip has no DG1 (MRZ)", step="DG1")
    sod = session.read_file(EF_SOD)
    passive = _passive_authentication(sod, raw, trust)
    dg14 = _parsed(Dg14.parse, raw[14], "DG14") if 14 in raw else None
    dg15 = _parsed(Dg15.parse, raw[15], "DG15") if 15 in raw else None
    active = _active_authentication(session, dg14, dg15, passive)
    channel = session.channel
    return CardData(
        access=access,
        com=com,
        mrz=_parsed(Dg1.parse, raw[1], "DG1").mrz,
        citizen=_parsed(CitizenInfo.parse, raw[13], "DG13") if 13 in raw else None,
        portrait=_parsed(Dg2.parse, raw[2], "DG2").portrait if 2 in raw else None,
        dg11=_parsed(Dg11.parse, raw[11], "DG11") if 11 in raw else None,
        dg12=_parsed(Dg12.parse, raw[12], "DG12") if 12 in raw else None,
        dg14=dg14,
        dg15=dg15,
        sod=sod,
        raw=MappingProxyType({**raw, 0: sod}),
        passive_authentication=passive,
        active_authentication=active,
        chip_authentication=chip,
        stats=ReadStats(channel.stats.apdus, channel.stats.bytes_exchanged, clock() - start,
                        channel.extended_length),
    )


def _parsed(parse: Callable[[bytes], T], data: bytes, name: str) -> T:
    """``parse(data)``, its :class:`ParseError` naming the file as its step."""
    try:
        return parse(data)
    except ParseError as exc:
        exc.step = exc.step or name
        raise


def _passive_authentication(sod_bytes: bytes, raw: Mapping[int, bytes], trust: TrustStore | None) -> PassiveResult:
    try:
        sod = parse_sod(sod_bytes)
    except ParseError as exc:
        return PassiveResult(CheckStatus.INVALID, f"EF.SOD cannot be read: {exc}")
    return verify_passive_authentication(sod, raw, trust)


def _chip_authentication(session: ChipSession, key: AccessKey, dg14_bytes: bytes,
                         proof: Callable[[], object]) -> CheckResult:
    try:
        dg14 = Dg14.parse(dg14_bytes)
    except ParseError as exc:
        return CheckResult(CheckStatus.INVALID, f"DG14 cannot be read: {exc}")
    result = check_chip_authentication(session, dg14, proof=proof)
    if result.status == CheckStatus.INVALID:
        session.open(key)  # the secure session is gone; reopen only to finish reading (policy refuses)
    return result


def _active_authentication(session: ChipSession, dg14: Dg14 | None, dg15: Dg15 | None,
                           passive: PassiveResult) -> CheckResult:
    if dg15 is None:
        return CheckResult(CheckStatus.NOT_SUPPORTED, "the chip has no DG15")
    if 15 in passive.failed_data_groups:
        return CheckResult(CheckStatus.INVALID, "DG15 does not match EF.SOD, so its key cannot be trusted")
    info = dg14.active_authentication_info if dg14 is not None else None
    return check_active_authentication(session.internal_authenticate, dg15,
                                       info.signature_algorithm if info is not None else None, session.rng)
