"""What the person sees and shows: the camera delivers frames big enough, Qt can open the screen, a font
covers Vietnamese, and the face models load.

Qt is tried in a child process: a platform plugin that cannot load aborts the process that tries it.
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from biometrics.engine import load_face_recognition
from biometrics.errors import BiometricsError
from biometrics.frames import open_source
from kiosk.doctor.result import CheckName, CheckResult, failed, passed, skipped

PROBE_FRAMES = 5
VIETNAMESE_SAMPLE = ("Tiếng Việt ạ ả ấ ầ ẩ ẫ ậ ắ ằ ẳ ẵ ặ ẹ ẻ ẽ ế ề ể ễ ệ ỉ ị ọ ỏ ố ồ "
                     "ổ ỗ ộ ớ ờ ở ỡ ợ ụ ủ ứ ừ ử ữ ự ỳ ỵ ỷ ỹ đ Đ ơ ư")
PREFERRED_FONTS = ("Noto Sans", "DejaVu Sans", "Roboto", "Arial", "Liberation Sans")


@dataclass(frozen=True)
class FrameSize:
    width: int = 640
    height: int = 480

    @classmethod
    def parse(cls, text: str) -> FrameSize:
        match = re.fullmatch(r"(\d+)[xX](\d+)", text.strip())
        if not match:
            raise ValueError(f"not a size WIDTHxHEIGHT: {text!r}")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


def camera_check(spec: str | None, size: FrameSize, *, demo: bool = False) -> CheckResult:
    devices = sorted(glob.glob("/dev/video*"))
    if spec is None:
        if demo:
            return passed(CheckName.CAMERA, "demo: the demo face stands in for the camera", devices=devices)
        return failed(CheckName.CAMERA, "no camera is configured: the kiosk would show the demo face",
                      "doctor.camera_not_configured", devices=devices)
    try:
        source = open_source(spec, max_frames=PROBE_FRAMES)
        try:
            frames = list(source.frames())
        finally:
            source.close()
    except BiometricsError as exc:
        found = f"; video devices here: {', '.join(devices)}" if devices else "; no /dev/video* device here"
        return failed(CheckName.CAMERA, f"camera {spec!r}: {exc}{found}", "doctor.camera_missing", devices=devices)
    if not frames:
        return failed(CheckName.CAMERA, f"camera {spec!r} delivered no frame", "doctor.camera_missing")
    height, width = frames[0].rgb.shape[:2]
    if width < size.width or height < size.height:
        return failed(CheckName.CAMERA, f"camera {spec!r} delivers {width}x{height}, less than {size}",
                      "doctor.camera_small", width=width, height=height)
    return passed(CheckName.CAMERA, f"camera {spec!r} delivers {len(frames)} frames of {width}x{height}",
                  width=width, height=height, devices=devices)


_QT_PROBE = """
import json, sys
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QGuiApplication
app = QGuiApplication(sys.argv[:1])
sample, preferred = sys.argv[1], sys.argv[2].split(",")
families = QFontDatabase.families()
def covers(family):
    metrics = QFontMetrics(QFont(family))
    return all(metrics.inFontUcs4(ord(ch)) for ch in sample if not ch.isspace())
order = [f for f in preferred if f in families] + [f for f in families if f not in preferred]
font = next((f for f in order if covers(f)), None)
screen = app.primaryScreen()
size = [screen.size().width(), screen.size().height()] if screen else None
print(json.dumps({"platform": app.platformName(), "screen": size, "font": font}))
"""


def display_checks(timeout_s: float = 30.0) -> list[CheckResult]:
    """display (the Qt platform plugin opens the screen) and font (a family covers Vietnamese)."""
    env = dict(os.environ)
    headless = not env.get("QT_QPA_PLATFORM") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY")
    if headless:
        env["QT_QPA_PLATFORM"] = "offscreen"  # the fonts can still be checked
    try:
        run = subprocess.run([sys.executable, "-c", _QT_PROBE, VIETNAMESE_SAMPLE, ",".join(PREFERRED_FONTS)],
                             capture_output=True, text=True, timeout=timeout_s, env=env)
    except subprocess.TimeoutExpired:
        return [failed(CheckName.DISPLAY, f"Qt did not start within {timeout_s:g} s", "doctor.display_down"),
                skipped(CheckName.FONT, "Qt did not start")]
    if run.returncode != 0:
        return [_display_failure(run.stderr), skipped(CheckName.FONT, "Qt did not start")]
    probe = json.loads(run.stdout.strip().splitlines()[-1])
    if headless:
        display = skipped(CheckName.DISPLAY, "no display in this shell (DISPLAY unset): run the doctor in the "
                          "kiosk's session to check the screen", "doctor.no_display", **_missing_xcb_libs())
    else:
        size = probe["screen"]
        display = passed(CheckName.DISPLAY, f"Qt's {probe['platform']} plugin opens the screen"
                         + (f" ({size[0]}x{size[1]})" if size else ""), platform=probe["platform"], screen=size)
    if probe["font"] is None:
        font = failed(CheckName.FONT, "no installed font covers Vietnamese", "doctor.font_missing")
    else:
        font = passed(CheckName.FONT, f"{probe['font']!r} covers Vietnamese", family=probe["font"])
    return [display, font]


def _display_failure(stderr: str) -> CheckResult:
    missing = _missing_xcb_libs()
    if missing.get("missing_libraries"):
        return failed(CheckName.DISPLAY, "Qt's xcb plugin lacks " + ", ".join(missing["missing_libraries"]),
                      "doctor.qt_plugin", **missing)
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "no message")
    if "could not connect to display" in stderr or "cannot open display" in stderr.lower():
        return failed(CheckName.DISPLAY, f"cannot open display {os.environ.get('DISPLAY', '')!r}: {last}",
                      "doctor.display_down")
    return failed(CheckName.DISPLAY, f"Qt could not start: {last}", "doctor.qt_plugin")


def _missing_xcb_libs() -> dict[str, list[str]]:
    """The libraries Qt's xcb platform plugin needs and the system lacks (``ldd``), if it can be told."""
    try:
        import PySide6
    except ImportError:
        return {"missing_libraries": ["PySide6"]}
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return {}
    try:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    missing = [line.split("=>")[0].strip() for line in out.splitlines() if "not found" in line]
    return {"missing_libraries": missing} if missing else {}


def face_models_check(enabled: bool) -> CheckResult:
    if not enabled:
        return skipped(CheckName.FACE_MODELS, "the profile has no face step")
    try:
        load_face_recognition()
    except BiometricsError as exc:
        return failed(CheckName.FACE_MODELS, str(exc), "doctor.face_models")
    return passed(CheckName.FACE_MODELS, "face_recognition and its models load")
