"""The staff PIN's rules, apart from the screen that asks for it: constant-time comparison, and a lockout
after repeated wrong PINs so a passer-by cannot try them all."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

MAX_TRIES = 5
LOCKOUT_S = 60.0


class PinAnswer(StrEnum):
    UNLOCKED = "unlocked"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong PINs: wait
    NOT_SET = "not_set"  # no PIN configured: the panel stays closed


@dataclass(frozen=True)
class PinResult:
    answer: PinAnswer
    wait_s: int = 0  # with LOCKED: seconds until the next try


class PinLock:
    def __init__(self, pin: str | None, clock: Callable[[], float] = time.monotonic, *,
                 max_tries: int = MAX_TRIES, lockout_s: float = LOCKOUT_S) -> None:
        self._pin, self._clock = pin, clock
        self._max_tries, self._lockout_s = max_tries, lockout_s
        self._wrong = 0
        self._locked_until = 0.0

    def try_pin(self, typed: str) -> PinResult:
        now = self._clock()
        if self._pin is None:
            return PinResult(PinAnswer.NOT_SET)
        if now < self._locked_until:
            return PinResult(PinAnswer.LOCKED, math.ceil(self._locked_until - now))
        if hmac.compare_digest(typed.encode(), self._pin.encode()):
            self._wrong = 0
            return PinResult(PinAnswer.UNLOCKED)
        self._wrong += 1
        if self._wrong >= self._max_tries:
            self._wrong = 0
            self._locked_until = now + self._lockout_s
            return PinResult(PinAnswer.LOCKED, math.ceil(self._lockout_s))
        return PinResult(PinAnswer.WRONG)
