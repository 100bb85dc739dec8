"""A whole kiosk beside its site store: the session, the background worker and the heartbeat, with the
site's PostgreSQL stopped in the middle and started again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kiosk.assembly import Hardware, build_session
from kiosk.outcomes import Outcome
from kiosk.settings import FaceSettings, load_profile
from kiosk.simulator import VirtualCards
from kiosk.site.runtime import KioskRuntime
from kiosk.store import site_store
from tests.kiosk.conditions import wait_for


def test_queue_numbers_come_from_the_site_and_a_queued_check_in_goes_out_by_itself(pg_cluster, tmp_path: Path,
                                                                                   site: str) -> None:
    profile = replace(load_profile("demo"), site=site, data_dir=tmp_path / "k1", csca=(), site_store=pg_cluster.url,
                      kiosk="k1", face=FaceSettings(enabled=False))
    session, outbox = build_session(profile, Hardware(cards=VirtualCards()))
    runtime = KioskRuntime(profile, hardware=lambda: {"reader": "virtual card"}, idle_s=0.2,
                           heartbeat_every_s=0).start()
    try:
        first = session.run()
        assert first.outcome == Outcome.CHECKED_IN and first.receipt.display.queue_number == "A001"
        assert runtime.site_status().store == "online"

        pg_cluster.stop()
        try:
            queued = session.run()
            assert queued.outcome == Outcome.QUEUED
            status = runtime.site_status()
            assert status.store == "offline" and status.line().startswith("offline since ")
            assert runtime.operator_lines()["site_store"] == status
        finally:
            pg_cluster.start()
        assert wait_for(lambda: outbox.state(queued.checkin_id) == "delivered")  # nobody else came
        assert outbox.receipt(queued.checkin_id).reference == "A002"
        assert wait_for(lambda: runtime.site_status().store == "online")

        def heartbeat_seen() -> bool:
            kiosks = site_store(profile).kiosks()
            return bool(kiosks) and kiosks[0].outcomes == {"checked_in": 1, "queued": 1}

        assert wait_for(heartbeat_seen)
        seen = site_store(profile).kiosks()[0]
        assert (seen.kiosk, seen.profile, seen.reader, seen.outbox_pending) == ("k1", "demo", "virtual card", 0)
        assert set(seen.step_medians_s) >= {"card", "chip", "destination", "result"}
        assert runtime.metrics.checkins.labels(kiosk="k1", profile="demo", outcome="queued")._value.get() == 1
    finally:
        runtime.stop()
        outbox.close()


def test_the_screen_starts_the_worker_and_its_operator_panel_reads_the_site_store(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    import argparse
    import contextlib

    from kiosk.commands.ui import build

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_SITE_STORE", raising=False)
    args = argparse.Namespace(demo=True, profile="demo", camera=None, reader=None, lang="vi", fullscreen=False)
    with contextlib.ExitStack() as stack:
        options = build(args, stack).options
        info = options.info()
        assert info["site_store"].store == "none"
        assert wait_for(lambda: options.info()["delivery"] == "running")
    assert options.info()["delivery"] == "stopped"


def test_a_kiosk_serves_its_own_prometheus_metrics(tmp_path: Path) -> None:
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    profile = replace(load_profile("demo"), data_dir=tmp_path / "k1", csca=(), kiosk="k-metrics",
                      face=FaceSettings(enabled=False))
    session, outbox = build_session(profile, Hardware(cards=VirtualCards()))
    with KioskRuntime(profile, metrics_port=0) as runtime:
        assert session.run().outcome == Outcome.CHECKED_IN
        with urllib.request.urlopen(runtime.metrics_url, timeout=10) as response:
            families = {f.name: f for f in text_string_to_metric_families(response.read().decode())}
    outbox.close()
    assert runtime.metrics_url is None
    checked_in = [s for s in families["kiosk_checkins"].samples
                  if s.name == "kiosk_checkins_total" and s.labels["outcome"] == "checked_in"]
    assert [s.value for s in checked_in] == [1.0] and checked_in[0].labels["kiosk"] == "k-metrics"
    steps = {s.labels["step"] for s in families["kiosk_step_duration_seconds"].samples}
    assert {"card", "chip", "destination", "result"} <= steps
    assert "kiosk_outbox_pending" in families and "kiosk_site_store_up" in families
