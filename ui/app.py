"""The kiosk window: a top bar (language, text size, contrast, staff) over one screen at a time.

The window follows the session and nothing else: ``SessionRunner`` hands it each
:class:`~kiosk.session.SessionEvent` and the final :class:`~kiosk.session.SessionResult` on the UI
thread; the window picks the screen by the result's failure kind (:data:`ui.screens.NEXT`). The session
itself (card, camera, network) runs on the runner's worker thread; the preview on its own thread.

One person, one session: language, contrast and text size return to the site's defaults whenever the
kiosk is back at its welcome screen, and the staff screens close themselves when left alone.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk.outcomes import EventState, FailureKind, Outcome, Step
from kiosk.stats import DailyStats
from ui import i18n
from ui.i18n import tr
from ui.operator import OperatorScreen, PinScreen
from ui.preview import PreviewWorker
from ui.screens import (
    NEXT,
    CameraScreen,
    ConsentScreen,
    DeclinedScreen,
    ErrorScreen,
    KeypadScreen,
    Next,
    ReadingScreen,
    ResultScreen,
    Screen,
    WelcomeScreen,
)
from ui.sounds import Sounds
from ui.theme import FONT_STEPS, font_family, stylesheet
from ui.watchdog import start_watchdog
from ui.widgets import Countdown, button
from ui.worker import SessionFactory, SessionRunner

log = logging.getLogger(__name__)

WINDOWED = (1280, 800)  # fits a 1280×800 display; smaller screens get their available size
READER_RETRY_MS = 3000  # how soon a kiosk whose reader is not connected looks for it again


@dataclass
class KioskOptions:
    profile: str = "demo"
    manual_start: bool = True  # the demo's virtual card is "placed" with a button; a real reader waits
    pace_s: float = 0.0  # demo only: a pause after each reading step so it can be followed
    result_timeout_s: int = 20  # how long the result (the queue number) stays on screen
    error_timeout_s: int = 30
    consent_timeout_s: int = 60
    key_timeout_s: int = 90  # the keypad waits this long for a tap before the check-in is abandoned
    staff_timeout_s: int = 60  # the PIN screen and the operator panel close after this long untouched
    language: str = i18n.DEFAULT
    operator_pin: str | None = None
    preview: Callable[[], Iterator] | None = None  # frames for the live preview; None: no preview
    preview_detector: object = True  # True: biometrics HOG; None: no face box; or a callable
    info: Callable[[], Mapping[str, str]] = field(default=lambda: {})
    sounds: bool = True
    context: Mapping[str, str] = field(default_factory=dict)  # demo: what the person would give (boarding pass)
    on_shutdown: Callable[[], None] | None = None  # release what the session and the preview share (the camera)
    checks: Callable[[], Sequence] | None = None  # the doctor's checks for the operator panel (kiosk.doctor)


class KioskWindow(QMainWindow):
    def __init__(self, make_session: SessionFactory, options: KioskOptions | None = None) -> None:
        super().__init__()
        self.options = o = options or KioskOptions()
        self.setWindowTitle("CCCD kiosk")
        self.setProperty("highContrast", False)
        self.font_step = 0
        self.stats = DailyStats()
        self.sounds = Sounds(o.sounds)
        self.preview_worker: PreviewWorker | None = None
        self.frame_times: list[float] = []  # when preview frames reached the screen (fps measurement)
        self.events: list = []  # this check-in's events (no personal data in them)
        self._abandoned = False
        self._context: dict[str, str] = {}
        self._shown: Screen | None = None
        self.last_result = None

        i18n.set_language(o.language)  # before any screen is built, so each is born in the right language
        self.runner = SessionRunner(make_session, pace_s=o.pace_s, parent=self)
        self.runner.event.connect(self.on_event)
        self.runner.consent_requested.connect(self.on_consent_requested)
        self.runner.key_requested.connect(self.on_key_requested)
        self.runner.finished.connect(self.on_finished)
        self._build_screens()
        self._connect_screens()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_bar())
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.setFont(QFont(font_family()))
        self.apply_style()
        self.show_screen(self.welcome)
        if self._starts_itself():
            QTimer.singleShot(0, self.start_checkin)

    def _build_screens(self) -> None:
        o, session = self.options, self.runner.session
        self.welcome = WelcomeScreen(o.profile, manual_start=o.manual_start, requires=tuple(session.requires),
                                     prefill=o.context)
        self.reading = ReadingScreen(tuple(session.steps), o.profile)
        self.consent = ConsentScreen(o.consent_timeout_s)
        self.declined = DeclinedScreen(o.profile, o.error_timeout_s)
        self.keypad = KeypadScreen(o.key_timeout_s)
        self.camera = CameraScreen()
        self.result = ResultScreen(o.profile, o.result_timeout_s)
        self.error = ErrorScreen(o.profile, o.error_timeout_s, can_retry=True)
        self.pin = PinScreen(o.operator_pin, idle_s=o.staff_timeout_s)
        outbox = self.runner.outbox
        self.operator = OperatorScreen(o.profile, self.stats, o.info,
                                       (lambda: outbox.status()) if outbox is not None else (lambda: None),
                                       (lambda: outbox.retry()) if outbox is not None else None,
                                       idle_s=o.staff_timeout_s, checks=o.checks)
        self.stack = QStackedWidget()
        for screen in self.screens():
            self.stack.addWidget(screen)

    def _connect_screens(self) -> None:
        self.welcome.start.connect(self.start_checkin)
        self.reading.cancel.connect(self.cancel_checkin)
        self.reading.type_number.connect(self.runner.request_keypad)
        self.keypad.submitted.connect(self.on_key_typed)
        self.keypad.cancel.connect(self.cancel_checkin)
        self.keypad.countdown.expired.connect(self.on_walked_away)
        self.camera.cancel.connect(self.cancel_checkin)
        self.consent.answered.connect(self.on_consent_answer)
        self.consent.countdown.expired.connect(self.on_walked_away)
        self.declined.changed_mind.connect(self.retry)
        self.declined.done.connect(self.back_to_welcome)
        self.result.done.connect(self.back_to_welcome)
        self.error.done.connect(self.back_to_welcome)
        self.error.retry.connect(self.retry)
        self.pin.unlocked.connect(lambda: self.show_screen(self.operator))
        self.pin.closed.connect(self.back_to_welcome)
        self.operator.closed.connect(self.back_to_welcome)
        for countdown in self.stack.findChildren(Countdown):
            countdown.warning.connect(lambda: self.sounds.play("attention"))

    def _build_bar(self) -> QFrame:
        """Language, text size, contrast, staff: each a word and a symbol, >= 64 px, at a size that fits."""
        bar = QFrame()
        bar.setObjectName("topbar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 6, 12, 6)
        self.lang_button = button()
        self.lang_button.clicked.connect(self.toggle_language)
        self.font_button = button()
        self.font_button.clicked.connect(self.next_font_step)
        self.contrast_button = button()
        self.contrast_button.setCheckable(True)
        self.contrast_button.toggled.connect(self.set_high_contrast)
        self.staff_button = button()
        self.staff_button.clicked.connect(self.open_operator)
        row.addStretch(1)
        for b in (self.lang_button, self.font_button, self.contrast_button, self.staff_button):
            b.setObjectName("bar")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a touch screen: no focus ring that looks like a choice
            row.addWidget(b)
        return bar

    # -- screens -------------------------------------------------------------------------------------
    def screens(self) -> list[Screen]:
        return [self.welcome, self.reading, self.keypad, self.consent, self.declined, self.camera, self.result,
                self.error, self.pin, self.operator]

    def current(self) -> Screen:
        return self.stack.currentWidget()

    def show_screen(self, screen: Screen) -> None:
        old = self._shown
        if old is screen:
            return
        self._shown = screen
        if old is not None:
            old.left()
        if old is self.camera:
            self.stop_preview()
        if screen is self.welcome:
            self.reset_access()
            self.operator.set_review(None)  # the faces of a referred check-in go with it
        self.stack.setCurrentWidget(screen)
        screen.entered()
        log.info("screen %s", screen.name)

    # -- the check-in --------------------------------------------------------------------------------
    def _starts_itself(self) -> bool:
        """A real reader waits for the card on the welcome screen, unless something must be given first."""
        return not self.options.manual_start and not self.welcome.requires

    def start_checkin(self, context: Mapping[str, str] | None = None) -> None:
        self.events.clear()
        self._context = dict(context or {})
        self._abandoned = False
        self.reading.reset()
        self.keypad.reset()
        self.camera.reset()
        if self.runner.start(context or {}) and not self._starts_itself():
            self.show_screen(self.reading)

    def cancel_checkin(self) -> None:
        self._abandoned = True
        self.runner.cancel()
        self.back_to_welcome()

    def retry(self) -> None:
        context = self._context
        failed = self.last_result.failure if self.last_result is not None else None
        self.back_to_welcome()
        if failed is not None and failed.step == Step.PRECHECK:
            return  # what was missing (the boarding pass) is given on the welcome screen: nothing to repeat
        if not self._starts_itself():
            self.start_checkin(context)

    def back_to_welcome(self) -> None:
        self.show_screen(self.welcome)
        if self._starts_itself() and not self.runner.running:
            QTimer.singleShot(300, self._auto_start)

    def _auto_start(self) -> None:
        if self.current() is self.welcome and not self.runner.running:
            self.start_checkin()

    def on_event(self, event) -> None:
        self.events.append(event)
        if self._abandoned:
            return
        step, state = event.step, event.state
        self.reading.on_event(step, EventState.STARTED if state == EventState.CHALLENGE else state)
        if step == Step.CARD and state == EventState.DONE:
            self.welcome.show_notice(None)  # the reader answers again
        if step == Step.CARD and state == EventState.STARTED and self._starts_itself():
            return  # a real reader waits for the card on the welcome screen
        if step == Step.LIVENESS and state == EventState.CHALLENGE and event.message_key:
            self.show_screen(self.camera)
            self.camera.show_challenge(event.message_key)
            self.sounds.play("attention")
            return
        if step == Step.FACE and state == EventState.STARTED:
            self.camera.reset()
            self.show_screen(self.camera)
            self.start_preview()
            return
        if step in (Step.CONSENT, Step.FACE, Step.LIVENESS):
            return  # the consent screen follows the consent question; the camera screen stays for the face
        if state in (EventState.STARTED, EventState.DONE) and self.current() in (self.welcome, self.camera):
            self.show_screen(self.reading)

    def on_consent_requested(self) -> None:
        if self._abandoned:
            self.runner.answer_consent(False)
            return
        self.show_screen(self.consent)

    def on_consent_answer(self, agreed: bool) -> None:
        self.runner.answer_consent(agreed)
        if agreed:
            self.show_screen(self.reading)

    def on_walked_away(self) -> None:
        # nobody answered the consent question or touched the keypad: the person has left; stop the
        # check-in and get ready for the next one
        self._abandoned = True
        self.runner.cancel()
        self.back_to_welcome()

    def on_key_requested(self, attempt: int, message_key: str) -> None:
        """The session needs the access key typed (no QR code, "type my number", or the chip refused it)."""
        if self._abandoned:
            self.runner.answer_key(None)
            return
        self.keypad.ask(attempt, message_key or None)
        self.show_screen(self.keypad)
        if attempt:
            self.sounds.play("attention")

    def on_key_typed(self, key) -> None:
        self.runner.answer_key(key)
        self.show_screen(self.reading)

    def on_finished(self, result) -> None:
        review = getattr(result, "face_review", None)
        if review is not None:  # the faces live on the operator panel only, until the kiosk moves on
            self.operator.set_review(review)
            result = dataclasses.replace(result, face_review=None)
        self.last_result = result
        self.stats.add(result)
        self.stop_preview()
        self.keypad.reset()  # the typed number is not kept beyond the check-in
        failure = result.failure
        then = None if failure is None else NEXT[failure.kind]
        if self._abandoned or then is Next.WELCOME:
            self.back_to_welcome()
        elif self._starts_itself() and failure is not None and failure.kind is FailureKind.NO_CARD:
            self.back_to_welcome()  # nobody placed a card while we waited: keep waiting
        elif self._starts_itself() and failure is not None and failure.kind is FailureKind.READER:
            # unplugged, or pcscd restarting: say so on the welcome screen and keep trying, nobody is to blame
            self.welcome.show_notice(failure.message_key)
            self.show_screen(self.welcome)
            QTimer.singleShot(READER_RETRY_MS, self._auto_start)
        elif then is Next.DECLINED:
            self.show_screen(self.declined)
        elif Outcome(result.outcome).recorded:
            self.result.show_result(result)
            self.show_screen(self.result)
            self.sounds.play("success" if failure is None else "attention")
            self.sounds.play("take_card")
        else:
            self.error.show_result(result)
            self.show_screen(self.error)
            self.sounds.play("failure")

    # -- preview -------------------------------------------------------------------------------------
    def start_preview(self) -> None:
        if self.options.preview is None or self.preview_worker is not None:
            return
        worker = PreviewWorker(self.options.preview, detector=self.options.preview_detector)
        worker.frame.connect(self.on_preview_frame)
        worker.guidance.connect(self.camera.set_guidance)
        self.preview_worker = worker
        worker.start()

    def stop_preview(self) -> None:
        worker, self.preview_worker = self.preview_worker, None
        if worker is not None:
            worker.frame.disconnect(self.on_preview_frame)
            worker.stop()

    def on_preview_frame(self, image: QImage) -> None:
        self.frame_times.append(time.perf_counter())
        del self.frame_times[:-600]  # the last minute or so: enough for a frame rate, never growing
        self.camera.preview.set_frame(image)

    # -- access --------------------------------------------------------------------------------------
    def reset_access(self) -> None:
        """The site's language, normal contrast and text size 1: the next person starts afresh."""
        if i18n.language() != self.options.language:
            self.set_language(self.options.language)
        if self.font_step or self.property("highContrast"):
            self.font_step = 0
            self.contrast_button.setChecked(False)  # restyles through set_high_contrast
            self.apply_style()

    def toggle_language(self) -> None:
        self.set_language("en" if i18n.language() == "vi" else "vi")

    def set_language(self, lang: str) -> None:
        i18n.set_language(lang)
        # Qt also posts LanguageChange to every widget; redraw now so the tap is answered at once
        self.retranslate()
        for screen in self.screens():
            screen.retranslate()

    def next_font_step(self) -> None:
        self.font_step = (self.font_step + 1) % len(FONT_STEPS)
        self.apply_style()

    def set_high_contrast(self, on: bool) -> None:
        self.setProperty("highContrast", bool(on))
        self.apply_style()

    def apply_style(self) -> None:
        self.setStyleSheet(stylesheet(bool(self.property("highContrast")), FONT_STEPS[self.font_step]))
        self.retranslate()

    def open_operator(self) -> None:
        if self.runner.running:
            return  # never over a person's check-in
        self.show_screen(self.pin)

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        if not hasattr(self, "lang_button"):
            return
        # the button names the other language in that language, so anyone can find it
        self.lang_button.setText("⇄  English" if i18n.language() == "vi" else "⇄  Tiếng Việt")
        size = tr("Text size")
        self.font_button.setText(f"A+  {size} {self.font_step + 1}/{len(FONT_STEPS)}")
        self.contrast_button.setText("◐  " + tr("High contrast"))
        self.staff_button.setText("⚙  " + tr("Staff"))

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.stop_preview()
        self.runner.shutdown()
        if self.options.on_shutdown is not None:
            self.options.on_shutdown()
        for countdown in self.findChildren(Countdown):
            countdown.stop()


