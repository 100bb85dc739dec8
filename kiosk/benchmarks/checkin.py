"""``python -m kiosk bench checkin``: the machine-side time of whole check-ins, per profile, and the outbox.

Each profile runs the real session: the virtual card under the 424 kbit/s link model, the demo face as
camera, the real matcher, and its destination. For the hospital that destination is the local stand-ins
of the BHYT gateway and the hospital system on 127.0.0.1. The link is paced: each APDU waits its modelled
link time for real, so the camera's work during the read overlaps it as it would at a kiosk. The time
reported is card placed → result shown: every step's wall time except building the virtual card; the
part after the link (total − modelled link) is what the check-in adds to the chip's own time. Liveness is
off (the demo camera is one still picture, which a liveness challenge rightly
refuses). ``--memory N`` also runs N check-ins in a row and reports the resident memory after the 100th
and the last (the growth between them) and the peak.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from kiosk.adapters.local import LocalQueueAdapter
from kiosk.assembly import Hardware, build_session
from kiosk.checkin import CheckIn, Evidence, Person
from kiosk.commands.arguments import integer
from kiosk.demo_site import demo_site
from kiosk.outbox import Outbox
from kiosk.outcomes import Outcome
from kiosk.settings import Profile, load_profile
from kiosk.simulator import VirtualCards
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from nfc.transport import InProcessConnection

PROFILE_NAMES = ("demo", "hospital", "airport", "exam")
TARGET_AFTER_LINK_S = 0.25  # a check-in may add this much to the chip link's own time


def register(targets: argparse._SubParsersAction) -> None:
    parser = targets.add_parser("checkin", help="whole check-ins per profile, outbox throughput, memory")
    parser.add_argument("--repeat", type=integer(1, 10_000), default=7, help="check-ins per profile (median reported)")
    parser.add_argument("--profiles", nargs="+", default=list(PROFILE_NAMES), choices=PROFILE_NAMES)
    parser.add_argument("--outbox", type=integer(1, 10_000_000), default=1000,
                        help="check-ins for the outbox throughput")
    parser.add_argument("--memory", type=integer(0, 10_000_000), default=0, metavar="N",
                        help="also run N check-ins in a row and report memory (1000 for the target)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def _rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _PacedReader:
    """The simulated reader, waiting each APDU's modelled link time for real (time.sleep releases the GIL,
    as a real reader's transmit does)."""

    def __init__(self, reader) -> None:
        self.reader = reader

    def process(self, raw: bytes) -> bytes:
        before = self.reader.modelled_s
        response = self.reader.process(raw)
        time.sleep(self.reader.modelled_s - before)
        return response

    def __getattr__(self, name: str) -> object:
        return getattr(self.reader, name)


class PacedCards(VirtualCards):
    """Virtual cards behind a paced link."""

    def open(self):
        super().open()
        return InProcessConnection(_PacedReader(self.last_reader))


def _site(name: str, data: Path) -> contextlib.AbstractContextManager[tuple[Profile, dict[str, str]]]:
    """The profile on its demo site (local stand-ins of its upstream), trusting only the virtual card."""
    return demo_site(replace(load_profile(name), csca=()), data / name)


def _checkins(name: str, repeat: int, data: Path) -> dict:
    totals, links, steps = [], [], {}
    with _site(name, data) as (profile, context):
        for i in range(repeat + 1):  # the first run warms the caches (models, card portrait) and is dropped
            if name == "exam":  # one check-in per candidate and session: a new session each time
                profile = replace(profile, adapter={**profile.adapter, "session": f"bench-{time.time_ns()}"})
            hardware = Hardware(cards=PacedCards())
            session, outbox = build_session(profile, hardware)
            try:
                result = session.run(context)
            finally:
                outbox.close()
            if result.outcome != Outcome.CHECKED_IN:
                raise RuntimeError(f"{name}: the benchmark check-in ended {result.outcome} ({result.detail})")
            if i == 0:
                continue
            timed = {step: s for step, s in result.timings if step != "card"}
            link = hardware.cards.last_reader.modelled_s
            totals.append(sum(timed.values()))
            links.append(link)
            for step, seconds in {**timed, "chip_link_modelled": link}.items():
                steps.setdefault(step, []).append(seconds)
    after = [t - link for t, link in zip(totals, links, strict=True)]
    return {"median_s": round(statistics.median(totals), 3),
            "link_modelled_s": round(statistics.median(links), 3),
            "after_link_median_s": round(statistics.median(after), 3),
            "meets_target": statistics.median(after) <= TARGET_AFTER_LINK_S,
            "steps_median_s": {step: round(statistics.median(v), 4) for step, v in steps.items()}}


def _outbox_rate(count: int, data: Path) -> dict:
    outbox = Outbox(data / "bench-outbox.sqlite3", os.urandom(32))
    adapter = LocalQueueAdapter(data / "bench-queue.sqlite3")
    items = [CheckIn("demo", "BENCH", Person(DEMO_ID_NUMBER, demo_citizen().full_name, None, "F"),
                     Evidence("PACE", "valid", "valid"), datetime.now(UTC)) for _ in range(count)]
    start = time.perf_counter()
    for item in items:
        outbox.enqueue(item)
    enqueue_s = time.perf_counter() - start
    start = time.perf_counter()
    while outbox.deliver_due(lambda _: adapter, limit=200):
        pass
    deliver_s = time.perf_counter() - start
    outbox.close()
    return {"checkins": count, "enqueue_per_s": round(count / enqueue_s), "deliver_per_s": round(count / deliver_s)}


def _memory(count: int, data: Path) -> dict:
    profile = replace(load_profile("demo"), data_dir=data / "memory", csca=())
    hardware = Hardware(cards=VirtualCards())
    session, outbox = build_session(profile, hardware)
    at_100 = None
    try:
        for i in range(1, count + 1):
            if session.run().outcome != Outcome.CHECKED_IN:
                raise RuntimeError("the memory benchmark's check-in did not succeed")
            if i == min(100, count):
                at_100 = _rss_mb()
    finally:
        outbox.close()
    last = _rss_mb()
    return {"checkins": count, "rss_after_100_mb": round(at_100, 1), "rss_after_last_mb": round(last, 1),
            "growth_mb": round(last - at_100, 1), "peak_mb": round(_rss_mb("VmHWM"), 1)}


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        data = Path(tmp)
        report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                  "repeat": args.repeat,
                  "profiles": {name: _checkins(name, args.repeat, data) for name in args.profiles},
                  "outbox": _outbox_rate(args.outbox, data)}
        if args.memory:
            report["memory"] = _memory(args.memory, data)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"check-in, card placed -> result shown (chip link paced at 424 kbit/s), median of {args.repeat} "
          f"({report['machine']})")
    for name, result in report["profiles"].items():
        steps = ", ".join(f"{k} {v:.3f}" for k, v in result["steps_median_s"].items())
        print(f"  {name:<9} {result['median_s']:.3f} s = link {result['link_modelled_s']:.3f} + "
              f"{result['after_link_median_s']:.3f} s (target <= {TARGET_AFTER_LINK_S} s)   ({steps})")
    box = report["outbox"]
    print(f"outbox: {box['enqueue_per_s']} check-ins/s stored durably, {box['deliver_per_s']}/s delivered "
          f"to a local queue ({box['checkins']} check-ins)")
    if "memory" in report:
        mem = report["memory"]
        print(f"memory over {mem['checkins']} check-ins: {mem['rss_after_100_mb']} MB after 100, "
              f"{mem['rss_after_last_mb']} MB after the last (growth {mem['growth_mb']} MB), peak {mem['peak_mb']} MB")
    return 0
