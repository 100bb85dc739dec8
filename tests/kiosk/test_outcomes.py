"""The session decides, once, in typed outcomes: each profile's own words on success, the destination's
own reason when it refers a person, and the boarding pass before the card. Whole check-ins on the demo
sites (the real adapters against their local stand-ins), the virtual card and the demo face."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.assembly import Hardware, build_session
from kiosk.commands.check import EXIT_STATUS, exit_status
from kiosk.demo_site import demo_site
from kiosk.messages import message
from kiosk.outcomes import FailureKind, Outcome, Step, short_reference
from kiosk.settings import load_profile
from kiosk.simulator import VirtualCards
from kiosk.stats import DECLINED, DailyStats


def _run(profile, context, cards=None):
    session, outbox = build_session(profile, Hardware(cards=cards or VirtualCards()))
    try:
        return session.run(context)
    finally:
        outbox.close()


@pytest.fixture
def exam(tmp_path: Path):
    with demo_site(replace(load_profile("exam"), csca=()), tmp_path / "exam") as site:
        yield site


@pytest.mark.parametrize(("name", "words"), [("exam", "exam.cleared"), ("airport", "airport.cleared"),
                                             ("hospital", "bhyt.000"), ("demo", "result.checked_in")])
def test_each_profile_says_its_own_words_on_success(tmp_path: Path, name: str, words: str) -> None:
    with demo_site(replace(load_profile(name), csca=()), tmp_path / name) as (profile, context):
        result = _run(profile, context)
    assert (result.outcome, result.failure, result.message_key) == (Outcome.CHECKED_IN, None, words)
    assert exit_status(result) == 0


def test_a_second_exam_check_in_is_referred_with_the_time_of_the_first(exam) -> None:
    profile, context = exam
    first = _run(profile, context)
    again = _run(profile, context)
    assert first.outcome == Outcome.CHECKED_IN
    assert (again.outcome, again.message_key) == (Outcome.REFER, "exam.already_checked_in")
    assert (again.failure.kind, again.failure.step) == (FailureKind.STAFF, Step.DESTINATION)
    time = first.receipt.display.time
    assert again.params == {"time": time} and time in message(again.message_key, again.params).vi
    assert exit_status(again) == 1


def test_without_a_boarding_pass_the_airport_asks_for_it_before_the_card(tmp_path: Path) -> None:
    class Watched(VirtualCards):
        opened = 0

        def open(self):
            Watched.opened += 1
            return super().open()

    with demo_site(replace(load_profile("airport"), csca=()), tmp_path / "airport") as (profile, _):
        missing = _run(profile, {}, Watched())
        unreadable = _run(profile, {"boarding_pass": "not a boarding pass"}, Watched())
    assert (missing.outcome, missing.message_key) == (Outcome.REFUSED, "airport.boarding_pass_missing")
    assert (missing.failure.kind, missing.failure.step) == (FailureKind.RETRY, Step.PRECHECK)
    assert (unreadable.failure.kind, unreadable.message_key) == (FailureKind.RETRY, "bcbp.malformed")
    assert Watched.opened == 0 and [s for s, _ in missing.timings] == [Step.PRECHECK]


def test_the_airport_session_lists_the_boarding_pass_first(tmp_path: Path) -> None:
    with demo_site(replace(load_profile("airport"), csca=()), tmp_path / "airport") as (profile, _):
        session, outbox = build_session(profile, Hardware(cards=VirtualCards()))
        outbox.close()
    assert session.steps[:3] == (Step.PRECHECK, Step.CARD, Step.CONSENT) and session.requires == ("boarding_pass",)


def test_every_failure_kind_has_an_exit_status() -> None:
    assert set(EXIT_STATUS) == set(FailureKind)


def test_daily_stats_count_a_declined_consent_apart_and_find_results_by_reference(tmp_path: Path) -> None:
    with demo_site(replace(load_profile("demo"), csca=()), tmp_path / "demo") as (profile, context):
        session, outbox = build_session(profile, Hardware(cards=VirtualCards()), consent=lambda: False)
        try:
            declined = session.run(context)
        finally:
            outbox.close()
    stats = DailyStats()
    stats.add(declined)
    assert declined.failure.kind is FailureKind.DECLINED
    assert stats.outcomes == {DECLINED: 1}
    found = stats.find(short_reference(declined.ref).lower())
    assert (found.kind, found.step) == (FailureKind.DECLINED, Step.CONSENT)