def place_window(window: QMainWindow, *, fullscreen: bool) -> None:
    """Full screen fills the screen even with no window manager to honour the request (a bare X session);
    a window fits the screen it opens on."""
    screen = window.screen() or window.windowHandle() and window.windowHandle().screen()
    if screen is None:
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
    if fullscreen:
        window.setGeometry(screen.geometry())
        window.showFullScreen()
        return
    available = screen.availableGeometry()
    window.resize(min(WINDOWED[0], available.width()), min(WINDOWED[1], available.height()))
    window.show()


def run_app(make_session: SessionFactory, options: KioskOptions, *, fullscreen: bool = False,
            argv: list[str] | None = None, driver: Callable[[KioskWindow], object] | None = None) -> int:
    """Create the application, show the kiosk, and run until the window closes. ``driver(window)``, when
    given, is started with the event loop (the soak)."""
    import signal

    from PySide6.QtWidgets import QApplication

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in the terminal closes the demo
    app = QApplication.instance() or QApplication(argv or ["cccd-kiosk"])
    window = KioskWindow(make_session, options)
    place_window(window, fullscreen=fullscreen)
    if driver is not None:
        QTimer.singleShot(0, lambda: driver(window))
    notifier = start_watchdog(window)  # READY=1, then WATCHDOG=1 from this loop, when run by systemd
    try:
        return app.exec()
    finally:
        notifier.stopping()
        window.shutdown()
