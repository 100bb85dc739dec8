"""The reader chain: pcscd answers, a contactless reader is there (SAM and contact slots skipped), it takes
extended-length APDUs, and the card on it answers SELECT of the eMRTD application.

Nothing personal is read: the extended-length probe is a READ BINARY of EF.CardAccess, which every chip
gives in clear (PACE parameters only), and the card check stops at SELECT. Without a card the last two
checks are skipped, not failed: an empty reader is the normal state of a kiosk.
"""

from __future__ import annotations

from kiosk.doctor.result import CheckName, CheckResult, failed, passed, skipped, warned
from nfc.apdu import INS, SW, CommandApdu
from nfc.errors import ExtendedLengthNotSupported, NfcError, NoCardError
from nfc.lds import EF_CARD_ACCESS
from nfc.pcsc import PcscContext, choose_reader
from nfc.reader import EMRTD_AID
from nfc.transport import ApduChannel

PROBE_LE = 1024  # > 256: only an extended Le can ask for it


def reader_checks(reader: str | None, *, pattern: str | None = None, demo: bool = False) -> list[CheckResult]:
    """pcscd, reader, extended_apdu and card, in that order (each later one skipped when an earlier fails).
    ``reader`` is the configured name (or its beginning), ``pattern`` the profile's ``[reader] pattern``."""
    names = (CheckName.PCSCD, CheckName.READER, CheckName.EXTENDED_APDU, CheckName.CARD)
    if demo:
        return [skipped(name, "demo: the built-in virtual card is used, not PC/SC") for name in names]
    try:
        context = PcscContext()
    except NfcError as exc:
        return [failed(CheckName.PCSCD, f"pcscd does not answer: {exc}", "doctor.pcscd_down"),
                *(skipped(name, "pcscd does not answer") for name in names[1:])]
    try:
        results = [passed(CheckName.PCSCD, "pcscd answers")]
        chosen, reader_result = _reader(context, reader, pattern)
        results.append(reader_result)
        if chosen is None:
            return [*results, *(skipped(name, "no reader to use") for name in names[2:])]
        return [*results, *_card(context, chosen)]
    finally:
        context.close()


def reader_choice(names: list[str], reader: str | None,
                  pattern: str | None = None) -> tuple[str | None, list[dict[str, str]]]:
    """The reader the kiosk will use and the ones it passes over, by the check-in's own rule
    (:func:`nfc.pcsc.open_reader`: the configured name or its beginning, else :func:`choose_reader`)."""
    if reader is not None:
        chosen = next((n for n in names if n == reader or n.startswith(reader)), None)
        others = [{"name": n, "reason": "not_the_configured_reader"} for n in names if n != chosen]
        return chosen, others if chosen is not None else []
    choice = choose_reader(names, pattern)
    return choice.chosen, [{"name": s.name, "reason": str(s.reason)} for s in choice.skipped]


def _reader(context: PcscContext, reader: str | None, pattern: str | None) -> tuple[str | None, CheckResult]:
    try:
        names = context.readers()
        chosen, skipped_readers = reader_choice(names, reader, pattern)
    except NfcError as exc:
        return None, failed(CheckName.READER, f"cannot list readers: {exc}", "doctor.reader_missing")
    if not names:
        return None, failed(CheckName.READER, "no PC/SC reader is connected", "doctor.reader_missing")
    if chosen is None:
        wanted = f" named {reader!r}" if reader else f" matching {pattern!r}" if pattern else ""
        return None, failed(CheckName.READER, f"no usable reader{wanted} among: {', '.join(names)}",
                            "doctor.reader_not_chosen", readers=names, skipped=skipped_readers)
    detail = f"using {chosen!r}"
    if skipped_readers:
        detail += "; skipped " + ", ".join(f"{s['name']!r} ({s['reason']})" for s in skipped_readers)
    return chosen, passed(CheckName.READER, detail, reader=chosen, readers=names, skipped=skipped_readers)


def _card(context: PcscContext, reader: str) -> list[CheckResult]:
    try:
        present = context.card_present(reader)
    except NfcError as exc:
        present, error = False, exc
    else:
        error = None
    if not present:
        why = f"cannot see the card state: {error}" if error else "no card on the reader"
        return [skipped(CheckName.EXTENDED_APDU, f"{why}: lay a card to test extended APDUs", "doctor.lay_card"),
                skipped(CheckName.CARD, why, "doctor.lay_card")]
    try:
        connection = context.connect(reader)
    except NoCardError as exc:
        return [skipped(CheckName.EXTENDED_APDU, str(exc), "doctor.lay_card"),
                skipped(CheckName.CARD, str(exc), "doctor.lay_card")]
    except NfcError as exc:
        return [skipped(CheckName.EXTENDED_APDU, "cannot connect to the card"),
                failed(CheckName.CARD, f"cannot connect to the card: {exc}", "doctor.card_unreadable")]
    try:
        channel = ApduChannel(connection)
        return [_extended(channel), _select(channel)]
    finally:
        connection.close()


def _extended(channel: ApduChannel) -> CheckResult:
    try:
        selected = channel.send(CommandApdu(0x00, INS.SELECT, 0x02, 0x0C, EF_CARD_ACCESS.fid.to_bytes(2, "big")))
        p1 = 0x00 if selected.sw == SW.OK else 0x80 | EF_CARD_ACCESS.sfi  # by short EF id if SELECT failed
        resp = channel.send(CommandApdu(0x00, INS.READ_BINARY, p1, 0x00, le=PROBE_LE))
    except ExtendedLengthNotSupported as exc:
        return warned(CheckName.EXTENDED_APDU, f"short APDUs only ({exc}): reads work, more slowly",
                      "doctor.short_apdu_only", extended=False)
    except NfcError as exc:
        return failed(CheckName.EXTENDED_APDU, f"the probe failed: {exc}", "doctor.card_unreadable")
    return passed(CheckName.EXTENDED_APDU, f"extended-length APDUs pass (probe answered {resp.sw:04X})",
                  extended=True)


def _select(channel: ApduChannel) -> CheckResult:
    try:
        resp = channel.send(CommandApdu(0x00, INS.SELECT, 0x04, 0x0C, EMRTD_AID))
    except NfcError as exc:
        return failed(CheckName.CARD, f"SELECT of the eMRTD application failed: {exc}", "doctor.card_unreadable")
    if resp.sw != SW.OK:
        return failed(CheckName.CARD, f"the card refused SELECT of the eMRTD application ({resp.sw:04X}): "
                      "not an ID card chip?", "doctor.card_not_emrtd", sw=f"{resp.sw:04X}")
    return passed(CheckName.CARD, "a card answers SELECT of the eMRTD application")
