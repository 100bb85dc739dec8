"""``python -m kiosk read``: open a CCCD chip and print what it holds (the chip library's contract).

Exit status: 0 read and every performed check passed; 1 a check failed (JSON still printed) or a file
is malformed; 2 usage error; 3 the card refused the access key; 4 no reader, no card, or the link failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from pathlib import Path

from kiosk.cli import error_line
from kiosk.commands.arguments import access_key, number
from kiosk.errors import UsageError
from kiosk.files import readable_input, writable_file
from kiosk.settings import config_dir
from kiosk.simulator import demo_card, demo_pki
from nfc.access import AccessKey
from nfc.document import CardData, read_document
from nfc.errors import AccessDeniedError, AccessKeyError, NfcError, ParseError, TransportError
from nfc.pcsc import open_reader
from nfc.reader import ChipSession
from nfc.transport import Connection, InProcessConnection
from nfc.trust.store import TrustStore

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_ACCESS_DENIED, EXIT_LINK = 0, 1, 2, 3, 4


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("read", help="read a CCCD chip and print its data")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--reader", metavar="NAME", help="PC/SC reader name (or its beginning)")
    where.add_argument("--simulator", action="store_true", help="read the built-in virtual card in-process")
    key = parser.add_mutually_exclusive_group()
    key.add_argument("--id", metavar="ID12", help="12-digit CCCD number (the CAN is its last 6 digits)")
    key.add_argument("--can", help="6-digit card access number")
    key.add_argument("--mrz", metavar="DOCNO:YYMMDD:YYMMDD", help="document number, birth and expiry dates")
    key.add_argument("--qr", metavar="TEXT", help="text of the QR code printed on the card")
    parser.add_argument("--csca", metavar="PATH", action="append",
                        help="CSCA certificates, folders of them, master lists or CRLs (repeatable; "
                             "default: config/csca/)")
    parser.add_argument("--portrait-out", metavar="FILE", type=Path, help="write the chip's portrait image here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--wait", type=number(0, 3600), default=5.0, metavar="SECONDS",
                        help="how long to wait for a card on a PC/SC reader (default 5)")
    parser.add_argument("--no-extended", action="store_true", help="never send extended-length APDUs")
    parser.set_defaults(func=run)


def _connect(args: argparse.Namespace) -> tuple[Connection, AccessKey | None]:
    """The connection to read from, and the key to use when none was given (the virtual card's own)."""
    if args.simulator:
        card = demo_card()
        return InProcessConnection(card.card), card.key
    return open_reader(args.reader, wait_s=args.wait), None


def trust_store(paths: list[str] | None, *, simulator: bool) -> TrustStore:
    """The anchors named on the command line (default: config/csca/), plus the virtual card's test CSCA
    when reading the built-in simulator."""
    for path in paths or ():
        readable_input(path, "--csca")  # an unreadable folder must not pass for an empty one
    try:
        store = TrustStore.load(paths or [config_dir() / "csca"])
    except NfcError as exc:
        raise UsageError(str(exc)) from exc
    return store.with_certificates([demo_pki().csca_certificate], source="built-in virtual card") if simulator \
        else store


def run(args: argparse.Namespace) -> int:
    key = access_key(args)
    trust = trust_store(args.csca, simulator=args.simulator)
    if args.portrait_out:  # before the card is read, not after
        writable_file(args.portrait_out, "--portrait-out")
    try:
        connection, default_key = _connect(args)
    except TransportError as exc:
        return _fail(exc, EXIT_LINK)
    key = key or default_key
    if key is None:
        connection.close()
        raise UsageError("give the access key: --id, --can, --mrz or --qr")
    try:
        with connection:
            data = read_document(ChipSession(connection, prefer_extended=not args.no_extended), key, trust=trust)
    except AccessDeniedError as exc:
        return _fail(exc, EXIT_ACCESS_DENIED)
    except AccessKeyError as exc:
        return _fail(exc, EXIT_USAGE)
    except ParseError as exc:
        return _fail(exc, EXIT_CHECK_FAILED)
    except NfcError as exc:  # transport, secure messaging, refused commands: the link is not usable
        return _fail(exc, EXIT_LINK)
    if args.portrait_out and data.portrait is not None:
        try:
            args.portrait_out.write_bytes(data.portrait.image)
        except OSError as exc:
            raise UsageError(f"--portrait-out {args.portrait_out}: cannot be written ({exc.strerror})") from exc
    document = card_json(data)
    print(json.dumps(document, ensure_ascii=False, indent=2) if args.json else summary(document))
    checks = (data.passive_authentication, data.active_authentication, data.chip_authentication)
    return EXIT_CHECK_FAILED if any(c.failed for c in checks) else EXIT_OK


def _fail(exc: NfcError, status: int) -> int:
    print(error_line(exc.message_key, exc.step or "chip", str(exc)), file=sys.stderr)
    return status


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def card_json(data: CardData) -> dict:
    """The JSON contract of ``read --json`` (documented in the README)."""
    mrz, citizen, portrait = data.mrz, data.citizen, data.portrait
    return {
        "access": data.access,
        "mrz": {
            "document_code": mrz.document_code,
            "issuing_state": mrz.issuing_state,
            "document_number": mrz.document_number,
            "date_of_birth": _iso(mrz.date_of_birth),
            "date_of_expiry": _iso(mrz.date_of_expiry),
            "sex": mrz.sex,
            "nationality": mrz.nationality,
            "names": " ".join(p for p in (mrz.primary_identifier, mrz.secondary_identifier) if p),
            "optional_data": mrz.optional_data,
        },
        "citizen": None if citizen is None else {
            "id_number": citizen.id_number,
            "full_name": citizen.full_name,
            "date_of_birth": _iso(citizen.date_of_birth) or citizen.date_of_birth_text,
            "sex": citizen.sex,
            "nationality": citizen.nationality,
            "ethnicity": citizen.ethnicity,
            "religion": citizen.religion,
            "hometown": citizen.hometown,
            "residence": citizen.residence,
            "identifying_marks": citizen.identifying_marks,
            "issue_date": _iso(citizen.issue_date),
            "expiry_date": _iso(citizen.expiry_date) or citizen.expiry_text,
            "father_name": citizen.father_name,
            "mother_name": citizen.mother_name,
            "spouse_name": citizen.spouse_name,
            "old_id_number": citizen.old_id_number,
        },
        "portrait": None if portrait is None else {
            "format": portrait.format,
            "sha256": hashlib.sha256(portrait.image).hexdigest(),
            "width": portrait.width,
            "height": portrait.height,
            "bytes": len(portrait.image),
        },
        "data_groups": sorted(n for n in data.raw if n),
        "passive_authentication": {"status": data.passive_authentication.status,
                                   "detail": data.passive_authentication.detail},
        "active_authentication": {"status": data.active_authentication.status,
                                  "detail": data.active_authentication.detail},
        "chip_authentication": {"status": data.chip_authentication.status,
                                "detail": data.chip_authentication.detail},
        "apdu_count": data.stats.apdu_count,
        "bytes_exchanged": data.stats.bytes_exchanged,
        "extended_length": data.stats.extended_length,
        "elapsed_s": round(data.stats.elapsed_s, 4),
    }


_LABELS = {
    "id_number": "Số định danh", "full_name": "Họ và tên", "date_of_birth": "Ngày sinh", "sex": "Giới tính",
    "nationality": "Quốc tịch", "ethnicity": "Dân tộc", "religion": "Tôn giáo", "hometown": "Quê quán",
    "residence": "Nơi thường trú", "identifying_marks": "Đặc điểm nhận dạng", "issue_date": "Ngày cấp",
    "expiry_date": "Có giá trị đến", "father_name": "Họ tên cha", "mother_name": "Họ tên mẹ",
    "spouse_name": "Họ tên vợ/chồng", "old_id_number": "Số CMND cũ",
}


def summary(document: dict) -> str:
    """A readable summary with Vietnamese labels."""
    lines = [f"Truy cập chip / Access: {document['access']}"]
    for field, label in _LABELS.items():
        value = (document["citizen"] or {}).get(field)
        if value:
            lines.append(f"{label}: {value}")
    if document["portrait"]:
        p = document["portrait"]
        lines.append(f"Ảnh chân dung / Portrait: {p['format']} {p['width']}x{p['height']}, {p['bytes']} bytes")
    lines.append(f"Xác thực thụ động / Passive Authentication: {document['passive_authentication']['status']}")
    lines.append(f"Xác thực chủ động / Active Authentication: {document['active_authentication']['status']}")
    lines.append(f"Xác thực chip / Chip Authentication: {document['chip_authentication']['status']}")
    lines.append(f"{document['apdu_count']} APDU, {document['bytes_exchanged']} bytes, {document['elapsed_s']} s")
    return "\n".join(lines)
