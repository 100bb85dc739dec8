"""Opening a SQLite database that another connection is opening at the same moment.

SQLite answers "database is locked" at once, without waiting out the busy timeout, when a connection asks
for WAL mode while another is switching the same new file to WAL or checkpointing it as it closes. A kiosk
opens its outbox and its local store from two threads as it starts (the session and the delivery worker),
so the first statements of a new connection are tried again for a few seconds.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_TRIES = 100
_PAUSE_S = 0.05  # 100 x 0.05 s: 5 s at the most, far more than another opener needs


def retry_while_locked(prepare: Callable[[], T]) -> T:
    """``prepare()``, tried again while SQLite says the database is locked; any other error at once."""
    for attempt in range(_TRIES):
        try:
            return prepare()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _TRIES - 1:
                raise
            time.sleep(_PAUSE_S)
    raise AssertionError("unreachable")
