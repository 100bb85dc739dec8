"""``python -m kiosk bench fuzz``: N mutated inputs for every parser of the product, and what came out.

The parsers are the chip library's (:mod:`nfc.sim.corpus`: every data group, EF.CardAccess, EF.SOD, master
lists, CRLs, secure messaging …), portrait decoding, and the kiosk's own: IATA boarding passes, the CCCD QR
code, typed key text, exam rosters (CSV and XLSX, the sheet XML mutated inside its zip) and profiles (TOML).
Each input is a genuine one mutated by :func:`nfc.sim.mutate.mutate`; it either parses, raises a typed
error (``NfcError``, ``KioskError``, ``BiometricsError``), or is an *untyped* failure: any other exception,
which is a bug. The inputs come from the demo citizen and fictional data, so failures print their input.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import random
import time
import traceback
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from biometrics.errors import BiometricsError
from kiosk.commands.arguments import integer
from kiosk.errors import KioskError, UsageError
from kiosk.simulator import demo_portrait
from nfc.errors import NfcError
from nfc.sim.corpus import FuzzTarget, fuzz_targets
from nfc.sim.mutate import mutate

TYPED = (NfcError, KioskError, BiometricsError)
EXAMPLES_KEPT = 3


def register(targets: argparse._SubParsersAction) -> None:
    parser = targets.add_parser("fuzz", help="mutated inputs for every parser: typed errors and untyped failures")
    parser.add_argument("--inputs", type=integer(1, 100_000_000), default=10_000, metavar="N",
                        help="mutated inputs per parser")
    parser.add_argument("--seed", type=integer(0), default=1, help="random seed (the run is reproducible)")
    parser.add_argument("--only", action="append", metavar="PARSER", help="fuzz only this parser (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the parsers and exit")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


# --- the kiosk's and the face engine's parsers ----------------------------------------------------------------

def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _key_text(data: bytes) -> None:
    """What a person types: an ID number, a CAN or MRZ data. Parsed when one of the three takes it; the
    last typed error when none does."""
    from kiosk import keys

    text = _text(data)
    refused: Exception | None = None
    for parse in (keys.key_from_id, keys.key_from_can, keys.key_from_mrz):
        try:
            parse(text)
            return
        except TYPED as exc:
            refused = exc
    assert refused is not None
    raise refused


def _qr_seed() -> bytes:
    from nfc.sim.citizen import demo_citizen

    c = demo_citizen()
    fields = (c.id_number, c.old_id_number, c.full_name, c.date_of_birth.strftime("%d%m%Y"), c.sex, c.residence,
              c.issue_date.strftime("%d%m%Y"))
    return "|".join(fields).encode()


def _portrait_seeds() -> tuple[bytes, ...]:
    import cv2

    from biometrics.portrait import demo_face_rgb

    jpeg = cv2.imencode(".jpg", cv2.cvtColor(demo_face_rgb()[::4, ::4], cv2.COLOR_RGB2BGR))[1].tobytes()
    return demo_portrait().image, jpeg


def _xlsx_parts() -> dict[str, bytes]:
    import csv

    import openpyxl

    from kiosk.demo_site import DEMO_ROSTER

    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(DEMO_ROSTER), delimiter=";"):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _xlsx(parts: dict[str, bytes], part: str) -> FuzzTarget:
    """The roster workbook with ``part`` (the sheet's XML; openpyxl writes its text inline) mutated in its zip."""
    from kiosk.adapters.roster import parse_xlsx_roster

    def run(data: bytes) -> object:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, content in parts.items():
                archive.writestr(name, data if name == part else content)
        return parse_xlsx_roster(out.getvalue())

    return FuzzTarget("roster_xlsx", (parts[part],), run, TYPED)


def kiosk_targets() -> tuple[FuzzTarget, ...]:
    """The kiosk's parsers, each a plain function of the bytes (kiosk.adapters.roster.parse_*_roster and
    kiosk.settings.parse_profile take bytes: no temporary file is written)."""
    from biometrics.portrait import decode_portrait
    from kiosk.adapters.bcbp import parse_bcbp
    from kiosk.adapters.roster import parse_csv_roster
    from kiosk.demo_site import DEMO_ROSTER, demo_boarding_pass
    from kiosk.keys import parse_qr
    from kiosk.settings import config_dir, parse_profile

    parts = _xlsx_parts()
    profiles = tuple((config_dir() / f"{name}.toml").read_bytes() for name in ("demo", "hospital", "airport", "exam"))
    boarding = demo_boarding_pass(datetime(2026, 5, 14)).encode()
    return (
        FuzzTarget("portrait_decoding", _portrait_seeds(), decode_portrait, TYPED),
        FuzzTarget("boarding_pass_bcbp", (boarding,), lambda d: parse_bcbp(_text(d)), TYPED),
        FuzzTarget("cccd_qr", (_qr_seed(),), lambda d: parse_qr(_text(d)), TYPED),
        FuzzTarget("key_text", (b"001303004567", b"303004567:030514:280514", b"004567"), _key_text, TYPED),
        FuzzTarget("roster_csv", (DEMO_ROSTER.encode(), DEMO_ROSTER.encode("utf-16")), parse_csv_roster, TYPED),
        _xlsx(parts, "xl/worksheets/sheet1.xml"),
        FuzzTarget("profile_toml", profiles, lambda d: parse_profile(d, Path("/etc/cccd-kiosk/profile.toml")), TYPED),
    )


# --- the run ------------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """What N mutated inputs of one parser gave."""

    name: str
    inputs: int = 0
    parsed: int = 0
    typed: int = 0
    untyped: int = 0
    seconds: float = 0.0
    failures: Counter = field(default_factory=Counter)  # (exception, where) -> count
    examples: dict = field(default_factory=dict)  # (exception, where) -> input (hex), first few

    def describe(self) -> dict:
        return {"parser": self.name, "inputs": self.inputs, "parsed": self.parsed, "typed_errors": self.typed,
                "untyped_failures": self.untyped, "inputs_per_s": round(self.inputs / self.seconds) if self.seconds
                else None, "failures": [{"error": e, "where": w, "count": n, "input_hex": self.examples[(e, w)]}
                                        for (e, w), n in self.failures.most_common()]}


def fuzz(target: FuzzTarget, inputs: int, rng: random.Random) -> Tally:
    tally = Tally(target.name)
    start = time.perf_counter()
    for _ in range(inputs):
        data = mutate(rng.choice(target.seeds), rng)
        tally.inputs += 1
        try:
            target.run(data)
            tally.parsed += 1
        except target.typed:
            tally.typed += 1
        except Exception as exc:  # noqa: BLE001 - any other exception is an untyped failure: counting them is the point
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = (type(exc).__name__, f"{Path(frame.filename).name}:{frame.lineno}")
            tally.untyped += 1
            tally.failures[key] += 1
            if key not in tally.examples and len(tally.examples) < EXAMPLES_KEPT * 4:
                tally.examples[key] = data[:200].hex()
    tally.seconds = time.perf_counter() - start
    return tally


def product_targets() -> tuple[FuzzTarget, ...]:
    """Every parser of the product: the chip library's (seeded with the demo portrait), then the others."""
    return (*fuzz_targets(demo_portrait()), *kiosk_targets())


def run(args: argparse.Namespace) -> int:
    logging.disable(logging.CRITICAL)  # parsers log what they skip; the tally is the output
    warnings.simplefilter("ignore")
    targets = product_targets()
    if args.list:
        print("\n".join(t.name for t in targets))
        return 0
    chosen = [t for t in targets if not args.only or t.name in args.only]
    if args.only and len(chosen) != len(set(args.only)):
        unknown = sorted(set(args.only) - {t.name for t in targets})
        raise UsageError(f"--only: no parser {', '.join(unknown)} (see --list)")
    rng = random.Random(args.seed)
    tallies = []
    if not args.json:
        print(f"{'parser':<32} {'inputs':>9} {'parsed':>8} {'typed':>8} {'untyped':>8} {'inputs/s':>9}")
    for target in chosen:
        with _native_stderr_silenced():
            tallies.append(fuzz(target, args.inputs, rng))
        if not args.json:
            _print_row(tallies[-1])
    total = {key: sum(getattr(t, key) for t in tallies) for key in ("inputs", "parsed", "typed", "untyped")}
    if args.json:
        print(json.dumps({"seed": args.seed, "total": total, "parsers": [t.describe() for t in tallies]}, indent=2))
    else:
        print(f"{'total':<32} {total['inputs']:>9} {total['parsed']:>8} {total['typed']:>8} {total['untyped']:>8}")
        for tally in tallies:
            for (error, where), count in tally.failures.most_common(EXAMPLES_KEPT):
                print(f"untyped: {tally.name}: {count} x {error} at {where}; input {tally.examples[(error, where)]}")
    return 1 if total["untyped"] else 0


@contextlib.contextmanager
def _native_stderr_silenced():
    """libjpeg and OpenJPEG print every corrupt image to file descriptor 2; the tally says it all."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _print_row(tally: Tally) -> None:
    rate = tally.inputs / tally.seconds if tally.seconds else 0
    print(f"{tally.name:<32} {tally.inputs:>9} {tally.parsed:>8} {tally.typed:>8} {tally.untyped:>8} {rate:>9.0f}",
          flush=True)
