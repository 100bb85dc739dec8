"""``python -m kiosk verify`` / ``evaluate`` / ``bench face`` exit statuses and output, in-process."""

from __future__ import annotations

import argparse
import json

import cv2
import numpy as np
import pytest

from kiosk.cli import UsageError


def _run(argv: list[str]) -> int:
    from kiosk.benchmarks import face as bench_face
    from kiosk.commands import evaluate, verify

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    verify.register(sub)
    evaluate.register(sub)
    bench = sub.add_parser("bench").add_subparsers(dest="target", required=True)
    bench_face.register(bench)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError:
        return 2


@pytest.fixture(scope="module")
def files(tmp_path_factory, chip_bytes, live_frames, astronaut, matcher):
    d = tmp_path_factory.mktemp("cli")
    (d / "chip.jp2").write_bytes(chip_bytes)
    cv2.imwrite(str(d / "live.jpg"), cv2.cvtColor(live_frames[0], cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(d / "black.png"), np.zeros((480, 640, 3), np.uint8))
    from skimage import data

    lfw = cv2.resize((data.lfw_subset()[3] * 255).astype(np.uint8), (200, 200))
    cv2.imwrite(str(d / "other.png"), lfw)
    two = np.hstack([cv2.resize(astronaut[0:300, 70:370], (320, 320))] * 2)
    cv2.imwrite(str(d / "two.png"), cv2.cvtColor(two, cv2.COLOR_RGB2BGR))
    (d / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    folder = d / "frames"
    folder.mkdir()
    for i, f in enumerate(live_frames[:4]):
        cv2.imwrite(str(folder / f"{i:03d}.jpg"), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    return d


def test_verify_match_exit_0_json(files, capsys):
    rc = _run(["verify", "--portrait", str(files / "chip.jp2"), "--live", str(files / "live.jpg"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["match"] is True and out["decision"] == "match"
    assert set(out) >= {"decision", "match", "distance", "threshold", "refer_threshold", "quality", "elapsed_s"}


def test_verify_refer_exit_6_and_match_false(files, capsys):
    rc = _run(["verify", "--portrait", str(files / "chip.jp2"), "--live", str(files / "live.jpg"), "--json",
               "--threshold", "0.01", "--refer-threshold", "1.5"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 6 and out["decision"] == "refer" and out["match"] is False
    assert (out["threshold"], out["refer_threshold"]) == (0.01, 1.5)
    assert _run(["verify", "--portrait", str(files / "chip.jp2"), "--live", str(files / "live.jpg"),
                 "--threshold", "0.7", "--refer-threshold", "0.6"]) == 2


def test_verify_folder_as_camera(files, capsys):
    rc = _run(["verify", "--portrait", str(files / "chip.jp2"), "--live", str(files / "frames"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["frames_seen"] == 4 and out["frames_used"] == 3


def test_verify_no_match_exit_1(files, tmp_path, capsys, engine):
    from biometrics.portrait import make_chip_like

    # the astronaut's chip against an LFW face upscaled as "live": soft, so use a folder of it? No: swap roles.
    other_chip = tmp_path / "other.jp2"
    img = cv2.imread(str(files / "other.png"))
    other_chip.write_bytes(make_chip_like(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), engine))
    rc = _run(["verify", "--portrait", str(other_chip), "--live", str(files / "live.jpg"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["match"] is False and out["decision"] == "no_match"
    assert out["distance"] > out["refer_threshold"]


@pytest.mark.parametrize(
    ("portrait", "live", "reason", "where"),
    [
        ("chip.jp2", "black.png", "none_found", "live"),
        ("chip.jp2", "two.png", "several_faces", "live"),
        ("chip.jp2", "corrupt.jpg", "undecodable", "live"),
        ("corrupt.jpg", "live.jpg", "undecodable", "portrait"),
        ("black.png", "live.jpg", "none_found", "portrait"),
    ],
)
def test_verify_no_usable_face_exit_5(files, capsys, portrait, live, reason, where):
    rc = _run(["verify", "--portrait", str(files / portrait), "--live", str(files / live), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 5 and out["reason"] == reason and out["where"] == where and out["match"] is False


def test_verify_usage_errors_exit_2(files):
    assert _run(["verify", "--portrait", str(files / "chip.jp2")]) == 2
    assert _run(["verify", "--portrait", str(files / "nope.jp2"), "--live", str(files / "live.jpg")]) == 2
    assert _run(["verify", "--portrait", str(files / "chip.jp2"), "--live", str(files / "nope")]) == 2


def test_verify_pairs_one_json_line_each(files, tmp_path, capsys):
    csv = tmp_path / "pairs.csv"
    csv.write_text(f"portrait,live,same\n{files / 'chip.jp2'},{files / 'live.jpg'},yes\n"
                   f"{files / 'chip.jp2'},{files / 'black.png'},yes\n")
    assert _run(["verify", "--pairs", str(csv)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["status"] for x in lines] == [0, 5]


def test_evaluate_pairs_and_make_chip_like(files, tmp_path, capsys):
    chip2 = tmp_path / "chip2.jp2"
    assert _run(["evaluate", "--make-chip-like", str(files / "live.jpg"), "--out", str(chip2)]) == 0
    capsys.readouterr()
    assert 8_000 <= chip2.stat().st_size <= 20_000
    csv = tmp_path / "pairs.csv"
    csv.write_text(f"{chip2},{files / 'frames' / '001.jpg'},yes\n{files / 'chip.jp2'},{files / 'live.jpg'},yes\n")
    assert _run(["evaluate", "--pairs", str(csv), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["pairs"]["genuine"] == 2 and r["frr"] == 0.0 and len(r["results"]) == 2
    assert r["genuine"] == {"match": 2, "refer": 0, "no_match": 0, "no_usable_face": 0}
    assert [x["decision"] for x in r["results"]] == ["match", "match"] and r["far_ci95"][1] != r["far_ci95"][1]


def test_evaluate_liveness_and_report_need_photos(tmp_path):
    assert _run(["evaluate", "--liveness"]) == 2
    assert _run(["evaluate", "--calibration-report", str(tmp_path / "r.md"), "--faces", str(tmp_path / "no")]) == 2
    assert _run(["evaluate", "--calibration-report", str(tmp_path / "r.md"), "--faces", str(tmp_path),
                 "--video", str(tmp_path / "none.mp4")]) == 2


def test_evaluate_bad_csv_exit_2(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("a.jpg,b.jpg,yes\nc.jpg,d.jpg,maybe\n")
    assert _run(["evaluate", "--pairs", str(csv)]) == 2


def test_bench_face_runs(capsys):
    assert _run(["bench", "face", "--repeat", "1", "--frames", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["one_to_one_median_s"] > 0 and out["multi_frame_median_s"] > 0 and out["after_read_median_s"] > 0
