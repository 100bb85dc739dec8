"""Each screen reached by driving a session: welcome → reading → consent → camera → result or error."""

from __future__ import annotations

import threading

import pytest

from kiosk.messages import message
from tests.ui.fakes import FakeSession, error_result, ok_result, script, texts

FULL = ("card", "consent", "key", "chip", "trust", "face", "destination", "result")


def _texts(widget) -> str:
    return texts(widget)


def _agree_when_asked(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    window.consent.agree.click()


def test_hospital_check_in_shows_queue_number_and_department(qtbot, make_window) -> None:
    session = FakeSession(script(*FULL), ok_result({"queue_number": "B012", "department": "Khoa Nội – Phòng 3"}))
    window = make_window(session, profile="hospital")
    assert window.current() is window.welcome
    assert "Đặt thẻ CCCD" in _texts(window.welcome)
    window.welcome.go.click()
    _agree_when_asked(qtbot, window)
    assert session.consent_answers == [] or session.consent_answers == [True]
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)
    shown = _texts(window.result)
    assert "B012" in shown and "Khoa Nội – Phòng 3" in shown
    assert "Số thứ tự của bạn" in shown and "✔" in window.result.banner.text()  # icon and words, not colour alone
    assert message("result.checked_in").vi in shown
    assert session.consent_answers == [True]


def test_reading_screen_names_the_real_steps_as_they_happen(qtbot, make_window) -> None:
    gate = threading.Event()
    session = FakeSession(script("card", "key", "chip"), ok_result(), gate=gate)
    window = make_window(session, profile="demo")
    window.welcome.go.click()
    assert window.current() is window.reading
    qtbot.waitUntil(lambda: window.reading.steps.states["chip"] == "done", timeout=5000)
    shown = _texts(window.reading)
    assert "✔  Đọc chip — xong" in shown and "○  Kiểm tra khuôn mặt — đang chờ" in shown
    assert window.reading.bar.value() > 0
    gate.set()
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)


def test_airport_result_cleared_flight_and_seat(qtbot, make_window) -> None:
    display = {"decision": "cleared", "flight": "VN 213", "seat": "12C"}
    session = FakeSession(script(*FULL), ok_result(display, key="airport.cleared"))
    session.requires = ("boarding_pass",)  # as the airport adapter asks
    window = make_window(session, profile="airport", context={"boarding_pass": "M1TEST"})
    assert window.welcome.boarding_pass.isVisible()
    window.welcome.go.click()
    _agree_when_asked(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)
    shown = _texts(window.result)
    assert "Được qua" in shown and "VN 213" in shown and "12C" in shown
    assert session.contexts == [{"boarding_pass": "M1TEST"}]  # the scanned pass reaches the session


def test_airport_refer_says_see_staff(qtbot, make_window) -> None:
    display = {"decision": "refer", "flight": "VN 213", "seat": "12C"}
    session = FakeSession(script(*FULL), ok_result(display, outcome="refer", key="airport.name_order_swapped"))
    window = make_window(session, profile="airport")
    window.welcome.go.click()
    _agree_when_asked(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)
    assert "Vui lòng gặp nhân viên" in window.result.banner.text()
    assert "Gặp nhân viên" in _texts(window.result)


def test_exam_result_room_and_candidate_number(qtbot, make_window) -> None:
    display = {"decision": "present", "sbd": "01000123", "room": "012", "time": "07:05"}
    session = FakeSession(script(*FULL), ok_result(display, key="exam.cleared"))
    window = make_window(session, profile="exam")
    window.welcome.go.click()
    _agree_when_asked(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)
    shown = _texts(window.result)
    assert "Phòng thi" in shown and "012" in shown and "01000123" in shown
    assert message("exam.cleared").vi in shown


def test_unverified_passive_authentication_is_said_on_screen(qtbot, make_window) -> None:
    session = FakeSession(script(*FULL), ok_result(warnings=("passive_authentication",)))
    window = make_window(session)
    window.welcome.go.click()
    _agree_when_asked(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)
    assert window.result.warnings.isVisible()
    assert message("trust.passive_authentication_unverified").vi in window.result.warnings.text()


