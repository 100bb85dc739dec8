"""Calibration arithmetic on small fixtures: rates, bands, ROC, EER and exact intervals."""

from __future__ import annotations

import pytest

from biometrics.decision import DecisionBands, FaceDecision
from biometrics.rates import banded, clopper_pearson, equal_error_rate, error_rates, roc, upper_bound_95

GENUINE = [0.30, 0.40, 0.52, 0.58, 0.70]
IMPOSTOR = [0.56, 0.65, 0.80, 0.90]


def test_error_rates_accept_at_or_below_the_threshold():
    assert error_rates(GENUINE, IMPOSTOR, 0.56) == (0.25, 0.4)
    assert error_rates([], IMPOSTOR, 0.5)[1] != error_rates([], IMPOSTOR, 0.5)[1]  # NaN without genuine pairs


def test_eer_of_separable_and_overlapping_sets():
    assert equal_error_rate([0.2, 0.3], [0.6, 0.7]) == (0.0, pytest.approx(0.45))
    eer, at = equal_error_rate(GENUINE, IMPOSTOR)
    far, frr = error_rates(GENUINE, IMPOSTOR, at)
    assert abs(far - frr) <= 0.2 and eer == pytest.approx((far + frr) / 2)


def test_roc_rows_are_monotonic():
    rows = roc(GENUINE, IMPOSTOR)
    fars = [far for _, far, _ in rows]
    frrs = [frr for _, _, frr in rows]
    assert fars == sorted(fars) and frrs == sorted(frrs, reverse=True)
    assert rows[0][0] == pytest.approx(0.30) and rows[-1][0] == pytest.approx(0.80)


def test_banded_rates_count_refer_and_no_face_against_frr_only():
    r = banded(GENUINE, IMPOSTOR, DecisionBands(0.55, 0.60), genuine_fta=1, impostor_fta=3)
    assert r.genuine == {FaceDecision.MATCH: 3, FaceDecision.REFER: 1, FaceDecision.NO_MATCH: 1}
    assert r.impostor == {FaceDecision.MATCH: 0, FaceDecision.REFER: 1, FaceDecision.NO_MATCH: 3}
    assert (r.false_rejects, r.genuine_total) == (3, 6)  # refer 1 + no_match 1 + no usable face 1
    assert (r.false_accepts, r.impostor_total) == (0, 4)  # the impostor without a usable face is left out
    assert r.refer_rate == pytest.approx(1 / 6)
    d = r.as_dict()
    assert d["genuine"]["no_usable_face"] == 1 and d["far_ci95"][0] == 0.0 and d["far_ci95"][1] > 0.5


@pytest.mark.parametrize(("k", "n", "lo", "hi"), [
    (0, 10, 0.0, 0.3085), (1, 10, 0.0025, 0.4450), (5, 10, 0.1871, 0.8129), (10, 10, 0.6915, 1.0),
    (0, 388, 0.0, 0.0095),
])
def test_clopper_pearson_matches_published_values(k, n, lo, hi):
    got = clopper_pearson(k, n)
    assert got[0] == pytest.approx(lo, abs=1e-4) and got[1] == pytest.approx(hi, abs=1e-4)


def test_upper_bound_is_about_the_rule_of_three():
    assert upper_bound_95(0, 300) == pytest.approx(3 / 300, rel=0.01)
