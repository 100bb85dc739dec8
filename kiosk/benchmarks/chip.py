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

from kiosk.commands.arguments import integer, number
from kiosk.simulator import demo_card, demo_pki, demo_portrait
from nfc.document import read_document
from nfc.reader import ChipSession
from nfc.sim.builder import CardOptions
from nfc.sim.link import LinkModel, ReaderFaults, SimulatedReader
from nfc.transport import InProcessConnection
from nfc.trust.store import TrustStore


def register(targets: argparse._SubParsersAction) -> None:
    parser = targets.add_parser("chip", help="chip read: APDUs, bytes, modelled link time, crypto wall time")
    parser.add_argument("--repeat", type=integer(1, 10_000), default=15, help="reads per reader kind (median reported)")
    parser.add_argument("--bit-rate", type=integer(1_000, 100_000_000), default=424_000,
                        help="link bit rate in bit/s (default 424000)")
    parser.add_argument("--per-apdu-ms", type=number(0, 10_000), default=5.0,
                        help="fixed cost per APDU in ms (default 5)")
    parser.add_argument("--portrait-bytes", type=integer(1_000, 1_000_000), default=20_000,
                        help="size of the DG2 image (default 20000)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def _one_read(demo, link: LinkModel, faults: ReaderFaults, trust: TrustStore | None = None) -> dict:
    demo.card.reset()
    reader = SimulatedReader(demo.card, link, faults)
    start, cpu = time.perf_counter(), time.process_time()
    data = read_document(ChipSession(InProcessConnection(reader)), demo.key, trust=trust)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    file_bytes = sum(len(v) for v in data.raw.values()) + len(demo.card.files.get(0x011C, b""))
    return {"apdus": reader.apdus, "bytes": data.stats.bytes_exchanged, "file_bytes": file_bytes,
            "modelled_s": reader.modelled_s, "wall_s": wall, "cpu_s": cpu, "aa": data.active_authentication.status,
            "pa": data.passive_authentication.status, "ca": data.chip_authentication.status}


def _checks_cpu(repeat: int, portrait) -> dict:
    """CPU of Passive + Active + Chip Authentication: a full read with all three (PA against the card's CSCA)
    minus the same read of a card without AA and CA and without a trust store. Both sides' crypto is in
    the difference (the virtual chip signs the AA challenge and agrees the CA key), so it is an upper bound
    for the terminal's share."""
    with_checks, without = demo_card(portrait=portrait), demo_card(CardOptions(aa=None, chip_auth=False),
                                                                   portrait=portrait)
    trust = TrustStore.from_certificates([demo_pki().csca_certificate])
    full = [_one_read(with_checks, LinkModel(), ReaderFaults(), trust) for _ in range(repeat)]
    bare = [_one_read(without, LinkModel(), ReaderFaults()) for _ in range(repeat)]
    if (full[0]["pa"], full[0]["aa"], full[0]["ca"]) != ("valid", "valid", "valid"):
        raise RuntimeError(f"the benchmark card did not pass its checks: {full[0]}")
    full_cpu = statistics.median(r["cpu_s"] for r in full)
    bare_cpu = statistics.median(r["cpu_s"] for r in bare)
    return {"read_with_checks_cpu_s": round(full_cpu, 4), "read_without_checks_cpu_s": round(bare_cpu, 4),
            "pa_aa_ca_cpu_s": round(full_cpu - bare_cpu, 4)}


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
              "dg2_image_bytes": len(demo.built.card.files[0x0102]), "machine": _machine(), "reads": results,
              "checks": _checks_cpu(args.repeat, demo_portrait(args.portrait_bytes))}
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
    checks = report["checks"]
    with_ms, without_ms = checks["read_with_checks_cpu_s"] * 1000, checks["read_without_checks_cpu_s"] * 1000
    print(f"Passive + Active + Chip Authentication: {checks['pa_aa_ca_cpu_s'] * 1000:.1f} ms of CPU (a read with "
          f"them {with_ms:.1f} ms, without {without_ms:.1f} ms; includes the virtual chip's share)")
    return 0


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
