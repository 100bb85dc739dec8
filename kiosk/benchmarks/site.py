"""``python -m kiosk bench site --kiosks 4 --checkins 250``: several kiosk processes of one exam site check
in distinct people at once against one PostgreSQL site store, and present some of them twice.

Each kiosk is its own process with its own data folder, outbox and adapter (the exam door, through the
offline-first site store), as on a real site. Before the clock starts, each reads the virtual card of each
of its people (``--no-cards``: the people are taken from the citizen records instead): the chip read and
face match are each kiosk's own CPU work, measured by ``bench checkin``. Then, all kiosks released at once,
each person goes through the destination part of a check-in: the roster match and attendance lookup, the
outbox (durable, encrypted), and the delivery that records the attendance in the site store.

Reported: check-ins per second for the whole site; duplicates admitted (a candidate present twice, by the
kiosks' answers and by the database: target 0); lost (a check-in presented but recorded nowhere: target 0);
and the p50 / p95 of the store's calls. The store is ``--store`` or ``KIOSK_SITE_STORE``, else a throwaway
cluster (:mod:`kiosk.store.cluster`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from kiosk.adapters.roster import Candidate
from kiosk.checkin import CheckIn, Evidence, Person
from kiosk.commands.arguments import integer
from kiosk.errors import UsageError
from kiosk.store import STORE_ENV

EVIDENCE = Evidence("PACE", "valid", "valid", "valid")
SESSION = "bench-session"


def register(targets: argparse._SubParsersAction) -> None:
    parser = targets.add_parser("site", help="several kiosk processes against one PostgreSQL site store")
    parser.add_argument("--kiosks", type=integer(1, 64), default=4, help="kiosk processes (default 4)")
    parser.add_argument("--checkins", type=integer(1, 1_000_000), default=250,
                        help="distinct people per kiosk (default 250)")
    parser.add_argument("--repeats", type=integer(0, 1_000_000),
                        help="people each kiosk presents that another kiosk also checks in (default a fifth of "
                             "--checkins)")
    parser.add_argument("--store", metavar="URL", help=f"the site store (default ${STORE_ENV}, else a throwaway "
                                                       "cluster)")
    parser.add_argument("--no-cards", action="store_true", help="take people from citizen records, not cards")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def _people(numbers: list[int], cards: bool) -> list[Person]:
    """Each citizen as the session would see them: from a read of their own virtual card."""
    from kiosk.simulator import citizen_for

    if not cards:
        return [Person(c.id_number, c.full_name, c.date_of_birth, c.sex_code)
                for c in (citizen_for(n) for n in numbers)]
    from kiosk.simulator import demo_card, demo_pki
    from nfc.document import read_document
    from nfc.reader import ChipSession
    from nfc.sim.link import SimulatedReader
    from nfc.transport import InProcessConnection
    from nfc.trust.store import TrustStore

    trust = TrustStore.load(()).with_certificates([demo_pki().csca_certificate], source="bench")
    people = []
    for n in numbers:
        card = demo_card(citizen=citizen_for(n))
        data = read_document(ChipSession(InProcessConnection(SimulatedReader(card.card))), card.key, trust=trust)
        if data.passive_authentication.status != "valid" or data.citizen is None:
            raise RuntimeError("a benchmark card did not read as genuine")
        people.append(Person(data.citizen.id_number, data.citizen.full_name, data.citizen.date_of_birth,
                             data.mrz.sex))
    return people


def _kiosk(index: int, numbers: list[int], folder: str, url: str, site: str, cards: bool, ready, start,
           results) -> None:
    """One kiosk process: prepare, say so, wait for the start, check everyone in, report."""
    logging.basicConfig(level=logging.ERROR)  # the repeats are meant: their warnings are not news here
    from kiosk.adapters.registry import build_adapter
    from kiosk.outbox import DELIVERED, Outbox, profile_key
    from kiosk.policy import ChipPolicy
    from kiosk.settings import FaceSettings, Profile

    profile = Profile("exam", site, ChipPolicy(), FaceSettings(enabled=False), (), Path(folder), 3600.0,
                      MappingProxyType({"kind": "exam", "session": SESSION, "roster": "none.csv",
                                        "database": "exam-attendance.sqlite3"}),
                      site_store=url, kiosk=f"kiosk-{index + 1}")
    adapter = build_adapter(profile)
    outbox = Outbox(profile.outbox_path, profile_key(profile))
    people = _people(numbers, cards)
    adapter.lookup(people[0], {})  # connected before the start
    remote = adapter.store.remote
    remote.latencies.clear()
    ready.put(index)
    start.wait()
    began = time.monotonic()
    presented = []
    for person in people:
        decision = adapter.lookup(person, {})
        checkin = CheckIn("exam", site, person, EVIDENCE, datetime.now(UTC),
                          context=MappingProxyType({**decision.details, "decision": decision.status}))
        outbox.enqueue(checkin)
        delivered = outbox.deliver(checkin, adapter)
        sbd = decision.details.get("sbd", "")
        presented.append((checkin.checkin_id, sbd, delivered.state == DELIVERED, decision.cleared))
    ended = time.monotonic()
    status = outbox.status()
    results.put({"kiosk": index, "began": began, "ended": ended, "presented": presented,
                 "latencies": [s for _, s in remote.latencies], "outbox_pending": status.pending,
                 "offline_unconfirmed": adapter.store.unconfirmed()})
    outbox.close()
    adapter.close()


def _import_roster(url: str, site: str, total: int) -> None:
    from kiosk.simulator import citizen_for
    from kiosk.store.postgres import PostgresStore

    candidates = []
    for n in range(total):
        c = citizen_for(n)
        family, *rest = c.full_name.split(" ")
        candidates.append(Candidate(f"{n + 1:08d}", " ".join([family, *rest[:-1]]), rest[-1], c.date_of_birth,
                                    "012", c.id_number, str(n + 1), source="bench", row=n + 2))
    store = PostgresStore(url, site=site, kiosk="office")
    store.save_roster(candidates)
    store.close()


def _check_database(url: str, site: str) -> tuple[int, set[str]]:
    """(candidates with more than one present row, check-in ids recorded) in the site store."""
    import psycopg

    with psycopg.connect(url) as conn:
        (doubles,) = conn.execute(
            "SELECT COUNT(*) FROM (SELECT candidate_key FROM exam_attendance WHERE site = %s AND status = 'present'"
            " GROUP BY session, candidate_key HAVING COUNT(*) > 1) AS d", (site,)).fetchone()
        recorded = {cid for (cid,) in conn.execute("SELECT checkin_id FROM exam_attendance WHERE site = %s",
                                                   (site,)).fetchall()}
    return int(doubles), recorded


def _plan(kiosks: int, checkins: int, repeats: int) -> list[list[int]]:
    """Each kiosk's people: its own ``checkins`` citizens, with ``repeats`` of the next kiosk's first citizens
    interleaved, so the same person is at two kiosks at about the same moment."""
    plans = []
    for k in range(kiosks):
        own = list(range(k * checkins, (k + 1) * checkins))
        nxt = (k + 1) % kiosks
        theirs = list(range(nxt * checkins, nxt * checkins + repeats)) if kiosks > 1 else own[:repeats]
        mixed: list[int] = []
        for i, n in enumerate(own):
            if i < len(theirs):
                mixed.append(theirs[i])
            mixed.append(n)
        plans.append(mixed)
    return plans


def measure(url: str, kiosks: int, checkins: int, repeats: int, cards: bool, folder: Path) -> dict:
    site = f"BENCH-{uuid.uuid4().hex[:8]}"
    _import_roster(url, site, kiosks * checkins)
    plans = _plan(kiosks, checkins, repeats)
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    processes = [context.Process(target=_kiosk, args=(i, plans[i], str(folder / f"kiosk-{i + 1}"), url, site, cards,
                                                      ready, start, results), name=f"kiosk-{i + 1}")
                 for i in range(kiosks)]
    preparing = time.monotonic()
    for p in processes:
        p.start()
    try:
        for _ in processes:  # every kiosk has read its cards and reached the store
            ready.get(timeout=1800)
        prepared = time.monotonic() - preparing
        start.set()
        reports = [results.get(timeout=1800) for _ in processes]
    finally:
        for p in processes:
            p.join(60)
            if p.is_alive():
                p.terminate()
    wall = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    presented = [row for r in reports for row in r["presented"]]
    admitted = Counter(sbd for _, sbd, delivered, _ in presented if delivered)
    doubles, recorded = _check_database(url, site)
    latencies = sorted(s for r in reports for s in r["latencies"])
    p = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [latencies[0]] * 99
    return {
        "kiosks": kiosks, "people_per_kiosk": checkins, "repeats_per_kiosk": repeats, "cards": cards,
        "checkins": len(presented), "distinct_candidates": len({sbd for _, sbd, _, _ in presented}),
        "wall_s": round(wall, 3), "checkins_per_s": round(len(presented) / wall, 1),
        "duplicates_admitted": sum(n - 1 for n in admitted.values() if n > 1) + doubles,
        "lost": sum(1 for cid, _, _, _ in presented if cid not in recorded) + sum(r["outbox_pending"] for r in reports),
        "refused_as_repeats": sum(1 for _, _, delivered, _ in presented if not delivered),
        "store_calls": len(latencies), "store_p50_ms": round(p[49] * 1000, 2), "store_p95_ms": round(p[94] * 1000, 2),
        "preparation_s": round(prepared, 1),
    }


def run(args: argparse.Namespace) -> int:
    if args.kiosks < 1 or args.checkins < 1:
        raise UsageError("--kiosks and --checkins must be at least 1")
    repeats = args.checkins // 5 if args.repeats is None else args.repeats
    if not 0 <= repeats <= args.checkins:
        raise UsageError("--repeats must be between 0 and --checkins")
    url = args.store or os.environ.get(STORE_ENV)
    where = "the given site store" if url else "a throwaway PostgreSQL cluster (fsync on)"
    with contextlib.ExitStack() as stack:
        if url is None:
            from kiosk.store.cluster import ClusterUnavailable, TemporaryCluster

            try:
                # durable as a real server is (the test clusters skip fsync): commits reach the disk
                url = stack.enter_context(TemporaryCluster(options={
                    "fsync": "on", "synchronous_commit": "on", "full_page_writes": "on",
                    "max_connections": str(20 + 2 * args.kiosks)})).url
            except ClusterUnavailable as exc:
                raise UsageError(f"no site store given and {exc}") from exc
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-bench-site-")))
        report = measure(url, args.kiosks, args.checkins, repeats, not args.no_cards, folder)
    report["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report["store"] = where
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"site: {report['kiosks']} kiosk processes, {report['checkins']} check-ins of "
          f"{report['distinct_candidates']} candidates ({report['repeats_per_kiosk']} per kiosk presented twice), "
          f"{report['machine']}, {where}")
    print(f"  {report['checkins_per_s']} check-ins/s for the site ({report['wall_s']} s)")
    print(f"  duplicates admitted: {report['duplicates_admitted']}, lost: {report['lost']}, "
          f"refused as repeats: {report['refused_as_repeats']}")
    print(f"  store calls: {report['store_calls']}, p50 {report['store_p50_ms']} ms, p95 {report['store_p95_ms']} ms")
    return 0
