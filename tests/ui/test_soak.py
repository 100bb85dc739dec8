"""The screen over minutes, not seconds: the real window offscreen through unattended demo check-ins and
idle spells (``python -m kiosk ui --demo --soak``). No exception, every check-in through, flat memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MINUTES = 3


def test_three_minutes_of_check_ins_and_idle_spells(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "kiosk", "ui", "--demo", "--soak", str(MINUTES), "--idle", "15",
                           "--json"], env=env, capture_output=True, text=True, timeout=MINUTES * 60 + 120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["exceptions"] == 0 and report["idle_spells"] >= 1
    assert report["checkins"] >= 10 and report["outcomes"] == {"checked_in": report["checkins"]}
    assert report["rss_end_mb"] - report["rss_start_mb"] < 40, report  # warm to end: no steady growth
    if report["none_refcount_drift"] is not None:
        assert report["none_refcount_drift"] > -100, report  # a binding dropping None would show here
    assert report["preview_fps_median"] and report["preview_fps_median"] > 5
    assert "Traceback" not in done.stderr
