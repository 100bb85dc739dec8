"""``python -m kiosk sim``: serve the built-in virtual CCCD to pcscd through the vpcd driver.

With pcscd and vsmartcard-vpcd installed, the card then shows up to any PC/SC program in reader
``Virtual PCD 00 00``. Fault options model a tampered, cloned or BAC-only card, a card pulled away
after N APDUs, and a reader that refuses extended-length APDUs; hostile options a card whose files are
whatever bytes are given, or announce any length, and a chip that answers Active Authentication with
extended Le without a signature.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path

from kiosk.cli import error_line
from kiosk.commands.arguments import integer
from kiosk.errors import UsageError
from kiosk.files import writable_file
from kiosk.simulator import demo_card
from nfc.errors import TransportError
from nfc.lds import file_by_name
from nfc.sim import vpcd
from nfc.sim.builder import SOD_VARIANTS, CardOptions
from nfc.sim.link import LinkModel, ReaderFaults, SimulatedReader

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("sim", help="serve the virtual CCCD to pcscd (vpcd driver)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=integer(1, 65535), default=vpcd.DEFAULT_PORT)
    parser.add_argument("--bac-only", action="store_true", help="no EF.CardAccess, no PACE")
    parser.add_argument("--aa", default="ec-p256", choices=("ec-p256", "ec-brainpoolP256r1", "rsa-1024",
                                                            "rsa-2048", "none"),
                        help="Active Authentication key kind (default ec-p256)")
    parser.add_argument("--clone", action="store_true", help="AA key does not match DG15 (a cloned chip)")
    parser.add_argument("--no-chip-auth", action="store_true", help="no Chip Authentication in DG14")
    parser.add_argument("--ca-mismatch", action="store_true", help="CA key does not match DG14 (a cloned chip)")
    parser.add_argument("--tamper-dg", type=integer(1, 16), metavar="N", help="change DG N after EF.SOD was signed")
    parser.add_argument("--sod", default="genuine", choices=SOD_VARIANTS,
                        help="how EF.SOD is signed: genuine, by an expired DSC, by a DSC of another CSCA, "
                             "or with a broken signature")
    parser.add_argument("--remove-after", type=integer(0), metavar="N", help="take the card away after N APDUs")
    parser.add_argument("--refuse-extended", action="store_true", help="the reader answers 6700 to extended APDUs")
    parser.add_argument("--file", action="append", default=[], metavar="NAME=HEX", type=_raw_file,
                        help="serve these bytes as file NAME (EF.CardAccess, EF.COM, EF.SOD, DG1 … DG16; repeatable)")
    parser.add_argument("--announce", action="append", default=[], metavar="NAME=BYTES", type=_announced_file,
                        help="file NAME announces BYTES value bytes in its header, and serves them (repeatable)")
    parser.add_argument("--aa-empty-extended", action="store_true",
                        help="the chip answers INTERNAL AUTHENTICATE with extended Le without a signature")
    parser.add_argument("--csca-out", type=Path, metavar="FILE", help="write the card's test CSCA (PEM) here")
    parser.add_argument("--master-list-out", type=Path, metavar="FILE",
                        help="write a CMS master list holding the card's test CSCA here (.ml)")
    parser.add_argument("--once", action="store_true",
                        help="exit when the first session ends (else serve again, waiting for pcscd if it restarts)")
    parser.set_defaults(func=run)


def _file_name(name: str) -> str:
    try:
        return file_by_name(name).name
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"no chip file {name!r}: EF.CardAccess, EF.COM, EF.SOD or DG1 to DG16") from None


def _raw_file(text: str) -> tuple[str, bytes]:
    name, _, value = text.partition("=")
    try:
        return _file_name(name), bytes.fromhex(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value[:20]!r}… is not hexadecimal bytes") from None


def _announced_file(text: str) -> tuple[str, int]:
    name, _, value = text.partition("=")
    if not value.isascii() or not value.isdigit() or not 0 <= int(value) < 1 << 32:
        raise argparse.ArgumentTypeError(f"{value!r} is not a length from 0 to 4294967295")
    return _file_name(name), int(value)


def run(args: argparse.Namespace) -> int:
    options = CardOptions(bac_only=args.bac_only, aa=None if args.aa == "none" else args.aa, clone=args.clone,
                          tamper_dg=args.tamper_dg, chip_auth=not args.no_chip_auth, ca_key_mismatch=args.ca_mismatch,
                          sod=args.sod, raw_files=tuple(args.file), announced_files=tuple(args.announce),
                          aa_empty_extended=args.aa_empty_extended)
    for path, what in ((args.csca_out, "--csca-out"), (args.master_list_out, "--master-list-out")):
        if path is not None:
            writable_file(path, what)
    try:
        demo = demo_card(options)
    except KeyError as exc:  # build_card tampers groups[tamper_dg]
        raise UsageError(f"--tamper-dg {args.tamper_dg}: the virtual card has no DG{args.tamper_dg} "
                         "with these options") from exc
    try:
        if args.csca_out:
            demo.pki.write_csca(args.csca_out)
        if args.master_list_out:
            args.master_list_out.write_bytes(demo.pki.master_list())
    except OSError as exc:
        raise UsageError(f"cannot write the test CSCA ({exc.strerror})") from exc
    faults = ReaderFaults(refuse_extended="sw" if args.refuse_extended else None, remove_after=args.remove_after)
    signal.signal(signal.SIGTERM, _take_away)
    print(f"virtual CCCD ready on vpcd {args.host}:{args.port} (CAN {demo.key.can})", flush=True)
    while True:
        reader = SimulatedReader(demo.card, LinkModel(), faults)
        try:
            sock = vpcd.connect(args.host, args.port, timeout_s=10.0 if args.once else None)
            demo.card.reset()
            ended = vpcd.serve(reader, sock)
        except TransportError as exc:
            print(error_line(exc.message_key, exc.step or "vpcd", str(exc)), file=sys.stderr)
            return 4
        except _TakenAway:
            ended = "card taken away"
            reader.removed = True
        log.info("session ended: %s after %d APDUs", ended, reader.apdus)
        print(f"session ended: {ended} after {reader.apdus} APDUs", flush=True)
        if args.once or reader.removed:
            return 0
        time.sleep(0.2)


class _TakenAway(Exception):
    """SIGTERM: the person took the card away (the session's APDU count is still printed)."""


def _take_away(signum: int, frame: object) -> None:
    raise _TakenAway
