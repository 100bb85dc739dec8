"""The calibration report from small, hand-made measurements (no model needed): every section is there and
the figures are the ones measured."""

from __future__ import annotations

from biometrics.calibration import Measured, variants
from biometrics.decision import DecisionBands
from kiosk.commands.face_report import render


def _measured() -> list[Measured]:
    out = []
    for v in variants():
        m = Measured("photos", v, genuine=[0.30, 0.41, 0.52, 0.57], impostor=[0.58, 0.66, 0.80, 0.93],
                     genuine_fta=1 if v.name == "baseline" else 0, fta_reasons={"live:too_small": 1})
        out.append(m)
    return out


def test_variants_are_cumulative_and_the_defaults_are_fused():
    names = [v.name for v in variants()]
    assert names == ["baseline", "small_faces", "fused", "portrait_jitter"]
    by = {v.name: v for v in variants()}
    assert by["baseline"].config.top_k == 1 and not by["baseline"].config.small_faces
    assert by["fused"].config.small_faces and by["fused"].frames == 5 and by["fused"].config.top_k == 3
    assert by["portrait_jitter"].config.portrait_jitters > 1


def test_summary_counts_bands_and_failures():
    s = _measured()[0].summary(DecisionBands(0.55, 0.60))
    assert (s["genuine_pairs"], s["impostor_pairs"]) == (5, 4)
    assert s["banded"]["genuine"] == {"match": 3, "refer": 1, "no_match": 0, "no_usable_face": 1}
    assert s["banded"]["impostor"]["refer"] == 1 and s["banded"]["far"] == 0.0
    assert s["distances"]["genuine"]["max"] == 0.57 and s["failed_to_acquire"]["reasons"] == {"live:too_small": 1}


def test_the_report_has_every_section_and_the_measured_figures():
    summaries = [m.summary(DecisionBands()) for m in _measured()]
    pad = {"photo_on_cue": {"kind": "attack", "presentations": 4, "errors": 0, "rate": 0.0, "ci95": [0.0, 0.6],
                            "reasons": {"no_turn": 4}},
           "head_answering": {"kind": "genuine", "presentations": 2, "errors": 1, "rate": 0.5,
                              "ci95": [0.01, 0.99], "reasons": {"ok": 1, "planar_motion": 1}}}
    text = render(summaries, pad, command="python -m kiosk evaluate --calibration-report X", sets={"photos": "P"})
    for heading in ("## The decision", "## Data sets", "## Each change's effect", "## ROC of the defaults",
                    "## A better model?", "## Liveness"):
        assert heading in text
    assert "python -m kiosk evaluate --calibration-report X" in text and "- **photos**: P" in text
    assert "| photos | baseline | 5 / 4 | 1 / 0 |" in text
    assert "| 0.56 | 0.0% | 25.0% |" in text  # the ROC at 0.56 over compared pairs: 1 of 4 genuine above
    assert "APCER 0.0%" in text and "BPCER 50.0%" in text
