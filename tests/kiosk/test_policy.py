from __future__ import annotations

import pytest

from kiosk.policy import ChipPolicy, evaluate
from nfc.trust import CheckResult

OK, BAD, UNV, NS = (CheckResult(s) for s in ("valid", "invalid", "unverified", "not_supported"))


def checks(pa: CheckResult, aa: CheckResult, ca: CheckResult = NS) -> dict[str, CheckResult]:
    return {"passive_authentication": pa, "active_authentication": aa, "chip_authentication": ca}


def test_genuine_card_is_allowed() -> None:
    assert evaluate(ChipPolicy(), checks(OK, OK, OK)).allowed


def test_unverified_passive_authentication_fails_closed_by_default() -> None:
    verdict = evaluate(ChipPolicy(), checks(UNV, OK))
    assert not verdict.allowed and verdict.failed == ("passive_authentication",)


def test_unverified_allowed_only_when_the_profile_says_so_and_it_is_shown() -> None:
    verdict = evaluate(ChipPolicy(passive_authentication="allow_unverified"), checks(UNV, OK))
    assert verdict.allowed and verdict.warnings == ("passive_authentication",)


@pytest.mark.parametrize("bad", ["passive_authentication", "active_authentication", "chip_authentication"])
def test_any_invalid_check_refuses_whatever_the_profile(bad: str) -> None:
    policy = ChipPolicy(passive_authentication="allow_unverified", active_authentication="off",
                        chip_authentication="off")
    results = checks(OK, OK, OK) | {bad: BAD}
    assert evaluate(policy, results).failed == (bad,)


def test_if_supported_accepts_chips_without_aa_but_required_does_not() -> None:
    assert evaluate(ChipPolicy(active_authentication="if_supported"), checks(OK, NS)).allowed
    assert not evaluate(ChipPolicy(active_authentication="required"), checks(OK, NS)).allowed


def test_unknown_rules_are_refused_at_load_time() -> None:
    with pytest.raises(ValueError):
        ChipPolicy(passive_authentication="if_supported")
