"""``python -m kiosk bench chip``: a full chip read of the virtual card under the link model.

Reports APDUs, bytes and the modelled link time of a full read (EF.CardAccess, PACE, EF.COM, EF.SOD,
DG1, DG2 ≈ 20 KB, DG13, DG14, DG15 and Active Authentication) against the link's lower bound for the
file bytes, for a reader taking extended-length APDUs and one that refuses them; plus the wall time of
the in-process read on this machine (the crypto cost, no link delay).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import time

from kiosk.simulator import demo_card, demo_portrait
from nfc.document import read_document
from nfc.reader import ChipSession
from nfc.sim.link import LinkModel, ReaderFaults, SimulatedReader
from nfc.transport import InProcessConnection


def register(targets: argparse._SubParsersAction) -> None:
    parser = targets.add_parser("chip", help="chip read: APDUs, bytes, modelled link time, crypto wall time")
    parser.add_argument("--repeat", type=int, default=15, help="reads per reader kind (median reported)")
    parser.add_argument("--bit-rate", type=int, default=424_000, help="link bit rate in bit/s (default 424000)")
    parser.add_argument("--per-apdu-ms", type=float, default=5.0, help="fixed cost per APDU in ms (default 5)")
    parser.add_argument("--portrait-bytes", type=int, default=20_000, help="size of the DG2 image (default 20000)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def _one_read(demo, link: LinkModel, faults: ReaderFaults) -> dict:
    demo.card.reset()
    reader = SimulatedReader(demo.card, link, faults)
    start = time.perf_counter()
    data = read_document(ChipSession(InProcessConnection(reader)), demo.key)
    wall = time.perf_counter() - start
    file_bytes = sum(len(v) for v in data.raw.values()) + len(demo.card.files.get(0x011C, b""))
    return {"apdus": reader.apdus, "bytes": data.stats.bytes_exchanged, "file_bytes": file_bytes,
            "modelled_s": reader.modelled_s, "wall_s": wall, "aa": data.active_authentication.status}


def run(args: argparse.Namespace) -> int:
    logging.getLogger("nfc.reader").setLevel(logging.ERROR)  # the short-only runs warn on every read
    link = LinkModel(args.bit_rate, args.per_apdu_ms / 1000)
    demo = demo_card(portrait=demo_portrait(args.portrait_bytes))
    results = {}
    for name, faults in (("extended", ReaderFaults()), ("short_only", ReaderFaults(refuse_extended="sw"))):
        runs = [_one_read(demo, link, faults) for _ in range(args.repeat)]
        first = runs[0]
        lower = link.lower_bound(first["file_bytes"])
        modelled = statistics.median(r["modelled_s"] for r in runs)
        results[name] = {
            "apdus": first["apdus"], "bytes_exchanged": first["bytes"], "file_bytes": first["file_bytes"],
            "modelled_s": round(modelled, 4), "lower_bound_s": round(lower, 4),
            "ratio_to_lower_bound": round(modelled / lower, 3),
            "wall_median_s": round(statistics.median(r["wall_s"] for r in runs), 4),
            "active_authentication": first["aa"],
        }
    report = {"link": {"bit_rate": link.bit_rate, "per_apdu_s": link.per_apdu_s}, "repeat": args.repeat,
              "dg2_image_bytes": len(demo.built.card.files[0x0102]), "machine": _machine(), "reads": results}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"chip read of the virtual CCCD, link {link.bit_rate} bit/s + {args.per_apdu_ms:g} ms/APDU, "
          f"median of {args.repeat} ({report['machine']})")
    print(f"{'reader':<11} {'APDUs':>6} {'bytes':>7} {'file bytes':>10} {'modelled s':>10} {'lower bound':>11} "
          f"{'ratio':>6} {'wall s':>7}")
    for name, r in results.items():
        print(f"{name:<11} {r['apdus']:>6} {r['bytes_exchanged']:>7} {r['file_bytes']:>10} {r['modelled_s']:>10.3f} "
              f"{r['lower_bound_s']:>11.3f} {r['ratio_to_lower_bound']:>6.2f} {r['wall_median_s']:>7.4f}")
    return 0


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
