"""The background delivery worker: due check-ins go out with no one at the kiosk, Retry-After is honoured,
delivered rows are purged after the retention period. The upstream is a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.adapters.base import parse_retry_after
from kiosk.adapters.webhook import WebhookAdapter
from kiosk.checkin import CheckIn, Evidence, Person
from kiosk.delivery import DeliveryWorker
from kiosk.fakes import Recorded, Response
from kiosk.fakes.receiver import Receiver
from kiosk.outbox import DELIVERED, PENDING, Backoff, Outbox
from tests.kiosk.conditions import wait_for


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class BusyReceiver(Receiver):
    """Answers 503 with ``Retry-After`` until told otherwise."""

    def __init__(self, retry_after: str) -> None:
        super().__init__()
        self.retry_after: str | None = retry_after

    def handle(self, request: Recorded) -> Response:
        if self.retry_after is not None:
            self.keys.append(request.headers.get("idempotency-key", ""))
            return Response.json(503, {}, headers={"Retry-After": self.retry_after})
        return super().handle(request)


def checkin(i: int) -> CheckIn:
    return CheckIn("demo", "S1", Person("001303004567", "Nguyễn Thị An", None, "F"),
                   Evidence("PACE", "valid", "valid"), datetime.now(UTC), checkin_id=f"c-{i}")




def test_a_queued_check_in_goes_out_while_no_one_is_at_the_kiosk(tmp_path: Path) -> None:
    key = os.urandom(32)
    with Receiver() as receiver:
        adapter = WebhookAdapter(receiver.checkins_url, timeout_s=2)
        session_outbox = Outbox(tmp_path / "outbox.sqlite3", key, backoff=Backoff(base_s=0.05, max_s=0.2))
        receiver.mode = "down"
        item = checkin(1)
        session_outbox.enqueue(item)
        assert session_outbox.deliver(item, adapter).state == PENDING  # the person saw "queued" and left
        worker = DeliveryWorker(lambda: Outbox(tmp_path / "outbox.sqlite3", key,
                                               backoff=Backoff(base_s=0.05, max_s=0.2)),
                                adapter, retention_s=3600, idle_s=0.1).start()
        try:
            assert wait_for(lambda: worker.state.rounds >= 2)
            assert session_outbox.state(item.checkin_id) == PENDING
            receiver.mode = "up"
            assert wait_for(lambda: session_outbox.state(item.checkin_id) == DELIVERED)
        finally:
            worker.stop()
        assert list(receiver.accepted) == [item.checkin_id]
        assert worker.state.upstream == "ok" and not worker.state.running
        session_outbox.close()


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    clock = Clock()
    with BusyReceiver("120") as receiver:
        adapter = WebhookAdapter(receiver.checkins_url, timeout_s=2)
        outbox = Outbox(tmp_path / "outbox.sqlite3", os.urandom(32), clock=clock, rng=lambda: 1.0,
                        backoff=Backoff(base_s=1, max_s=10))
        worker = DeliveryWorker(lambda: outbox, adapter, retention_s=None)
        outbox.enqueue(checkin(1))
        assert worker.run_once(outbox).retrying == 1
        assert outbox.next_due_in() == pytest.approx(120)  # not the backoff's 1 s
        clock.now += 60
        assert worker.run_once(outbox).retrying == 0 and len(receiver.keys) == 1  # asked to wait: waits
        receiver.retry_after = None
        clock.now += 61
        assert worker.run_once(outbox).delivered == 1
        assert worker.state.upstream == "ok"


def test_delivered_rows_are_purged_after_the_retention_period(tmp_path: Path) -> None:
    clock = Clock()
    with Receiver() as receiver:
        adapter = WebhookAdapter(receiver.checkins_url, timeout_s=2)
        outbox = Outbox(tmp_path / "outbox.sqlite3", os.urandom(32), clock=clock)
        worker = DeliveryWorker(lambda: outbox, adapter, retention_s=3600, purge_every_s=0)
        outbox.enqueue(checkin(1))
        assert worker.run_once(outbox).delivered == 1
        clock.now += 1800
        assert worker.run_once(outbox).purged == 0
        clock.now += 1801
        assert worker.run_once(outbox).purged == 1
        assert outbox.status().delivered == 0


def test_a_fresh_check_in_is_left_to_the_session_that_queued_it(tmp_path: Path) -> None:
    clock = Clock()
    outbox = Outbox(tmp_path / "outbox.sqlite3", os.urandom(32), clock=clock, first_attempt_hold_s=30)
    outbox.enqueue(checkin(1))
    assert outbox.due() == [] and outbox.next_due_in() == pytest.approx(30)
    clock.now += 31
    assert [c.checkin_id for c in outbox.due()] == ["c-1"]


def test_retry_after_header_forms() -> None:
    now = datetime(2026, 6, 26, 7, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Fri, 26 Jun 2026 07:02:00 GMT", now=now) == 120
    assert parse_retry_after("Fri, 26 Jun 2026 06:00:00 GMT", now=now) == 0
    for junk in (None, "", "soon", "-5", "١٢"):
        assert parse_retry_after(junk) is None
