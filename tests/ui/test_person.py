"""One person, one session: the next person starts afresh; nobody leaves the kiosk stuck; the end of a
countdown asks before it gives up; the result reminds the person to take the card."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from kiosk.messages import message
from tests.ui.fakes import FakeSession, error_result, ok_result, script, texts
from ui import i18n
from ui.app import WINDOWED, place_window
from ui.screens import step_name
from ui.widgets import Countdown

FULL = ("card", "consent", "key", "chip", "trust", "face", "destination", "result")


def _to_result(qtbot, window) -> None:
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.consent.agree.click()
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)


def test_language_contrast_and_text_size_return_to_the_site_defaults_for_the_next_person(qtbot, make_window):
    window = make_window(FakeSession(script(*FULL), ok_result()))
    window.lang_button.click()
    window.next_font_step()
    window.next_font_step()
    window.contrast_button.click()
    assert (i18n.language(), window.font_step, window.property("highContrast")) == ("en", 2, True)
    _to_result(qtbot, window)
    assert i18n.language() == "en" and window.font_step == 2  # kept for the whole of this person's check-in
    window.result.finish.click()
    assert window.current() is window.welcome
    assert (i18n.language(), window.font_step, bool(window.property("highContrast"))) == ("vi", 0, False)
    assert not window.contrast_button.isChecked() and "1/3" in window.font_button.text()
    assert "Đặt thẻ CCCD" in texts(window.welcome)


def test_a_site_in_english_returns_to_english(qtbot, make_window):
    window = make_window(FakeSession(script(*FULL), ok_result()), language="en")
    window.lang_button.click()
    assert i18n.language() == "vi"
    _to_result(qtbot, window)
    window.result.finish.click()
    assert i18n.language() == "en"


def test_the_staff_screens_close_when_left_alone(qtbot, make_window):
    window = make_window(FakeSession([], ok_result()), operator_pin="1", staff_timeout_s=5)
    window.staff_button.click()
    assert window.current() is window.pin and window.pin.countdown.running
    for _ in range(3):
        window.pin.countdown.tick()
    window.pin.press("1")  # a touch gives the full time again
    assert window.pin.countdown.remaining == 5
    window.pin.press("OK")
    assert window.current() is window.operator and window.operator.countdown.running
    for _ in range(5):
        window.operator.countdown.tick()
    assert window.current() is window.welcome and not window.operator.countdown.running


def test_the_end_of_a_countdown_asks_are_you_still_there_with_a_sound(qtbot, make_window):
    window = make_window(FakeSession(script(*FULL), ok_result()), result_timeout_s=12)
    _to_result(qtbot, window)
    countdown: Countdown = window.result.countdown
    assert not countdown.ask.isVisible() and "Thêm thời gian" in countdown.more.text()
    warnings = []
    countdown.warning.connect(lambda: warnings.append(True))
    played = len(window.sounds.played)
    countdown.tick()
    countdown.tick()  # 10 s left
    assert countdown.ask.isVisible() and "Bạn còn đó không?" in countdown.ask.text()
    assert "Tôi vẫn ở đây" in countdown.more.text() and countdown.text.objectName() == "lead"
    assert warnings == [True] and window.sounds.played[played:] == ["attention"]
    countdown.tick()
    assert warnings == [True]  # once per warning, not every second
    countdown.more.click()  # "I am still here"
    assert not countdown.ask.isVisible() and window.current() is window.result


def test_the_result_reminds_the_person_to_take_the_card_in_words_and_sound(qtbot, make_window):
    window = make_window(FakeSession(script(*FULL), ok_result()))
    _to_result(qtbot, window)
    assert window.result.take_card.isVisible() and "lấy lại thẻ CCCD" in window.result.take_card.text()
    assert window.sounds.played[-2:] == ["success", "take_card"]


def test_every_see_staff_screen_shows_a_short_reference_the_panel_finds(qtbot, make_window):
    session = FakeSession(script("card", "consent", "key", "chip", "trust", fail="trust", fail_key="trust.refused"),
                          error_result("trust.refused", step="trust"))
    window = make_window(session, operator_pin="1")
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.consent.agree.click()
    qtbot.waitUntil(lambda: window.current() is window.error, timeout=5000)
    reference = "REF456"
    assert reference in texts(window.error) and not window.error.again.isVisible()
    window.error.finish.click()
    window.staff_button.click()
    window.pin.entry.setText("1")
    window.pin.submit()
    window.operator.reference.setText(reference.lower())
    window.operator.find_button.click()
    found = window.operator.found.text()
    assert step_name("trust") in found and "từ chối" in found and message("trust.refused").vi in found


def test_the_operator_panel_speaks_vietnamese(qtbot, make_window):
    info = {"reader": "virtual_card", "camera": "demo_face", "trust_store": "test_csca", "site": "BV-01"}
    window = make_window(FakeSession([], ok_result()), operator_pin="1", info=lambda: info)
    window.staff_button.click()
    window.pin.entry.setText("1")
    window.pin.submit()
    qtbot.waitUntil(lambda: bool(window.operator.loaded_rows), timeout=5000)
    rows = dict(window.operator.loaded_rows)
    assert rows["Đầu đọc thẻ"] == "thẻ ảo (chế độ thử)" and rows["Máy ảnh"] == "khuôn mặt mẫu"
    assert rows["Kho chứng thư tin cậy"] == "CSCA thử nghiệm của thẻ ảo" and rows["Điểm đặt máy"] == "BV-01"


def test_a_declined_consent_is_counted_apart_from_refusals(qtbot, make_window):
    window = make_window(FakeSession(script(*FULL), ok_result()), operator_pin="1")
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.consent.decline.click()
    qtbot.waitUntil(lambda: window.current() is window.declined, timeout=5000)
    assert dict(window.stats.outcomes) == {"declined": 1}
    window.declined.finish.click()
    window.staff_button.click()
    window.pin.entry.setText("1")
    window.pin.submit()
    qtbot.waitUntil(lambda: bool(window.operator.loaded_rows), timeout=5000)
    assert ("  không đồng ý dùng máy ảnh", "1") in window.operator.loaded_rows


def test_neither_consent_answer_looks_chosen_before_a_tap(qtbot, make_window):
    window = make_window(FakeSession(script(*FULL), ok_result()))
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    assert not window.consent.agree.hasFocus() and not window.consent.decline.hasFocus()
    assert not window.consent.agree.isDefault() and not window.consent.decline.isDefault()
    assert "✖" not in window.consent.decline.text()


def test_full_screen_fills_the_screen_and_a_window_fits_it(qtbot, make_window):
    window = make_window(FakeSession([], ok_result()))
    screen = QGuiApplication.primaryScreen()
    place_window(window, fullscreen=True)
    qtbot.waitUntil(lambda: window.geometry() == screen.geometry(), timeout=5000)
    window.showNormal()
    place_window(window, fullscreen=False)
    available = screen.availableGeometry()
    assert window.width() <= min(WINDOWED[0], available.width())
    assert window.height() <= min(WINDOWED[1], available.height())


def test_try_again_after_a_missing_boarding_pass_waits_for_the_scan(qtbot, make_window):
    session = FakeSession([("precheck", "started", None), ("precheck", "failed", "airport.boarding_pass_missing")],
                          error_result("airport.boarding_pass_missing", step="precheck"))
    session.requires = ("boarding_pass",)
    window = make_window(session, profile="airport")
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.error, timeout=5000)
    assert window.error.again.isVisible()
    window.error.again.click()
    assert window.current() is window.welcome and window.welcome.boarding_pass.isVisible()
    qtbot.wait(200)
    assert len(session.contexts) == 1  # nothing started until the pass is scanned


def test_a_reader_that_is_not_connected_is_said_on_the_welcome_screen_and_sought_again(qtbot, make_window):
    from kiosk.outcomes import Failure, FailureKind, Outcome, Step
    from kiosk.session import SessionResult

    gone = SessionResult("ref789abcdef", Outcome.ERROR, "chip.reader_not_connected", (),
                         failure=Failure(FailureKind.READER, "chip.reader_not_connected", Step.CARD))
    session = FakeSession([("card", "started", None), ("card", "failed", "chip.reader_not_connected")], gone)
    window = make_window(session, manual_start=False)
    qtbot.waitUntil(lambda: window.welcome.notice.isVisible(), timeout=5000)
    assert window.current() is window.welcome
    assert message("chip.reader_not_connected").vi in window.welcome.notice.text()
    qtbot.waitUntil(lambda: len(session.contexts) >= 2, timeout=8000)  # it looks for the reader again
    session.result = ok_result()
    session.events = [(s, state, None) for s in ("card",) for state in ("started", "done")]
    qtbot.waitUntil(lambda: not window.welcome.notice.isVisible(), timeout=8000)


def test_a_face_referred_to_staff_is_shown_side_by_side_on_the_panel_and_dropped_after(qtbot, make_window):
    import numpy as np

    from kiosk.outcomes import Failure, FailureKind, Outcome, Step
    from kiosk.session import FaceReview, SessionResult

    review = FaceReview(np.full((320, 240, 3), 200, np.uint8), np.full((480, 640, 3), 90, np.uint8), 0.58)
    referred = SessionResult("refface123456", Outcome.REFUSED, "face.refer", (),
                             failure=Failure(FailureKind.STAFF, "face.refer", Step.FACE), face_review=review)
    window = make_window(FakeSession(script(*FULL), referred), operator_pin="1")
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.consent.agree.click()
    qtbot.waitUntil(lambda: window.current() is window.error, timeout=5000)
    assert window.last_result.face_review is None and window.error.result.face_review is None
    window.staff_button.click()
    window.pin.entry.setText("1")
    window.pin.submit()
    panel = window.operator
    assert panel.pages.currentWidget() is panel.review
    assert not panel.review.portrait.pixmap().isNull() and not panel.review.live.pixmap().isNull()
    assert "0.580" in panel.review.advice.text()
    panel.close_button.click()  # back to the kiosk: the faces go
    assert window.current() is window.welcome
    assert panel.review.review is None and panel.pages.indexOf(panel.review) < 0
