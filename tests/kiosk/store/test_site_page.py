"""The site page and its metrics, served from a real site store, read over HTTP as a browser would."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from kiosk.site.page import SitePage, render
from kiosk.store import KioskStatus
from kiosk.store.postgres import PostgresStore
from nfc.sim.citizen import DEMO_ID_NUMBER


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def test_the_page_lists_every_kiosk_and_nothing_personal(pg_url: str, site: str) -> None:
    one, two = PostgresStore(pg_url, site=site, kiosk="k1"), PostgresStore(pg_url, site=site, kiosk="k2")
    one.heartbeat(KioskStatus("k1", "exam", reader="ACS ACR1252", camera="0", upstream="ok",
                              outcomes={"checked_in": 41, "refer": 2}, step_medians_s={"chip": 1.93, "face": 0.61},
                              outbox_pending=3, oldest_pending_s=75.0))
    offline = (datetime.now(UTC) - timedelta(minutes=20)).isoformat(timespec="seconds")
    two.heartbeat(KioskStatus("k2", "exam", upstream="unreachable", store_offline_since=offline, unconfirmed=4,
                              flagged=1))
    with SitePage(site, one.kiosks, port=0) as page:
        status, body = get(page.url + "/")
        assert status == 200 and body.startswith("<!doctype html>")
        assert "k1" in body and "k2" in body and "ACS ACR1252" in body and "41 checked in<br>2 sent to staff" in body
        assert "offline since" in body and "4 not yet confirmed" in body and "1 repeat(s)" in body
        assert "chip 1.93 · face 0.61" in body
        for personal in (DEMO_ID_NUMBER, "Nguyễn"):
            assert personal not in body
        status, metrics = get(page.url + "/metrics")
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for family in text_string_to_metric_families(metrics) for s in family.samples}
        assert samples[("kiosk_outbox_pending", (("kiosk", "k1"), ("profile", "exam")))] == 3
        today = ("kiosk_checkins_today", (("kiosk", "k1"), ("outcome", "checked_in"), ("profile", "exam")))
        assert samples[today] == 41
        assert samples[("kiosk_site_store_offline", (("kiosk", "k2"), ("profile", "exam")))] == 1
        try:
            get(page.url + "/nothing")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404


def test_a_silent_kiosk_and_an_empty_site() -> None:
    old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    assert "silent" in render("S", [KioskStatus("k1", "demo", last_seen=old)])
    assert "No kiosk has reported yet" in render("S", [])


def test_site_serve_from_the_command_line(pg_url: str, site: str, tmp_path) -> None:
    PostgresStore(pg_url, site=site, kiosk="k9").heartbeat(KioskStatus("k9", "demo"))
    profile = tmp_path / "p.toml"
    profile.write_text(f'[profile]\nname = "demo"\nsite = "{site}"\n[site]\nstore = "{pg_url}"\n', encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "site", "serve", "--profile", str(profile),
                                "--port", "0"], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "KIOSK_DATA_DIR": str(tmp_path)})
    try:
        line = process.stdout.readline()
        assert line.startswith(f"site {site}: http://127.0.0.1:"), line
        url = line.split(": ", 1)[1].split("/ ", 1)[0]
        assert "k9" in get(url + "/")[1]
    finally:
        process.terminate()
        process.wait(10)