@pytest.mark.parametrize(("key", "step", "retry"), [
    ("chip.card_removed", "chip", True),
    ("chip.access_denied", "chip", True),
    ("trust.refused", "trust", False),
    ("face.no_match", "face", False),
    ("face.too_small", "face", True),
    ("upstream.rejected", "destination", False),
    ("bhyt.010", "destination", False),
    ("exam.wrong_room", "destination", False),
    ("kiosk.error", "chip", True),
])
def test_every_error_says_what_to_do_next(qtbot, make_window, key, step, retry) -> None:
    steps = FULL[: FULL.index(step) + 1]
    session = FakeSession(script(*steps, fail=step, fail_key=key), error_result(key, step=step))
    window = make_window(session, profile="hospital")
    window.welcome.go.click()
    if "consent" in steps:
        _agree_when_asked(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.error, timeout=5000)
    shown = _texts(window.error)
    assert message(key).vi in shown
    assert ("!" if retry else "✖") in window.error.banner.text()  # a try again is not an alarm
    assert window.error.again.isVisible() is retry
    assert window.error.countdown.running


def test_try_again_starts_a_new_check_in(qtbot, make_window) -> None:
    session = FakeSession(script("card", "key", "chip", fail="chip", fail_key="chip.card_removed"),
                          error_result("chip.card_removed"))
    window = make_window(session)
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.error, timeout=5000)
    window.error.again.click()
    qtbot.waitUntil(lambda: len(session.contexts) == 2, timeout=5000)


def test_declining_consent_never_starts_the_camera(qtbot, make_window) -> None:
    session = FakeSession(script(*FULL), ok_result())
    window = make_window(session, preview=lambda: iter(()))
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    assert "Nghị định 13/2023/NĐ-CP" in _texts(window.consent)
    window.consent.decline.click()
    qtbot.waitUntil(lambda: window.current() is window.declined, timeout=5000)
    assert session.consent_answers == [False]
    assert window.preview_worker is None and not window.frame_times
    shown = _texts(window.declined)
    assert "Bạn đã chọn không dùng máy ảnh" in shown and "✖" not in shown  # a choice, not an error
    assert window.declined.banner.tone == "info" and "Tôi đổi ý" in shown
    window.declined.again.click()  # "I changed my mind": asked again
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=5000)
    assert len(session.contexts) == 2


def test_liveness_challenge_shows_the_turn_prompt(qtbot, make_window) -> None:
    gate = threading.Event()
    steps = ("card", "consent", "key", "chip", "trust", "face", "liveness")
    session = FakeSession(script(*steps, challenge="face.liveness.turn_left"), ok_result(), gate=gate)
    window = make_window(session, profile="airport")
    window.welcome.go.click()
    _agree_when_asked(qtbot, window)
    qtbot.waitUntil(lambda: window.camera.challenge_key is not None, timeout=5000)
    assert window.current() is window.camera
    assert message("face.liveness.turn_left").vi in window.camera.challenge.text()
    assert window.camera.preview.arrow == "left"
    gate.set()
    qtbot.waitUntil(lambda: window.current() is window.result, timeout=5000)


def test_camera_screen_guidance_follows_the_preview(qtbot, make_window) -> None:
    from ui.preview import Guidance

    window = make_window(FakeSession([], ok_result()))
    window.camera.set_guidance(Guidance((10, 10, 20, 20), (640, 480), 120.0, 1))
    assert "đến gần hơn" in window.camera.guide.text()
    window.camera.set_guidance(Guidance(None, (640, 480), 20.0, 0))
    assert "ánh sáng" in window.camera.guide.text()
    window.camera.set_guidance(Guidance((200, 100, 200, 220), (640, 480), 120.0, 1))
    assert window.camera.preview.box_ok


def test_cancel_during_reading_returns_to_welcome(qtbot, make_window) -> None:
    gate = threading.Event()
    session = FakeSession(script("card", "key"), ok_result(), gate=gate)
    window = make_window(session)
    window.welcome.go.click()
    window.reading.cancel_button.click()
    assert window.current() is window.welcome
    assert session.cancelled.is_set()
    gate.set()
    qtbot.waitUntil(lambda: not window.runner.running, timeout=5000)
    assert window.current() is window.welcome


def test_a_real_reader_waits_on_the_welcome_screen(qtbot, make_window) -> None:
    """Without the demo's button the session starts by itself and waits for a card on the welcome screen."""
    gate = threading.Event()
    session = FakeSession([("card", "started", None)], error_result("chip.no_card", "error", "card"), gate=gate)
    window = make_window(session, manual_start=False)
    qtbot.waitUntil(lambda: len(session.contexts) == 1, timeout=5000)
    assert window.current() is window.welcome and not window.welcome.go.isVisible()
    gate.set()  # no card came: the kiosk keeps waiting, silently
    qtbot.waitUntil(lambda: len(session.contexts) >= 2, timeout=5000)
    assert window.current() is window.welcome


def test_every_failure_kind_has_a_next_step_on_screen() -> None:
    from kiosk.outcomes import FailureKind
    from ui.screens import NEXT

    assert set(NEXT) == set(FailureKind)
