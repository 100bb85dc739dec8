"""Run by test_outbox's kill -9 test: enqueue N check-ins with fixed ids, then deliver until all are done."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from kiosk.adapters.webhook import WebhookAdapter
from kiosk.checkin import CheckIn, Evidence, Person
from kiosk.outbox import Backoff, Outbox, load_key


def main(db: str, key_file: str, url: str, count: int) -> None:
    outbox = Outbox(Path(db), load_key(Path(key_file)), backoff=Backoff(base_s=0.01, max_s=0.05))
    adapter = WebhookAdapter(url, timeout_s=2)
    for i in range(count):
        outbox.enqueue(CheckIn("demo", "S1", Person(f"0013030{i:05d}", f"Người Thử {i}", None, None),
                               Evidence("PACE", "valid", "valid"), datetime.now(UTC),
                               checkin_id=f"kill9-{i:04d}"))
    while outbox.status().pending:
        outbox.deliver_due(lambda profile: adapter, limit=5)
        time.sleep(0.005)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
