"""A local queue: numbers check-ins in an SQLite file. The demo profile's destination, and a fallback
for a desk with no system to talk to. Idempotent by check-in id, like every adapter."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

from kiosk.adapters.base import Adapter
from kiosk.checkin import CheckIn, Decision, Person, QueueTicket, Receipt


class LocalQueueAdapter(Adapter):
    name = "local"

    def __init__(self, path: Path, *, prefix: str = "A", department: str = "") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS queue (number INTEGER PRIMARY KEY AUTOINCREMENT,"
                         " checkin_id TEXT UNIQUE NOT NULL)")
        self.prefix = prefix
        self.department = department

    def lookup(self, person: Person, context: Mapping[str, str]) -> Decision:
        return Decision(Decision.CLEARED)

    def submit(self, checkin: CheckIn) -> Receipt:
        inserted = self._db.execute("INSERT OR IGNORE INTO queue (checkin_id) VALUES (?)",
                                    (checkin.checkin_id,)).rowcount == 1
        (number,) = self._db.execute("SELECT number FROM queue WHERE checkin_id = ?",
                                     (checkin.checkin_id,)).fetchone()
        ticket = QueueTicket(f"{self.prefix}{number:03d}", self.department or None)
        return Receipt(ticket.queue_number, ticket, duplicate=not inserted)
