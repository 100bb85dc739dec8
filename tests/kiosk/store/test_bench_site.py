"""``bench site`` at a small size: kiosk processes racing on the same candidates admit each one once."""

from __future__ import annotations

from pathlib import Path

from kiosk.benchmarks.site import _plan, measure
from kiosk.cli import main


def test_kiosk_processes_admit_no_duplicate_and_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    report = measure(pg_url, kiosks=3, checkins=6, repeats=2, cards=True, folder=tmp_path)
    assert (report["checkins"], report["distinct_candidates"]) == (24, 18)
    assert report["duplicates_admitted"] == 0 and report["lost"] == 0
    assert report["refused_as_repeats"] == 6  # every person presented twice is refused once
    assert report["store_calls"] == 2 * 24 and report["store_p95_ms"] >= report["store_p50_ms"] > 0


def test_each_repeat_meets_its_first_check_in_at_another_kiosk() -> None:
    plans = _plan(kiosks=3, checkins=4, repeats=2)
    assert plans[0] == [4, 0, 5, 1, 2, 3] and plans[2] == [0, 8, 1, 9, 10, 11]


def test_bench_site_usage_errors() -> None:
    assert main(["bench", "site", "--kiosks", "0"]) == 2
    assert main(["bench", "site", "--checkins", "3", "--repeats", "4"]) == 2
