"""Every command of ``python -m kiosk``, with missing, empty, folder, unreadable, binary and oversized
arguments (files it reads, files it writes, text and numbers): one sentence on stderr, Vietnamese and
English, and a documented exit status; never a traceback, never the unexpected-error status.

The command lines run in one worker process (tests/kiosk/cli_worker.py). As root, the worker runs without
the capabilities that let root read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so a mode-000 file
really is unreadable to it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk import cli
from kiosk.settings import MAX_PROFILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("cli_worker.py")
EXIT_USAGE, EXIT_NO_FACE = 2, 5
# exit statuses each command documents for bad input (see each command's --help / module docstring)
ALLOWED = {"check": {EXIT_USAGE}, "run": {EXIT_USAGE}, "read": {EXIT_USAGE}, "sim": {EXIT_USAGE},
           "roster": {EXIT_USAGE}, "site": {EXIT_USAGE}, "doctor": {EXIT_USAGE}, "supervise": {EXIT_USAGE},
           "trust": {EXIT_USAGE}, "outbox": {EXIT_USAGE}, "attendance": {EXIT_USAGE}, "bench": {EXIT_USAGE},
           "verify": {EXIT_USAGE, EXIT_NO_FACE}, "evaluate": {EXIT_USAGE, EXIT_NO_FACE}, "demo": {EXIT_USAGE},
           "ui": {EXIT_USAGE}, "": {EXIT_USAGE}}
ERROR_LINE = re.compile(r"^\S.* / .+ \[[^\]:]+: .+\]$")  # "<vi> / <en> [step: detail]"
KINDS = ("missing", "empty", "folder", "unreadable", "binary", "oversized")
OUT_KINDS = ("no-folder", "folder", "unwritable-folder", "inside-a-file")
TEXTS = ("", "²²²303004567", "١٢٣٤٥٦", "5045۳7", "\x01\x02\x7f", "9" * 100_000, "-1", "nan")


class Files:
    """Bad inputs and outputs of every kind, made once in ``base``."""

    def __init__(self, base: Path) -> None:
        self.base = base
        base.mkdir()
        rng = np.random.default_rng(1)
        self.random = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
        (base / "locked").mkdir()
        (base / "locked" / "inside").write_text("x")
        tiny = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
        at = tiny.find(b"\xff\xc0")
        self.bomb = tiny[:at + 5] + (20000).to_bytes(2, "big") * 2 + tiny[at + 9:]  # 631 bytes, 20000×20000
        face = cv2.resize(np.full((64, 64, 3), 128, np.uint8), (96, 96))
        self.good_image = base / "good.png"
        self.good_image.write_bytes(cv2.imencode(".png", face)[1].tobytes())
        self.good_portrait = base / "good.jp2"
        self.good_portrait.write_bytes(cv2.imencode(".jp2", face)[1].tobytes())
        self.faces = base / "faces"  # a readable folder of photos, for --faces
        self.faces.mkdir()
        (self.faces / "someone_1.png").write_bytes(self.good_image.read_bytes())

    def input(self, kind: str, ext: str, *, content: bytes = b"x") -> str:
        path = self.base / f"{kind}{ext}"
        if kind == "folder":
            path.mkdir(exist_ok=True)
            (path / "x").write_bytes(b"x")
            if ext in (".pem", ".der"):  # a folder of anchors is fine (an empty one: no CSCA); one of junk is not
                (path / f"junk{ext}").write_bytes(self.random)
        elif kind == "empty":
            path.write_bytes(b"")
        elif kind == "unreadable":
            path.write_bytes(content)
            path.chmod(0)
        elif kind == "binary":
            path.write_bytes(self.random)
        elif kind == "oversized":
            path.write_bytes(self.bomb if ext in (".jpg", ".png", ".jp2") else
                             b"# " + b"x" * (MAX_PROFILE_BYTES + 10) + b"\n")
        return str(path)

    def output(self, kind: str, name: str) -> str:
        if kind == "no-folder":
            return str(self.base / "no-such-folder" / name)
        if kind == "folder":
            return str(self.base / "folder.out")
        if kind == "unwritable-folder":
            return str(self.base / "locked" / name)
        binary = self.base / "binary.bin"
        binary.write_bytes(self.random)
        return str(binary / name)

    def profile(self, name: str, text: str) -> str:
        path = self.base / f"{name}.toml"
        path.write_text(f'[profile]\nname = "{name}"\nsite = "T"\n{text}', "utf-8")
        return str(path)

    def lock(self) -> None:
        (self.base / "folder.out").mkdir(exist_ok=True)
        (self.base / "locked").chmod(0)


def cases(files: Files) -> list[list[str]]:
    f = files
    out: list[list[str]] = [[], ["nope"], ["check", "--no-such-option"], ["check", "--profile"], ["read", "--id"]]
    for kind in KINDS:
        profile, camera = f.input(kind, ".toml"), f.input(kind, ".png")
        out += [["check", "--simulator", "--profile", profile], ["run", "--simulator", "--profile", profile],
                ["outbox", "status", "--profile", profile], ["attendance", "--profile", profile, "--out",
                                                               str(f.base / "a.csv")],
                ["ui", "--profile", profile], ["check", "--simulator", "--camera", camera],
                ["demo", "--headless", "--camera", camera], ["ui", "--demo", "--camera", camera],
                ["trust", "list", "--csca", f.input(kind, ".pem")],
                ["read", "--simulator", "--csca", f.input(kind, ".der")],
                ["verify", "--portrait", f.input(kind, ".jp2"), "--live", str(f.good_image)],
                ["verify", "--portrait", str(f.good_portrait), "--live", f.input(kind, ".jpg")],
                ["verify", "--pairs", f.input(kind, ".csv")], ["evaluate", "--pairs", f.input(kind, ".csv")],
                ["evaluate", "--make-chip-like", f.input(kind, ".jpg"), "--out", str(f.base / "o.jp2")],
                ["evaluate", "--build-pairs", f.input(kind, ".d"), "--out", str(f.base / "pairs")],
                ["evaluate", "--liveness", "--faces", str(f.faces), "--video", f.input(kind, ".mp4")]]
        if kind != "folder":  # a folder of photos is what --faces takes
            out.append(["evaluate", "--liveness", "--faces", f.input(kind, ".faces")])
        roster = f.input(kind, ".xlsx")
        exam = f.profile(f"exam-{kind}", f'[adapter]\nkind = "exam"\nroster = "{roster}"\nsession = "s"\n')
        key = f.profile(f"key-{kind}", f'[outbox]\nkey_file = "{f.input(kind, ".key")}"\n')
        out += [["doctor", "--profile", profile], ["roster", "import", f.input(kind, ".csv"), "--profile", "exam"],
                ["roster", "import", str(f.good_image), "--profile", profile], ["site", "serve", "--profile", profile],
                ["attendance", "--profile", exam, "--out", str(f.base / "a.csv")],
                ["check", "--simulator", "--profile", exam, "--can", "004567"],
                ["outbox", "status", "--profile", key], ["check", "--simulator", "--profile", key, "--can", "004567"]]
    for kind in OUT_KINDS:
        out += [["read", "--simulator", "--portrait-out", f.output(kind, "p.jp2")],
                ["sim", "--port", "1", "--csca-out", f.output(kind, "csca.pem")],
                ["sim", "--port", "1", "--master-list-out", f.output(kind, "csca.ml")],
                ["attendance", "--profile", f.profile("exam-out", '[adapter]\nkind = "exam"\nroster = "r.csv"\n'
                                                                 'session = "s"\n'), "--out", f.output(kind, "a.csv")],
                ["evaluate", "--make-chip-like", str(f.good_image), "--out", f.output(kind, "o.jp2")],
                ["evaluate", "--build-pairs", str(f.base), "--out", f.output(kind, "pairs")],
                ["evaluate", "--calibration-report", f.output(kind, "report.md"), "--faces", str(f.faces)]]
    for text in TEXTS:
        for option in ("--id", "--can", "--mrz", "--qr"):
            out += [["read", "--simulator", option, text], ["check", "--simulator", option, text]]
        out += [["check", "--simulator", "--wait", text], ["read", "--simulator", "--wait", text],
                ["run", "--simulator", "--count", text], ["sim", "--port", text], ["sim", "--tamper-dg", text],
                ["sim", "--port", "1", "--remove-after", text], ["bench", "chip", "--repeat", text],
                ["bench", "chip", "--bit-rate", text], ["bench", "face", "--frames", text],
                ["bench", "checkin", "--outbox", text], ["evaluate", "--pairs", "x.csv", "--variants", text],
                ["bench", "site", "--kiosks", text], ["bench", "site", "--repeats", text],
                ["bench", "fuzz", "--inputs", text], ["bench", "fuzz", "--seed", text],
                ["evaluate", "--liveness", "--faces", str(f.faces), "--video", str(f.good_image),
                 "--video-frames", text],
                ["doctor", "--frame-size", text], ["doctor", "--timeout", text],
                ["supervise", "--first-delay", text, "--", "true"], ["supervise", "--stable", text, "--", "true"],
                ["supervise", "--max-restarts", text, "--", "true"],
                ["site", "serve", "--port", text],
                ["verify", "--portrait", str(f.good_portrait), "--live", str(f.good_image), "--threshold", text],
                ["check", "--simulator", "--camera", text], ["outbox", text, "--profile", "demo"]]
    out += [["sim", "--port", "1", "--tamper-dg", "99"], ["sim", "--port", "1", "--tamper-dg", "3"],
            ["trust", "list", "--csca", str(f.base / "locked")], ["bench", "nope"], ["attendance"],
            ["bench", "fuzz", "--only", "nope"], ["supervise"], ["supervise", "--"], ["doctor", "--check", "nope"],
            ["attendance", "--profile", "demo", "--out", str(f.base / "a.csv")]]
    return out


def _short(argv: list[str]) -> list[str]:
    return [a if len(a) < 80 else a[:40] + f"…({len(a)} characters)" for a in argv]


def _command(argv: list[str]) -> str:
    return next((a for a in argv if a in cli.COMMANDS or a == "run"), "")


def _worker_command() -> list[str]:
    python = [sys.executable, str(WORKER)]
    if os.geteuid() != 0:
        return python
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: mode-000 files cannot be made unreadable to the worker")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *python]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    base = tmp_path_factory.mktemp("cli")
    files = Files(base / "files")
    argvs = cases(files)
    files.lock()
    (base / "cases.json").write_text(json.dumps(argvs), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_DATA_DIR": str(base / "data"), "QT_QPA_PLATFORM": "offscreen"}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "KIOSK_OUTBOX_KEY", "KIOSK_OUTBOX_KEY_FILE", "CREDENTIALS_DIRECTORY"):
        env.pop(name, None)
    subprocess.run([*_worker_command(), str(base / "cases.json"), str(base / "results.json")], env=env, cwd=base,
                   check=True, timeout=1800)
    return json.loads((base / "results.json").read_text("utf-8"))


def test_every_command_is_exercised(results: list[dict]) -> None:
    assert {_command(r["argv"]) for r in results} >= set(cli.COMMANDS) | {"run"}
    assert len(results) > 300


def test_no_command_line_ends_in_a_traceback(results: list[dict]) -> None:
    bad = [(_short(r["argv"]), r["escaped"], r["status"], r["stderr"][-300:]) for r in results
           if r["escaped"] or r["status"] == cli.EXIT_INTERNAL or "Traceback" in r["stderr"] + r["stdout"]]
    assert not bad, "\n".join(map(str, bad))


def test_each_error_is_one_bilingual_sentence_and_a_documented_status(results: list[dict]) -> None:
    wrong = []
    for r in results:
        lines = [line for line in r["stderr"].splitlines() if line.strip()]
        allowed = ALLOWED[_command(r["argv"])]
        if r["status"] not in allowed:
            wrong.append((_short(r["argv"]), "status", r["status"], r["stderr"][-300:]))
        elif r["status"] == EXIT_USAGE and (len(lines) != 1 or not ERROR_LINE.match(lines[0])):
            wrong.append((_short(r["argv"]), "stderr", [line[:300] for line in lines[-3:]]))
    assert not wrong, "\n".join(map(str, wrong))


def test_the_guard_turns_a_bug_into_one_sentence_and_a_staff_log_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    from kiosk.commands import trust

    def buggy(args):
        raise ZeroDivisionError("personal data 001303004567 must not be logged")

    monkeypatch.setattr(trust, "run", buggy)
    with caplog.at_level(logging.ERROR, logger="kiosk.cli"):
        assert cli.main(["trust", "list"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and ERROR_LINE.match(err.strip())
    assert "unexpected ZeroDivisionError" in err and "Traceback" not in err
    (record,) = [r for r in caplog.records if r.name == "kiosk.cli"]
    assert "ZeroDivisionError" in record.getMessage() and "test_cli_hostile.py" in record.getMessage()
    assert "001303004567" not in record.getMessage() + err and record.exc_info is None


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in (*cli.COMMANDS, "run"))


@pytest.mark.parametrize("argv", [
    ["check", "--simulator", "--profile", "{base}"], ["sim", "--port", "1", "--tamper-dg", "99"],
    ["read", "--simulator", "--portrait-out", "{base}/missing/p.jp2"], ["trust", "list", "--csca", "{base}/x"],
])
def test_a_real_process_prints_no_traceback(argv: list[str], tmp_path: Path) -> None:
    argv = [a.format(base=tmp_path) for a in argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "kiosk", *argv], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == EXIT_USAGE and "Traceback" not in done.stderr
    assert ERROR_LINE.match(done.stderr.strip()), done.stderr
