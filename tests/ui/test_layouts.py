"""Every screen of a real demo session fits the kiosk sizes (1280×1024, 1024×768, 1080×1920 portrait) at
every text size: no label cut or elided, nothing outside its parent or on top of another text, every
button on screen, and the window no larger than the screen. Checked by the widgets' own geometry.

``KIOSK_SCREENSHOTS=docs/screenshots python -m pytest tests/ui/test_layouts.py`` refreshes the README's
pictures from these live screens.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from nfc.sim.citizen import DEMO_ID_NUMBER
from tests.ui.fakes import texts
from tests.ui.layout import SIZES, layout_problems
from tests.ui.live import live_kiosk
from ui import i18n
from ui.theme import FONT_STEPS

VIETNAMESE = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")

SHOTS = os.environ.get("KIOSK_SCREENSHOTS")
README_SHOTS = {"1280x1024": 0, "1080x1920": 2}  # size -> the text size its pictures are taken at


@pytest.fixture(autouse=True)
def _data(monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))


def drawing_problems(window) -> list[str]:
    """The picture is not blank, and every Vietnamese letter shown has a glyph in the font in use."""
    problems = []
    small = window.grab().toImage().scaled(64, 40)
    if len({small.pixel(x, y) for x in range(small.width()) for y in range(small.height())}) <= 8:
        problems.append("looks blank")
    metrics = QFontMetrics(window.font())
    shown = texts(window.current())
    if not VIETNAMESE & set(shown.lower()) and i18n.language() == "vi":
        problems.append(f"shows no Vietnamese: {shown[:60]!r}")
    missing = sorted({ch for ch in shown if ch.lower() in VIETNAMESE and not metrics.inFontUcs4(ord(ch))})
    if missing:
        problems.append(f"no glyph for {missing}")
    return problems


class Checker:
    """Checks the window as shown now at each text size; keeps what it found, and takes the pictures."""

    def __init__(self, window, size_name: str) -> None:
        self.window, self.size_name = window, size_name
        self.problems: list[str] = []

    def __call__(self, screen: str) -> None:
        window = self.window
        assert window.current().name == screen or screen.startswith(window.current().name), window.current().name
        start = window.font_step
        for step in range(len(FONT_STEPS)):
            window.font_step = step
            window.apply_style()
            for _ in range(3):
                QApplication.processEvents()
            size = SIZES[self.size_name]
            if (window.width(), window.height()) != size:
                self.problems.append(f"{self.size_name} text {step + 1} {screen}: window grew to "
                                     f"{window.width()}x{window.height()}")
            self.problems += [f"{self.size_name} text {step + 1} {screen}: {p}" for p in layout_problems(window)]
            if step == 0:
                self.problems += [f"{self.size_name} {screen}: {p}" for p in drawing_problems(window)]
            if SHOTS and README_SHOTS.get(self.size_name) == step:
                suffix = "" if self.size_name == "1280x1024" else f"-{self.size_name}-text{step + 1}"
                picture = window.grab().toImage().scaledToWidth(size[0] // 2,
                                                                Qt.TransformationMode.SmoothTransformation)
                picture.save(str(Path(SHOTS) / f"{screen}{suffix}.png"))
        window.font_step = start
        window.apply_style()


def _wait(qtbot, condition, timeout: int = 20000) -> None:
    qtbot.waitUntil(condition, timeout=timeout)


@pytest.mark.parametrize("size_name", list(SIZES))
def test_every_screen_of_a_hospital_check_in_fits(qtbot, size_name: str) -> None:
    with live_kiosk(qtbot, "hospital", size=SIZES[size_name]) as kiosk:
        w, check = kiosk.window, Checker(kiosk.window, size_name)
        check("welcome")
        kiosk.hold_key.clear()  # the reading screen stays while the key step waits
        w.welcome.go.click()
        _wait(qtbot, lambda: w.current() is w.consent)
        check("consent")
        w.consent.agree.click()
        _wait(qtbot, lambda: w.current() is w.reading and w.reading.current == "key")
        check("reading")
        w.reading.type_button.click()
        _wait(qtbot, lambda: w.current() is w.keypad)
        kiosk.hold_key.set()
        check("keypad")
        for digit in DEMO_ID_NUMBER:
            w.keypad.press(digit)
        w.keypad.press("OK")
        _wait(qtbot, lambda: w.current() is w.camera)
        check("camera")
        _wait(qtbot, lambda: w.current() is w.result, 30000)
        check("result")
        w.result.finish.click()
        w.welcome.go.click()
        _wait(qtbot, lambda: w.current() is w.consent)
        w.consent.decline.click()
        _wait(qtbot, lambda: w.current() is w.declined)
        check("declined")
        w.declined.finish.click()
        kiosk.pull_card_after(6)
        w.welcome.go.click()
        _wait(qtbot, lambda: w.current() is w.consent)
        w.consent.agree.click()
        _wait(qtbot, lambda: w.current() is w.error, 30000)
        check("error")
        w.error.finish.click()
        w.staff_button.click()
        check("pin")
        w.pin.entry.setText("1234")
        w.pin.submit()
        _wait(qtbot, lambda: bool(w.operator.loaded_rows))
        check("operator")
        assert check.problems == []


@pytest.mark.parametrize("size_name", ["1024x768", "1080x1920"])
def test_the_exam_see_staff_and_airport_results_fit(qtbot, size_name: str) -> None:
    with live_kiosk(qtbot, "exam", size=SIZES[size_name]) as kiosk:
        w, check = kiosk.window, Checker(kiosk.window, size_name)
        for _ in range(2):  # the second check-in of the same candidate is sent to staff
            w.welcome.go.click()
            _wait(qtbot, lambda: w.current() is w.consent)
            w.consent.agree.click()
            _wait(qtbot, lambda: w.current() is w.result, 30000)
            if w.result.result.failure is None:
                w.result.finish.click()
        check("result-see-staff")
    with live_kiosk(qtbot, "airport", size=SIZES[size_name]) as kiosk:
        w, check2 = kiosk.window, Checker(kiosk.window, size_name)
        check2("welcome-airport")
        w.welcome.go.click()
        _wait(qtbot, lambda: w.current() is w.consent)
        w.consent.agree.click()
        _wait(qtbot, lambda: w.current() is w.result, 30000)
        check2("result-airport")
    assert check.problems + check2.problems == []
