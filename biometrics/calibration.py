"""Calibration: the matcher's distances on chip-like sets, under each improvement in turn.

Each :class:`Variant` is a matcher configuration; the variants are cumulative, so the report shows what
each change did to the ROC. :func:`measure` runs one variant over one set and keeps only distances and
failure counts (no image, no encoding).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from biometrics import errors
from biometrics.chiplike import ChipLikeSet
from biometrics.decision import DecisionBands
from biometrics.matcher import Matcher, MatcherConfig, PortraitTemplate
from biometrics.portrait import decode_portrait
from biometrics.quality import QualityGates
from biometrics.rates import banded, distribution, equal_error_rate, roc

PORTRAIT_JITTERS_TRIED = 5


@dataclass(frozen=True)
class Variant:
    name: str
    what: str
    config: MatcherConfig
    frames: int  # frames of each attempt offered to the matcher


def variants(bands: DecisionBands | None = None) -> list[Variant]:
    """Baseline (the matcher as the issue measured it), then each change added in turn."""
    bands = bands or DecisionBands()
    base = MatcherConfig(bands=bands, live_gates=QualityGates(min_face_px=80), portrait_jitters=1,
                         small_faces=False, top_k=1, refer_rounds=0)
    small = replace(base, live_gates=QualityGates(), small_faces=True)
    fused = replace(small, top_k=MatcherConfig().top_k)
    jitter = replace(fused, portrait_jitters=PORTRAIT_JITTERS_TRIED)
    return [
        Variant("baseline", "one frame; live faces below 80 px refused", base, 1),
        Variant("small_faces", "+ upsampled detection and upscaled crops for faces below 80 px; "
                "live gate 40 px", small, 1),
        Variant("fused", f"+ best {fused.top_k} of 5 frames fused (mean distance): the defaults", fused, 5),
        Variant("portrait_jitter", f"+ portrait encoded as the mean of {PORTRAIT_JITTERS_TRIED} jittered "
                "copies (tried, not adopted)", jitter, 5),
    ]


@dataclass
class Measured:
    """Distances and failures of one variant on one set."""

    set_name: str
    variant: Variant
    genuine: list[float] = field(default_factory=list)
    impostor: list[float] = field(default_factory=list)
    genuine_fta: int = 0
    impostor_fta: int = 0
    fta_reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self, bands: DecisionBands) -> dict[str, Any]:
        eer, eer_t = equal_error_rate(self.genuine, self.impostor)
        rates = banded(self.genuine, self.impostor, bands, self.genuine_fta, self.impostor_fta)
        return {
            "set": self.set_name, "variant": self.variant.name, "what": self.variant.what,
            "genuine_pairs": len(self.genuine) + self.genuine_fta,
            "impostor_pairs": len(self.impostor) + self.impostor_fta,
            "failed_to_acquire": {"genuine": self.genuine_fta, "impostor": self.impostor_fta,
                                  "reasons": dict(sorted(self.fta_reasons.items()))},
            "eer": eer, "eer_threshold": eer_t,
            "distances": {"genuine": distribution(self.genuine), "impostor": distribution(self.impostor)},
            "banded": rates.as_dict(),
            "roc": roc(self.genuine, self.impostor),
            "seconds": round(self.seconds, 1),
        }


def measure(data: ChipLikeSet, variant: Variant, matcher: Matcher) -> Measured:
    """Every pair of ``data`` under ``variant`` (templates and samples computed once each)."""
    m = Matcher(matcher.engine, variant.config)
    out = Measured(data.name, variant)
    t0 = time.perf_counter()
    templates: dict[str, PortraitTemplate | errors.BiometricsError] = {}
    for name, jp2 in data.portraits.items():
        try:
            templates[name] = m.enroll(decode_portrait(jp2))
        except errors.NoUsableFace as exc:
            templates[name] = exc
    samples: dict[str, Any] = {}
    for attempt in data.attempts:
        try:
            samples[attempt.name] = m.observe(list(attempt.frames[: variant.frames]))
        except errors.NoUsableFace as exc:
            samples[attempt.name] = exc
    for portrait, attempt, same in data.pairs():
        tpl, smp = templates[portrait], samples[attempt.name]
        bad = tpl if isinstance(tpl, Exception) else smp if isinstance(smp, Exception) else None
        if bad is not None:
            reason = f"{getattr(bad, 'where', 'live')}:{getattr(bad, 'reason', 'error')}"
            out.fta_reasons[reason] = out.fta_reasons.get(reason, 0) + 1
            if same:
                out.genuine_fta += 1
            else:
                out.impostor_fta += 1
            continue
        (out.genuine if same else out.impostor).append(m.compare(tpl, smp).distance)
    out.seconds = time.perf_counter() - t0
    return out


def run_all(sets: Sequence[ChipLikeSet], matcher: Matcher, bands: DecisionBands | None = None) -> list[Measured]:
    return [measure(s, v, matcher) for s in sets for v in variants(bands)]
