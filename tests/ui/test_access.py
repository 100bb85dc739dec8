"""Language switch, countdown and "more time", operator PIN, large targets, contrast, text size, fonts."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton

from kiosk.messages import message
from tests.ui.fakes import FakeSession, error_result, ok_result, script, texts
from ui import i18n

FULL = ("card", "consent", "key", "chip", "trust", "face", "destination", "result")
UI = Path(__file__).resolve().parents[2] / "ui"


def _to_result(qtbot, window) -> None:
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.consent.agree.click()
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)


def test_vietnamese_by_default_english_one_tap_away_and_back(qtbot, make_window) -> None:
    window = make_window(FakeSession(script(*FULL), ok_result()))
    _to_result(qtbot, window)
    assert "Xong" in window.result.finish.text() and window.lang_button.text().endswith("English")
    assert message("result.checked_in").vi in window.result.text.text()
    window.lang_button.click()
    assert i18n.language() == "en"
    assert "Done" in window.result.finish.text() and window.lang_button.text().endswith("Tiếng Việt")
    assert message("result.checked_in").en in window.result.text.text()  # the session's message too
    assert "Your number" in texts(window.result) and "Back to the start in" in window.result.countdown.text.text()
    window.lang_button.click()
    assert "Quay về màn hình đầu sau" in window.result.countdown.text.text()


def test_english_start(qtbot, make_window) -> None:
    window = make_window(FakeSession([], ok_result()), language="en")
    assert "Place your CCCD card" in texts(window.welcome)


def test_result_returns_to_welcome_after_a_visible_countdown_with_more_time(qtbot, make_window) -> None:
    window = make_window(FakeSession(script(*FULL), ok_result()), result_timeout_s=3)
    _to_result(qtbot, window)
    countdown = window.result.countdown
    assert countdown.running and countdown.remaining == 3 and "3" in countdown.text.text()
    countdown.tick()
    assert countdown.remaining == 2 and "2 giây" in countdown.text.text() and countdown.bar.value() == 2
    countdown.more.click()  # "Thêm thời gian"
    assert countdown.remaining == 32
    for _ in range(31):
        countdown.tick()
    assert window.current() is window.result
    countdown.tick()
    assert window.current() is window.welcome and not countdown.running


def test_countdown_runs_on_its_own_timer(qtbot, make_window) -> None:
    window = make_window(FakeSession(script("card", fail="card", fail_key="chip.error"), error_result("chip.error")),
                         error_timeout_s=1)
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.error, timeout=5000)
    qtbot.waitUntil(lambda: window.current() is window.welcome, timeout=4000)


def test_unanswered_consent_times_out_and_cancels(qtbot, make_window) -> None:
    session = FakeSession(script(*FULL), ok_result())
    window = make_window(session, consent_timeout_s=2)
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.consent.countdown.tick()
    window.consent.countdown.tick()
    assert window.current() is window.welcome
    qtbot.waitUntil(lambda: not window.runner.running, timeout=5000)
    assert session.consent_answers == [False] and window.current() is window.welcome


def test_operator_panel_needs_the_pin_and_shows_no_personal_data(qtbot, make_window) -> None:
    session = FakeSession(script(*FULL), ok_result({"queue_number": "A001", "department": "Nguyễn Thị An"}))
    window = make_window(session, operator_pin="2468", info=lambda: {"Reader": "virtual card (demo)"})
    _to_result(qtbot, window)
    window.result.finish.click()
    window.staff_button.click()
    assert window.current() is window.pin
    for key in "1111":
        window.pin.press(key)
    window.pin.press("OK")
    assert window.current() is window.pin and "Sai mã PIN" in window.pin.status.text()
    for key in "2468":
        window.pin.keys[key].click()
    window.pin.keys["OK"].click()
    assert window.current() is window.operator
    qtbot.waitUntil(lambda: bool(window.operator.loaded_rows), timeout=5000)
    rows = dict(window.operator.loaded_rows)
    assert rows["Lượt làm thủ tục hôm nay"] == "1" and rows["Cấu hình"] == "demo"
    assert rows["Reader"] == "virtual card (demo)"
    table = "\n".join(window.operator.status.item(r, c).text() for r in range(window.operator.status.rowCount())
                      for c in range(2))
    assert "Nguyễn" not in table and "A001" not in table
    assert window.operator.steps.rowCount() == len(FULL)  # a median time per step
    window.operator.close_button.click()
    assert window.current() is window.welcome


def test_pin_locks_after_five_wrong_tries(qtbot) -> None:
    from ui.operator import PinScreen

    now = [0.0]
    pin = PinScreen("1234", clock=lambda: now[0])
    qtbot.addWidget(pin)
    opened = []
    pin.unlocked.connect(lambda: opened.append(True))
    for _ in range(5):
        pin.entry.setText("0000")
        pin.submit()
    pin.entry.setText("1234")
    pin.submit()
    assert not opened and "60" in pin.status.text()
    now[0] = 61.0
    pin.entry.setText("1234")
    pin.submit()
    assert opened


def test_staff_panel_is_not_offered_over_a_running_check_in(qtbot, make_window) -> None:
    import threading

    gate = threading.Event()
    window = make_window(FakeSession(script("card"), ok_result(), gate=gate), operator_pin="1")
    window.welcome.go.click()
    window.staff_button.click()
    assert window.current() is window.reading
    gate.set()


def test_touch_targets_contrast_and_text_size(qtbot, make_window) -> None:
    window = make_window(FakeSession(script(*FULL), ok_result()))
    for screen in window.screens():
        window.stack.setCurrentWidget(screen)
        qtbot.wait(1)
        for b in screen.findChildren(QAbstractButton) + window.findChildren(QAbstractButton):
            if b.isVisible():
                assert b.height() >= 48 and b.width() >= 48, (screen.name, b.text(), b.size())
    window.stack.setCurrentWidget(window.welcome)
    size = window.welcome.title.font().pixelSize()
    before = window.welcome.title.sizeHint().height()
    window.font_button.click()
    qtbot.wait(1)
    assert window.welcome.title.sizeHint().height() > before, size
    assert "2/3" in window.font_button.text()
    window.contrast_button.click()
    assert window.property("highContrast") is True and "#000000" in window.styleSheet()
    window.contrast_button.click()
    assert window.property("highContrast") is False


def test_a_font_with_vietnamese_coverage_is_used(qtbot) -> None:
    from ui.theme import covers_vietnamese, font_family

    family = font_family()
    assert covers_vietnamese(family), f"{family} lacks Vietnamese glyphs: install fonts-dejavu-core or fonts-noto-core"


def test_every_symbol_on_screen_is_in_the_font(qtbot) -> None:
    """Icons are plain characters; each must exist in the font (no empty boxes for an elderly reader)."""
    from PySide6.QtGui import QFont, QFontMetrics

    from ui.theme import font_family

    metrics = QFontMetrics(QFont(font_family()))
    source = "".join(p.read_text("utf-8") for p in UI.glob("*.py"))
    symbols = {ch for ch in source if ord(ch) > 0x2000 and not ch.isalpha()}
    missing = sorted(ch for ch in symbols if not metrics.inFontUcs4(ord(ch)))
    assert not missing, missing


def test_ui_imports_only_what_the_architecture_allows() -> None:
    """ui/ watches kiosk/ sessions; it never imports nfc/, biometrics/ or an adapter."""
    for path in UI.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("nfc", "biometrics", "kiosk.adapters")), (path.name, name)
