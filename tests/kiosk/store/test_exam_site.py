"""Two exam kiosks, two data folders, one site store: a candidate checks in once across both.

The kiosks are real processes (``python -m kiosk check --simulator``: the whole session on the virtual
card), the site store a real PostgreSQL."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.demo_site import DEMO_ROSTER

SESSION = "2026-06-26-sang-van"


def exam_profile(folder: Path, site: str) -> Path:
    path = folder / "exam.toml"
    path.write_text(f"""
[profile]
name = "exam"
site = "{site}"
[policy]
passive_authentication = "required"
active_authentication = "if_supported"
chip_authentication = "if_supported"
[face]
enabled = false
[adapter]
kind = "exam"
roster = "roster.csv"
room = "012"
session = "{SESSION}"
database = "exam-attendance.sqlite3"
""", encoding="utf-8")
    return path


def kiosk(args: list[str], folder: Path, url: str, name: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_DATA_DIR": str(folder / name), "KIOSK_SITE_STORE": url, "KIOSK_ID": name}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def site_folder(tmp_path: Path, site: str, pg_url: str) -> tuple[Path, Path]:
    roster = tmp_path / "roster.csv"
    roster.write_text(DEMO_ROSTER, encoding="utf-8")
    profile = exam_profile(tmp_path, site)
    imported = kiosk(["roster", "import", "--profile", str(profile), str(roster)], tmp_path, pg_url, "office")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("2 candidates imported")
    return tmp_path, profile


def test_the_second_kiosk_refuses_a_candidate_checked_in_at_the_first(site_folder, pg_url: str) -> None:
    folder, profile = site_folder
    check = ["check", "--profile", str(profile), "--simulator", "--json"]
    first = kiosk(check, folder, pg_url, "kiosk-1")
    assert first.returncode == 0, first.stderr
    first = json.loads(first.stdout)
    assert first["outcome"] == "checked_in" and first["receipt"]["display"]["decision"] == "present"
    checked_in_at = first["receipt"]["display"]["time"]

    second = kiosk(check, folder, pg_url, "kiosk-2")
    assert second.returncode == 1, second.stderr
    second = json.loads(second.stdout)
    assert second["message_key"] == "exam.already_checked_in" and checked_in_at in second["message"]["en"]
    assert second["decision"]["status"] == "refer"
    assert second["decision"]["reasons"] == ["exam.already_checked_in"]
    assert second["decision"]["details"]["checked_in_at"] == checked_in_at
    assert any(n.startswith(f"already checked in at {checked_in_at}") for n in second["decision"]["staff_notes"])

    out = folder / "kiosk-2.csv"
    exported = kiosk(["attendance", "--profile", str(profile), "--out", str(out)], folder, pg_url, "kiosk-2")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(r["SBD"], r["Trạng thái"]) for r in rows] == [("01000123", "Có mặt"), ("01000124", "Vắng")]
    assert rows[0]["Giờ điểm danh"].startswith(checked_in_at) and rows[0]["Điểm danh lặp"]  # flagged, not lost


def test_roster_import_needs_a_site_store(tmp_path: Path, site: str) -> None:
    profile = exam_profile(tmp_path, site)
    (tmp_path / "r.csv").write_text(DEMO_ROSTER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_SITE_STORE"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "roster", "import", "--profile", str(profile),
                           str(tmp_path / "r.csv")], env={**env, "KIOSK_DATA_DIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no site store" in done.stderr and "Traceback" not in done.stderr
