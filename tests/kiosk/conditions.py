"""Waiting for something another thread or process does, with a generous bound (never a timed assertion)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], timeout_s: float = 30.0, poll_s: float = 0.05) -> bool:
    """True as soon as ``condition()`` is; its last answer once ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll_s)
    return condition()
