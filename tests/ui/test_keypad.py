"""Typing the access key: no QR code seen, "type my number", or the chip refused the key → the keypad.

The flows run the real demo session (virtual card, demo face) with a camera that shows no QR code: an
image folder holding only the demo face."""

from __future__ import annotations

import threading

import cv2
import pytest
from PySide6.QtCore import Qt

from kiosk.errors import KeyEntryCancelled, KeyNotFound
from kiosk.key_source import KeyInput, KeypadKeys
from kiosk.messages import message
from nfc.sim.citizen import DEMO_ID_NUMBER
from tests.ui.fakes import FakeSession, ok_result, texts

WRONG_BUT_WELL_FORMED = DEMO_ID_NUMBER[:6] + "000000"  # a real province, 12 digits: only the chip can say no


@pytest.fixture
def demo_without_qr(monkeypatch, tmp_path):
    """``(make_session, options)`` for the demo profile whose camera (an image folder) never shows a QR code."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    from biometrics.portrait import demo_face_rgb
    from kiosk.demo_site import demo_site
    from kiosk.settings import load_profile

    folder = tmp_path / "camera"
    folder.mkdir()
    cv2.imwrite(str(folder / "face.png"), cv2.cvtColor(demo_face_rgb(), cv2.COLOR_RGB2BGR))
    with demo_site(load_profile("demo"), tmp_path / "site") as (profile, context):
        yield from _demo_session(profile, context, folder)


def _demo_session(profile, context, folder, still_looking: threading.Event | None = None):
    """With ``still_looking`` the QR scan goes on until the event is set, as a camera does while no code is
    shown (a folder of one picture would be done at once)."""
    from kiosk.assembly import Hardware, build_session
    from kiosk.simulator import VirtualCards

    hardware = Hardware(cards=VirtualCards(), camera=str(folder))

    def scan(attempt: int):
        if still_looking is not None:
            still_looking.wait(20)
        return hardware.keys(attempt)

    def make_session(*, listener, consent, keypad=None):
        keys = keypad(scan) if keypad is not None else None
        return build_session(profile, hardware, listener=listener, consent=consent, keys=keys)

    yield make_session, {"profile": "demo", "context": context, "on_shutdown": hardware.close}


def _type(window, number: str) -> None:
    for digit in number:
        window.keypad.keys[digit].click()


def _start_and_agree(qtbot, window) -> None:
    """Start, and agree to the camera when asked (right after the card, before the key)."""
    window.welcome.go.click()
    qtbot.waitUntil(lambda: window.current() is window.consent, timeout=20000)
    window.consent.agree.click()


def _finish(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.current() in (window.result, window.error), timeout=30000)


def test_no_qr_code_opens_the_keypad_and_a_typed_id_completes_the_check_in(qtbot, make_window,
                                                                            demo_without_qr) -> None:
    make_session, options = demo_without_qr
    window = make_window(make_session=make_session, **options)
    _start_and_agree(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.keypad, timeout=20000)
    keypad = window.keypad
    shown = texts(keypad)
    assert "Nhập số CCCD của bạn" in shown and "Máy ảnh chưa đọc được mã QR" in keypad.banner.text()
    for key in keypad.KEYS:  # large keys, far above the 48 px minimum
        assert keypad.keys[key].height() >= 48 and keypad.keys[key].width() >= 48
    _type(window, DEMO_ID_NUMBER)
    assert keypad.display.text() == " ".join(DEMO_ID_NUMBER[i:i + 3] for i in range(0, 12, 3))
    keypad.keys["OK"].click()
    assert window.current() is window.reading
    _finish(qtbot, window)
    result = window.last_result
    assert result.outcome == "checked_in", (result.message_key, result.detail)
    assert [step for step, _ in result.timings].count("key") == 1
    assert keypad.digits == ""  # the number is forgotten with the check-in


def test_a_wrong_number_shows_the_exact_reason_and_stays_on_the_keypad(qtbot, make_window) -> None:
    window = make_window(FakeSession([], ok_result()))
    keypad = window.keypad
    submitted = []
    keypad.submitted.connect(submitted.append)
    window.show_screen(keypad)
    keypad.ask(0, "key.not_found")
    _type(window, "0013030")
    keypad.keys["OK"].click()
    assert message("key.wrong_length").vi in keypad.banner.text() and "✖" in keypad.banner.text()
    assert "Đã nhập 7 / 12 chữ số" in keypad.count.text()
    window.set_language("en")
    assert message("key.wrong_length").en in keypad.banner.text()
    window.set_language("vi")
    keypad.clear()
    keypad.keys["OK"].click()
    assert message("key.empty").vi in keypad.banner.text()
    _type(window, "999303004567")  # no such province
    keypad.keys["OK"].click()
    assert message("key.unknown_province").vi in keypad.banner.text()
    keypad.press("⌫")
    assert keypad.digits == "99930300456" and not keypad.error_key  # typing again clears the reason
    assert not submitted and window.current() is keypad
    keypad.clear()
    _type(window, "123456")  # the 6-digit CAN on the card's front
    assert "mã CAN" in keypad.count.text()
    keypad.keys["OK"].click()
    assert len(submitted) == 1 and isinstance(submitted[0], KeyInput) and submitted[0].qr is None


def test_a_usb_keyboard_types_too(qtbot, make_window) -> None:
    window = make_window(FakeSession([], ok_result()))
    window.show_screen(window.keypad)
    window.keypad.ask(0, None)
    qtbot.keyClicks(window.keypad, "12a3")
    qtbot.keyClick(window.keypad, Qt.Key.Key_Backspace)
    assert window.keypad.digits == "12"
    assert not window.keypad.banner.isVisible()  # asked without a reason: nothing to warn about


def test_the_chip_refusing_the_key_brings_the_keypad_back_with_the_refusal(qtbot, make_window,
                                                                           demo_without_qr) -> None:
    make_session, options = demo_without_qr
    window = make_window(make_session=make_session, **options)
    asked = []
    window.runner.key_requested.connect(lambda attempt, key: asked.append((attempt, key)))
    _start_and_agree(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.keypad, timeout=20000)
    _type(window, WRONG_BUT_WELL_FORMED)
    window.keypad.keys["OK"].click()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=20000)
    assert asked == [(0, "key.not_found"), (1, "chip.access_denied")]
    assert window.current() is window.keypad
    assert message("chip.access_denied").vi in window.keypad.banner.text()
    assert window.keypad.digits == WRONG_BUT_WELL_FORMED  # kept, so a slip can be fixed
    assert window.reading.steps.states["chip"] == "failed"
    window.keypad.clear()
    _type(window, DEMO_ID_NUMBER)
    window.keypad.keys["OK"].click()
    _finish(qtbot, window)
    assert window.last_result.outcome == "checked_in", window.last_result.message_key


def test_cancel_on_the_keypad_returns_to_welcome(qtbot, make_window, demo_without_qr) -> None:
    make_session, options = demo_without_qr
    window = make_window(make_session=make_session, **options)
    _start_and_agree(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.keypad, timeout=20000)
    _type(window, "0013")
    window.keypad.cancel_button.click()
    assert window.current() is window.welcome
    qtbot.waitUntil(lambda: not window.runner.running, timeout=10000)
    assert window.current() is window.welcome
    assert window.last_result.message_key in ("key.entry_cancelled", "session.cancelled")
    assert window.keypad.digits == ""


def test_an_untouched_keypad_times_out_to_welcome(qtbot, make_window, demo_without_qr) -> None:
    make_session, options = demo_without_qr
    window = make_window(make_session=make_session, key_timeout_s=2, **options)
    _start_and_agree(qtbot, window)
    qtbot.waitUntil(lambda: window.current() is window.keypad, timeout=20000)
    window.keypad.countdown.tick()
    window.keypad.countdown.tick()
    assert window.current() is window.welcome
    qtbot.waitUntil(lambda: not window.runner.running, timeout=10000)
    assert window.current() is window.welcome


def test_type_my_number_skips_the_qr_code(qtbot, make_window, monkeypatch, tmp_path) -> None:
    from kiosk.demo_site import demo_site
    from kiosk.settings import load_profile

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    looking = threading.Event()
    with demo_site(load_profile("demo"), tmp_path / "site") as (profile, context):
        (make_session, options), = _demo_session(profile, context, tmp_path, still_looking=looking)
        try:
            _type_my_number(qtbot, make_window(make_session=make_session, **options))
        finally:
            looking.set()


def _type_my_number(qtbot, window) -> None:
    asked = []
    window.runner.key_requested.connect(lambda attempt, key: asked.append((attempt, key)))
    _start_and_agree(qtbot, window)
    assert window.reading.type_button.isVisible()
    window.reading.type_button.click()
    assert not window.reading.type_button.isVisible()
    qtbot.waitUntil(lambda: window.current() is window.keypad, timeout=20000)
    assert asked == [(0, "")] and not window.keypad.banner.isVisible()
    window.keypad.cancel_button.click()
    qtbot.waitUntil(lambda: not window.runner.running, timeout=10000)


# -- the key source itself, on the worker thread ----------------------------------------------------------
def test_key_source_scans_first_then_asks_for_attempt_one_and_on_no_qr() -> None:
    asked: list[tuple[int, str | None]] = []
    typed = KeyInput(object())  # type: ignore[arg-type]
    scanned = KeyInput(object())  # type: ignore[arg-type]

    def ask(attempt, key):
        asked.append((attempt, key))
        return typed

    keys = KeypadKeys(lambda attempt: scanned, ask, threading.Event())
    assert keys(0) is scanned and asked == []
    assert keys(1) is typed and asked == [(1, "chip.access_denied")]

    def no_qr(attempt):
        raise KeyNotFound("no QR")

    assert KeypadKeys(no_qr, ask, threading.Event())(0) is typed and asked[-1] == (0, "key.not_found")


def test_key_source_stops_waiting_for_the_qr_code_when_the_person_wants_to_type() -> None:
    interrupt, release = threading.Event(), threading.Event()
    typed = KeyInput(object())  # type: ignore[arg-type]

    def slow_scan(attempt):
        release.wait(5)
        raise KeyNotFound("no QR")

    keys = KeypadKeys(slow_scan, lambda attempt, key: typed, interrupt, poll_s=0.01)
    threading.Timer(0.05, interrupt.set).start()
    assert keys(0) is typed
    release.set()


def test_key_source_passes_other_errors_and_cancel_through() -> None:
    from nfc.errors import AccessKeyError

    def broken(attempt):
        raise AccessKeyError("bad QR")

    with pytest.raises(AccessKeyError):
        KeypadKeys(broken, lambda a, k: None, threading.Event())(0)

    def cancelled(attempt, key):
        raise KeyEntryCancelled("cancelled")

    with pytest.raises(KeyEntryCancelled):
        KeypadKeys(None, cancelled, threading.Event())(0)
