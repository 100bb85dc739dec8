"""Every screen rendered to PNG: not blank, and its Vietnamese text drawn with a font that has the glyphs.

Set ``KIOSK_SCREENSHOTS=docs/screenshots`` to refresh the README's pictures of the main screens.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from PySide6.QtGui import QFontMetrics, QImage

from kiosk.camera import demo_frames
from tests.ui.fakes import FakeSession, error_result, ok_result, script, texts
from ui.preview import Guidance, to_qimage

FULL = ("card", "consent", "key", "chip", "trust", "face", "destination", "result")
VIETNAMESE = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")
SIZE = (1024, 640)


def _check(widget, name: str, out: Path) -> None:
    image: QImage = widget.grab().toImage().scaled(*SIZE)
    path = out / f"{name}.png"
    assert image.save(str(path)), path
    small = image.scaled(64, 40)
    colours = {small.pixel(x, y) for x in range(small.width()) for y in range(small.height())}
    assert len(colours) > 8, f"{name} looks blank"
    words = texts(widget)
    assert VIETNAMESE & set(words.lower()), f"{name} shows no Vietnamese: {words[:80]}"
    for label_text in words.splitlines():
        metrics = QFontMetrics(widget.font())
        missing = [ch for ch in label_text if ch.lower() in VIETNAMESE and not metrics.inFontUcs4(ord(ch))]
        assert not missing, (name, missing)


def test_each_screen_renders(qtbot, make_window, tmp_path) -> None:
    out = Path(os.environ.get("KIOSK_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    gate = threading.Event()
    display = {"queue_number": "B012", "department": "Khoa Khám bệnh – Phòng 105"}
    session = FakeSession(script(*FULL), ok_result(display, warnings=()), gate=gate)
    window = make_window(session, profile="hospital")
    qtbot.wait(50)
    _check(window, "1-welcome", out)
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.reading.on_event("card", "done")
    for step in ("key", "chip"):
        window.reading.on_event(step, "done")
    window.reading.on_event("trust", "started")
    window.stack.setCurrentWidget(window.reading)
    _check(window, "2-reading", out)
    window.stack.setCurrentWidget(window.consent)
    _check(window, "3-consent", out)
    window.consent.agree.click()
    frame = next(demo_frames())
    window.camera.preview.set_frame(to_qimage(frame))
    window.camera.set_guidance(Guidance((200, 40, 130, 150), (512, 512), 120.0, 1))
    window.camera.show_challenge("face.liveness.turn_left")
    _check(window, "4-camera", out)
    gate.set()
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)
    _check(window, "5-result-hospital", out)
    window.error.show_result(error_result("face.no_match", step="face"))
    window.show_screen(window.error)
    _check(window, "6-error", out)
    window.show_screen(window.pin)
    _check(window, "7-operator-pin", out)
    window.show_screen(window.operator)
    qtbot.waitUntil(lambda: bool(window.operator.loaded_rows), timeout=5000)
    _check(window, "7-operator-panel", out)
    window.contrast_button.setChecked(True)
    window.show_screen(window.welcome)
    _check(window, "8-welcome-high-contrast", out)
    for name in ("1-welcome", "4-camera", "5-result-hospital"):
        assert (out / f"{name}.png").stat().st_size < 400_000


def test_airport_and_exam_results_render(qtbot, make_window, tmp_path) -> None:
    out = Path(os.environ.get("KIOSK_SCREENSHOTS") or tmp_path)
    for profile, display, key in (
        ("airport", {"decision": "cleared", "flight": "VN 213", "seat": "12C"}, "airport.cleared"),
        ("exam", {"decision": "cleared", "sbd": "01000123", "room": "012", "time": "07:05"}, "exam.cleared"),
    ):
        window = make_window(FakeSession([], ok_result(display, key=key)), profile=profile)
        window.result.show_result(ok_result(display, key=key))
        window.show_screen(window.result)
        _check(window, f"5-result-{profile}", out)
