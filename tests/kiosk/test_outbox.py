"""The outbox: durable, encrypted, at-least-once to an idempotent receiver, so exactly-once in effect."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.adapters.base import UpstreamRejected
from kiosk.adapters.webhook import WebhookAdapter
from kiosk.checkin import CheckIn, Evidence, Person
from kiosk.fakes.receiver import Receiver
from kiosk.outbox import DELIVERED, FAILED, PENDING, Backoff, Outbox, OutboxKeyError, load_key

NAME, ID_NUMBER = "Nguyễn Thị An", "001303004567"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def checkin(i: int = 0) -> CheckIn:
    return CheckIn("demo", "S1", Person(ID_NUMBER, NAME, None, "F"), Evidence("PACE", "valid", "valid"),
                   datetime.now(UTC), checkin_id=f"c-{i}")


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KIOSK_OUTBOX_KEY", raising=False)
    path = tmp_path / "outbox.key"
    load_key(path, create=True)
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(tmp_path: Path, key_file: Path, clock: Clock) -> Outbox:
    box = Outbox(tmp_path / "outbox.sqlite3", load_key(key_file), clock=clock, rng=lambda: 1.0,
                 backoff=Backoff(base_s=2, max_s=60))
    yield box
    box.close()


def test_key_file_is_created_private_and_others_are_refused(key_file: Path) -> None:
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key_file.chmod(0o644)
    with pytest.raises(OutboxKeyError, match="readable by others"):
        load_key(key_file)


def test_key_from_environment_must_be_32_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIOSK_OUTBOX_KEY", "c2hvcnQ=")
    with pytest.raises(OutboxKeyError, match="32 bytes"):
        load_key(tmp_path / "unused")


def test_personal_data_is_encrypted_at_rest(outbox: Outbox) -> None:
    outbox.enqueue(checkin())
    raw = outbox.path.read_bytes() + Path(f"{outbox.path}-wal").read_bytes()
    assert NAME.encode() not in raw and ID_NUMBER.encode() not in raw
    assert outbox.due()[0].person.full_name == NAME


def test_a_wrong_key_cannot_read_the_rows(outbox: Outbox, tmp_path: Path, clock: Clock) -> None:
    outbox.enqueue(checkin())
    other = Outbox(outbox.path, os.urandom(32), clock=clock)
    with pytest.raises(OutboxKeyError, match="does not decrypt"):
        other.due()


def test_enqueue_is_idempotent(outbox: Outbox) -> None:
    assert outbox.enqueue(checkin()) is True
    assert outbox.enqueue(checkin()) is False
    assert outbox.status().pending == 1


def test_upstream_down_then_back_delivers_once(outbox: Outbox, clock: Clock) -> None:
    with Receiver() as receiver:
        adapter = WebhookAdapter(receiver.checkins_url, timeout_s=2)
        outbox.enqueue(checkin())
        receiver.mode = "down"
        assert outbox.deliver_due(lambda p: adapter)[0].state == PENDING
        assert outbox.due() == []  # backing off: 2 s after the first failure
        clock.now += 2.0
        receiver.mode = "drop"
        assert outbox.deliver_due(lambda p: adapter)[0].state == PENDING
        clock.now += 4.0
        receiver.mode = "up"
        result = outbox.deliver_due(lambda p: adapter)[0]
        assert result.state == DELIVERED and result.receipt.display.queue_number == "1"
        assert outbox.deliver_due(lambda p: adapter) == []
        assert list(receiver.accepted) == ["c-0"]
    assert outbox.receipt("c-0").reference == "R00001"
    assert outbox.status().delivered == 1


class Refusing(WebhookAdapter):
    def submit(self, checkin: CheckIn):
        raise UpstreamRejected("no", code="051")


def test_a_final_refusal_waits_for_staff_and_can_be_retried(outbox: Outbox, clock: Clock) -> None:
    outbox.enqueue(checkin())
    result = outbox.deliver_due(lambda p: Refusing("http://127.0.0.1:9"))[0]
    assert result.state == FAILED and "051" in result.error
    clock.now += 10_000
    assert outbox.due() == []
    assert outbox.failures()[0][0] == "c-0"
    assert outbox.retry() == 1
    assert [c.checkin_id for c in outbox.due()] == ["c-0"]


def test_delivered_rows_are_purged_after_retention(outbox: Outbox, clock: Clock) -> None:
    with Receiver() as receiver:
        adapter = WebhookAdapter(receiver.checkins_url)
        outbox.enqueue(checkin(1))
        outbox.deliver_due(lambda p: adapter)
    outbox.enqueue(checkin(2))
    clock.now += 3600
    assert outbox.purge(retention_s=1800) == 1
    assert outbox.state("c-1") is None and outbox.state("c-2") == PENDING


def test_kill_9_at_any_moment_loses_nothing_and_duplicates_nothing(tmp_path: Path, key_file: Path) -> None:
    count, db = 300, tmp_path / "kill9.sqlite3"
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    worker = [sys.executable, str(Path(__file__).with_name("outbox_worker.py")), str(db), str(key_file)]
    with Receiver() as receiver:
        for _ in range(8):  # killed at a random moment, again and again
            process = subprocess.Popen([*worker, receiver.checkins_url, str(count)], env=env, stdout=subprocess.PIPE)
            time.sleep(rng.uniform(0.1, 0.6))
            process.send_signal(signal.SIGKILL)
            process.wait()
        final = subprocess.run([*worker, receiver.checkins_url, str(count)], env=env, capture_output=True, timeout=120)
        assert final.stdout.strip() == b"done", final.stderr
        assert sorted(receiver.accepted) == [f"kill9-{i:04d}" for i in range(count)]
        assert len(receiver.keys) >= count
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT COUNT(*) FROM outbox WHERE state = 'delivered'").fetchone() == (count,)

