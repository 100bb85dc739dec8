"""The staff PIN: constant-time check and a lockout after five wrong tries."""

from __future__ import annotations

from kiosk.staff import MAX_TRIES, PinAnswer, PinLock


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_right_pin_unlocks_and_five_wrong_ones_lock_for_a_minute() -> None:
    clock = Clock()
    lock = PinLock("2468", clock)
    assert lock.try_pin("2468").answer is PinAnswer.UNLOCKED
    answers = [lock.try_pin("0000").answer for _ in range(MAX_TRIES)]
    assert answers == [PinAnswer.WRONG] * (MAX_TRIES - 1) + [PinAnswer.LOCKED]
    locked = lock.try_pin("2468")  # even the right PIN waits out the lockout
    assert (locked.answer, locked.wait_s) == (PinAnswer.LOCKED, 60)
    clock.now = 61.0
    assert lock.try_pin("2468").answer is PinAnswer.UNLOCKED


def test_without_a_pin_the_panel_stays_closed() -> None:
    assert PinLock(None).try_pin("").answer is PinAnswer.NOT_SET
