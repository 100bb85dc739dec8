"""A local queue: numbers check-ins. The demo profile's destination, and a fallback for a desk with no
system to talk to. Idempotent by check-in id, like every adapter.

On its own a kiosk numbers in its SQLite file (one count for ever, as it always did); with a site store
the numbers are the site's, unique per site and day, and handed out by the database (a counter row per
day, so two kiosks never give the same number). While the site store is offline no number can be given:
the check-in waits in the outbox and the background worker delivers it when the store is back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from kiosk.adapters.base import Adapter, UpstreamUnavailable
from kiosk.checkin import CheckIn, Decision, Person, QueueTicket, Receipt
from kiosk.store.base import SiteStore, StoreError, StoreUnavailable
from kiosk.store.sqlite import SqliteStore


class LocalQueueAdapter(Adapter):
    name = "local"

    def __init__(self, path: Path, *, prefix: str = "A", department: str = "", store: SiteStore | None = None,
                 today: Callable[[], date] = date.today) -> None:
        self.store = store if store is not None else SqliteStore(path)
        self.prefix = prefix
        self.department = department
        self._today = today

    def lookup(self, person: Person, context: Mapping[str, str]) -> Decision:
        return Decision(Decision.CLEARED)

    def submit(self, checkin: CheckIn) -> Receipt:
        try:
            number, inserted = self.store.queue_number(checkin.checkin_id, self._today().isoformat())
        except (StoreUnavailable, StoreError) as exc:
            raise UpstreamUnavailable(f"no queue number: {exc}", step="local.queue") from exc
        ticket = QueueTicket(f"{self.prefix}{number:03d}", self.department or None)
        return Receipt(ticket.queue_number, ticket, duplicate=not inserted)

    def close(self) -> None:
        self.store.close()
