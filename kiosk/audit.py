"""The audit log: one JSON line per check-in step, with a reference id, outcome and timing.

Never names, ID numbers, addresses or images: a session only passes step names, outcomes, message keys,
status words and durations here (a test scans the log of a whole check-in for the card's data).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("kiosk.audit")


class AuditLog:
    def __init__(self, path: Path | None, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = path
        self._now = now
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, ref: str, step: str, outcome: str, *, seconds: float | None = None,
               detail: str | None = None, profile: str | None = None) -> None:
        entry = {"ts": self._now().isoformat(timespec="milliseconds"), "ref": ref, "profile": profile,
                 "step": step, "outcome": outcome}
        if seconds is not None:
            entry["ms"] = round(seconds * 1000, 1)
        if detail:
            entry["detail"] = detail
        line = json.dumps(entry, ensure_ascii=False)
        log.info(line)
        if self.path is not None:
            with self._lock, self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
