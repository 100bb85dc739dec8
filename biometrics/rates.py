"""Error rates of a 1:1 matcher: FAR/FRR, the ROC, the EER, banded rates and exact confidence intervals.

A pair is accepted when its distance is at or below the accept threshold. With a refer band, a genuine
pair that is referred counts against FRR (the owner was not let through unattended) and an impostor
pair that is referred does not count as a false accept (a person decides).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from biometrics.decision import DecisionBands, FaceDecision


def error_rates(genuine: Sequence[float], impostor: Sequence[float], threshold: float) -> tuple[float, float]:
    """(FAR, FRR) at ``threshold``: a pair is accepted when its distance is <= threshold."""
    g = np.asarray(genuine, dtype=float)
    i = np.asarray(impostor, dtype=float)
    far = float(np.mean(i <= threshold)) if i.size else float("nan")
    frr = float(np.mean(g > threshold)) if g.size else float("nan")
    return far, frr


def equal_error_rate(genuine: Sequence[float], impostor: Sequence[float]) -> tuple[float, float]:
    """(EER, threshold at which FAR and FRR are closest). With separable data the EER is 0 and the
    threshold is the midpoint of the gap."""
    g = np.sort(np.asarray(genuine, dtype=float))
    i = np.sort(np.asarray(impostor, dtype=float))
    if not g.size or not i.size:
        return float("nan"), float("nan")
    if g[-1] < i[0]:
        return 0.0, float((g[-1] + i[0]) / 2)
    best = (2.0, 0.0, 0.0)
    for t in np.unique(np.concatenate([g, i])):
        far, frr = error_rates(g, i, t)
        gap = abs(far - frr)
        if gap < best[0]:
            best = (gap, (far + frr) / 2, float(t))
    return best[1], best[2]


def roc(genuine: Sequence[float], impostor: Sequence[float],
        thresholds: Sequence[float] | None = None) -> list[tuple[float, float, float]]:
    """(threshold, FAR, FRR) rows, by default at every 0.01 from 0.30 to 0.80."""
    ts = np.round(np.arange(0.30, 0.8001, 0.01), 4) if thresholds is None else thresholds
    return [(float(t), *error_rates(genuine, impostor, float(t))) for t in ts]


def distribution(values: Sequence[float]) -> dict[str, float | int]:
    v = np.asarray(values, dtype=float)
    if not v.size:
        return {"n": 0}
    pct = np.percentile(v, [5, 50, 95])
    return {"n": int(v.size), "min": round(float(v.min()), 4), "p5": round(float(pct[0]), 4),
            "median": round(float(pct[1]), 4), "p95": round(float(pct[2]), 4), "max": round(float(v.max()), 4)}


def _binom_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1))


def clopper_pearson(errors: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval of a binomial rate, by bisection."""
    if trials <= 0:
        return float("nan"), float("nan")
    alpha = 1.0 - confidence

    def solve(target: float, k: int) -> float:  # p such that P(X <= k; n, p) == target (decreasing in p)
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if _binom_cdf(k, trials, mid) > target:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    lower = 0.0 if errors == 0 else solve(1 - alpha / 2, errors - 1)
    upper = 1.0 if errors >= trials else solve(alpha / 2, errors)
    return lower, upper


def upper_bound_95(errors: int, trials: int) -> float:
    """One-sided 95% upper bound on an error rate (exact; about 3/n, the rule of three, with no error)."""
    if trials == 0:
        return float("nan")
    return clopper_pearson(errors, trials, confidence=0.90)[1]


@dataclass(frozen=True)
class BandedRates:
    """How genuine and impostor pairs fall into the bands, failures to acquire included.

    ``frr`` counts every genuine pair not accepted (referred, refused, or no usable face); ``far`` counts
    impostor pairs accepted; ``refer_rate`` is the share of genuine pairs referred to staff."""

    bands: DecisionBands
    genuine: dict[FaceDecision, int]
    impostor: dict[FaceDecision, int]
    genuine_fta: int
    impostor_fta: int

    @property
    def genuine_total(self) -> int:
        return sum(self.genuine.values()) + self.genuine_fta

    @property
    def impostor_total(self) -> int:
        """Impostor pairs compared (a pair with no usable face cannot be falsely accepted, so it is left
        out of FAR's denominator rather than counted as a success)."""
        return sum(self.impostor.values())

    @property
    def false_rejects(self) -> int:
        return self.genuine_total - self.genuine[FaceDecision.MATCH]

    @property
    def false_accepts(self) -> int:
        return self.impostor[FaceDecision.MATCH]

    @property
    def frr(self) -> float:
        return self.false_rejects / self.genuine_total if self.genuine_total else float("nan")

    @property
    def far(self) -> float:
        return self.false_accepts / self.impostor_total if self.impostor_total else float("nan")

    @property
    def refer_rate(self) -> float:
        return self.genuine[FaceDecision.REFER] / self.genuine_total if self.genuine_total else float("nan")

    def as_dict(self) -> dict[str, object]:
        def ci(k: int, n: int) -> list[float]:
            return [round(x, 5) for x in clopper_pearson(k, n)]

        return {
            "match_max": self.bands.match_max, "refer_max": self.bands.refer_max,
            "genuine": {d.value: n for d, n in self.genuine.items()} | {"no_usable_face": self.genuine_fta},
            "impostor": {d.value: n for d, n in self.impostor.items()} | {"no_usable_face": self.impostor_fta},
            "frr": self.frr, "frr_ci95": ci(self.false_rejects, self.genuine_total),
            "far": self.far, "far_ci95": ci(self.false_accepts, self.impostor_total),
            "genuine_refer_rate": self.refer_rate,
        }


def banded(genuine: Sequence[float], impostor: Sequence[float], bands: DecisionBands,
           genuine_fta: int = 0, impostor_fta: int = 0) -> BandedRates:
    """Count the pairs in each band."""
    def count(values: Sequence[float]) -> dict[FaceDecision, int]:
        out = dict.fromkeys(FaceDecision, 0)
        for v in values:
            out[bands.decide(v)] += 1
        return out

    return BandedRates(bands, count(genuine), count(impostor), genuine_fta, impostor_fta)
