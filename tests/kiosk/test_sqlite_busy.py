"""The kiosk's SQLite files opened by several threads at once, as the session and the delivery worker do."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.outbox import Outbox
from kiosk.sqlite_busy import retry_while_locked
from kiosk.store.sqlite import SqliteStore

OPENERS: dict[str, Callable[[Path], object]] = {
    "outbox": lambda path: Outbox(path, b"k" * 32),
    "local store": lambda path: SqliteStore(path),
}


@pytest.mark.parametrize("name", OPENERS)
def test_a_new_file_opened_at_once_by_three_threads_opens_for_each(tmp_path: Path, name: str) -> None:
    """Without the retry, SQLite answered 11 of 900 outbox openers "database is locked" at once."""
    failures: list[Exception] = []

    def open_and_close(path: Path) -> None:
        try:
            OPENERS[name](path).close()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    for attempt in range(120):
        threads = [threading.Thread(target=open_and_close, args=(tmp_path / f"{attempt}.sqlite3",))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []


def test_other_errors_are_not_retried() -> None:
    calls = []

    def broken() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("no such table: outbox")

    with pytest.raises(sqlite3.OperationalError):
        retry_while_locked(broken)
    assert len(calls) == 1
