"""The kiosk's screens. Each one shows what the session said (events, results) and nothing else: no
protocol, no business rule. Texts are set in ``retranslate`` so a language switch redraws them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.checkin import ExamAdmission, GateClearance, QueueTicket
from kiosk.errors import InvalidTypedKey
from kiosk.messages import warning_key
from kiosk.outcomes import FailureKind, Outcome, Step, short_reference
from kiosk.typed import CAN_LENGTH, MAX_DIGITS, typed_key
from ui.i18n import message, tr
from ui.widgets import Banner, CardPicture, Countdown, PreviewView, StepList, button, label

CENTER = Qt.AlignmentFlag.AlignCenter

class Next(Enum):
    """What the screen offers after a run that was not a plain check-in."""

    RETRY = "retry"  # "try again" here
    STAFF = "staff"  # "please see a staff member", with the short reference
    DECLINED = "declined"  # a neutral choice: "I changed my mind" or go to the desk
    WELCOME = "welcome"  # nothing to say: back to the start (cancelled, walked away)


#: the one table from the session's failure kinds to what the screen offers
NEXT = {
    FailureKind.RETRY: Next.RETRY,
    FailureKind.NEW_KEY: Next.RETRY,
    FailureKind.NO_CARD: Next.RETRY,
    FailureKind.CARD: Next.RETRY,
    FailureKind.FACE: Next.RETRY,
    FailureKind.CHIP: Next.STAFF,
    FailureKind.READER: Next.STAFF,
    FailureKind.FACE_REFUSED: Next.STAFF,
    FailureKind.STAFF: Next.STAFF,
    FailureKind.DECLINED: Next.DECLINED,
    FailureKind.CANCELLED: Next.WELCOME,
}


def step_name(step: str, profile: str = "demo") -> str:
    """The person-facing name of a session step."""
    names = {
        Step.PRECHECK: tr("Boarding pass") if profile == "airport" else tr("Before the card"),
        Step.CARD: tr("Card on the reader"),
        Step.CONSENT: tr("Your agreement to the face check"),
        Step.KEY: tr("Card access code"),
        Step.CHIP: tr("Reading the chip"),
        Step.TRUST: tr("Checking the card is genuine"),
        Step.FACE: tr("Face check"),
        Step.LIVENESS: tr("Live person check"),
        Step.RESULT: tr("Saving your check-in"),
    }
    if step == Step.DESTINATION:
        return {"hospital": tr("Checking with the hospital"), "airport": tr("Checking your boarding pass"),
                "exam": tr("Checking the candidate list")}.get(profile, tr("Getting your queue number"))
    return names.get(step, step)


def profile_title(profile: str) -> str:
    return {"hospital": tr("Hospital reception"), "airport": tr("Airport security check"),
            "exam": tr("Exam room check-in"), "demo": tr("Demo kiosk")}.get(profile, tr("Check-in kiosk"))


class Screen(QWidget):
    """A page of the kiosk; redraws its words on a language change."""

    name = "screen"

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName(f"screen-{self.name}")
        self.root = QVBoxLayout(self)
        self.root.setContentsMargins(36, 24, 36, 24)
        self.root.setSpacing(18)

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every visible word from :func:`tr` / :func:`message`."""

    def entered(self) -> None:
        """Called when the screen is shown."""

    def left(self) -> None:
        """Called when another screen replaces this one."""


class WelcomeScreen(Screen):
    name = "welcome"
    start = Signal(dict)  # context (e.g. the boarding pass)

    def __init__(self, profile: str, *, manual_start: bool, prefill: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.prefill = dict(prefill or {})
        self.manual_start = manual_start
        self.title = label(name="title", align=CENTER)
        self.subtitle = label(name="lead", align=CENTER)
        body = QHBoxLayout()
        self.picture = CardPicture()
        body.addWidget(self.picture, 3)
        steps = QVBoxLayout()
        self.how = [label(name="lead") for _ in range(3)]
        for row in self.how:
            steps.addWidget(row)
        steps.addStretch(1)
        body.addLayout(steps, 4)
        self.boarding_pass = QLineEdit()
        self.boarding_pass.setVisible(profile == "airport")
        self.waiting = label(name="muted", align=CENTER)
        self.go = button(name="primary")
        self.go.clicked.connect(self._go)
        self.go.setVisible(manual_start)
        self.root.addWidget(self.title)
        self.root.addWidget(self.subtitle)
        self.root.addLayout(body, 1)
        self.root.addWidget(self.boarding_pass)
        self.root.addWidget(self.waiting)
        self.root.addWidget(self.go)
        self.retranslate()

    def _go(self) -> None:
        context = {}
        if self.profile == "airport" and self.boarding_pass.text().strip():
            context["boarding_pass"] = self.boarding_pass.text().strip()
        self.start.emit(context)

    def entered(self) -> None:
        self.boarding_pass.setText(self.prefill.get("boarding_pass", ""))

    def retranslate(self) -> None:
        self.title.setText(tr("Check in with your chip ID card (CCCD)"))
        self.subtitle.setText(profile_title(self.profile))
        self.how[0].setText("1.  " + tr("Place your CCCD card flat on the reader, photo side up."))
        self.how[1].setText("2.  " + tr("Keep it still until the screen says the card is read."))
        self.how[2].setText("3.  " + tr("Then look at the camera when asked."))
        self.boarding_pass.setPlaceholderText("✈  " + tr("Scan your boarding pass here"))
        self.waiting.setText(tr("Demo: the virtual card is used; tap the button to place it.") if self.manual_start
                             else "◷  " + tr("Waiting for your card…"))
        self.go.setText("▶  " + (tr("Start with the demo card") if self.manual_start else tr("Start")))


class ReadingScreen(Screen):
    """Progress with the session's real steps, so the screen is never frozen."""

    name = "reading"
    cancel = Signal()
    type_number = Signal()  # the person would rather type the ID number than show the QR code

    def __init__(self, steps: tuple[str, ...], profile: str) -> None:
        super().__init__()
        self.profile = profile
        self.title = label(name="title", align=CENTER)
        self.hint = label(name="lead", align=CENTER)
        self.steps = StepList(steps, lambda s: step_name(s, self.profile))
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.cancel_button = button(name="danger")
        self.cancel_button.clicked.connect(self.cancel)
        self.type_button = button()
        self.type_button.clicked.connect(self._type_number)
        self.typing_asked = False
        frame = QFrame()
        frame.setObjectName("card")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(28, 20, 28, 20)
        inner.addWidget(self.steps)
        self.root.addWidget(self.title)
        self.root.addWidget(self.hint)
        self.root.addWidget(frame, 1)
        self.root.addWidget(self.bar)
        actions = QHBoxLayout()
        actions.addWidget(self.type_button, 0, Qt.AlignmentFlag.AlignLeft)
        actions.addStretch(1)
        actions.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.root.addLayout(actions)
        self.current = None
        self.retranslate()

    def reset(self) -> None:
        self.steps.reset()
        self.current = None
        self.typing_asked = False
        self.bar.setValue(0)
        self.retranslate()

    def _type_number(self) -> None:
        self.typing_asked = True
        self.retranslate()
        self.type_number.emit()

    def on_event(self, step: str, state: str) -> None:
        self.steps.set_state(step, state)
        if state == "started":
            self.current = step
        self.bar.setValue(self.steps.progress())
        self.retranslate()

    def retranslate(self) -> None:
        card_phase = self.current in (None, Step.PRECHECK, Step.CARD, Step.CONSENT, Step.KEY, Step.CHIP, Step.TRUST)
        self.title.setText(tr("Reading your card") if card_phase else tr("Almost done"))
        if self.current == Step.KEY and not self.typing_asked:
            self.hint.setText("▦  " + tr("Show the QR code on the front of your card to the camera, "
                                         "or type your ID number."))
        else:
            self.hint.setText("⚠  " + tr("Keep the card still on the reader.") if card_phase
                              else tr("You can take your card now."))
        self.steps.retranslate()
        self.cancel_button.setText("✖  " + tr("Cancel"))
        self.type_button.setText("⌨  " + tr("Type my number"))
        self.type_button.setVisible(self.current in (None, Step.PRECHECK, Step.CARD, Step.CONSENT, Step.KEY)
                                    and not self.typing_asked)


class ConsentScreen(Screen):
    """Decree 13/2023: the face is sensitive personal data; the person agrees before the camera starts."""

    name = "consent"
    answered = Signal(bool)

    def __init__(self, timeout_s: int = 60) -> None:
        super().__init__()
        self.title = label(name="title", align=CENTER)
        self.text = label(name="lead")
        self.law = label(name="muted")
        frame = QFrame()
        frame.setObjectName("card")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.addWidget(self.text)
        inner.addWidget(self.law)
        self.agree = button(name="primary")
        self.decline = button()
        self.agree.clicked.connect(lambda: self.answered.emit(True))
        self.decline.clicked.connect(lambda: self.answered.emit(False))
        row = QHBoxLayout()
        row.addWidget(self.decline, 1)
        row.addWidget(self.agree, 1)
        self.countdown = Countdown(timeout_s, 30)
        self.root.addWidget(self.title)
        self.root.addWidget(frame, 1)
        self.root.addLayout(row)
        self.root.addWidget(self.countdown)
        self.retranslate()

    def entered(self) -> None:
        self.countdown.start()

    def left(self) -> None:
        self.countdown.stop()

    def retranslate(self) -> None:
        self.title.setText("◉  " + tr("May we check your face?"))
        self.text.setText(tr("To make sure the card is yours, the kiosk compares your face with the photo in the "
                             "card's chip. The camera starts only if you agree. The pictures are used for this "
                             "comparison only and are not stored."))
        self.law.setText(tr("Personal data protection: Decree 13/2023/NĐ-CP. If you do not agree, a staff member "
                            "will check you in."))
        self.agree.setText("✔  " + tr("I agree"))
        self.decline.setText("✖  " + tr("I do not agree"))
        self.countdown.retranslate()


class CameraScreen(Screen):
    name = "camera"
    cancel = Signal()

    HINTS = ("none", "closer", "further", "light", "several", "ok")

    def __init__(self) -> None:
        super().__init__()
        self.title = label(name="title", align=CENTER)
        self.preview = PreviewView()
        self.guide = label(name="lead", align=CENTER)
        self.challenge = Banner()
        self.challenge.hide()
        self.cancel_button = button(name="danger")
        self.cancel_button.clicked.connect(self.cancel)
        self.hint = "none"
        self.challenge_key: str | None = None
        self.root.addWidget(self.title)
        self.root.addWidget(self.preview, 1)
        self.root.addWidget(self.challenge)
        self.root.addWidget(self.guide)
        self.root.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.retranslate()

    def reset(self) -> None:
        self.preview.clear()
        self.hint = "none"
        self.challenge_key = None
        self.challenge.hide()
        self.retranslate()

    def set_guidance(self, guidance) -> None:
        self.hint = guidance.hint()
        self.preview.box = guidance.box
        self.preview.box_ok = self.hint == "ok"
        self.retranslate()

    def show_challenge(self, key: str) -> None:
        self.challenge_key = key
        self.preview.arrow = "left" if key.endswith("left") else "right" if key.endswith("right") else None
        self.challenge.show()
        self.retranslate()

    def guidance_text(self) -> str:
        return {
            "none": "☺  " + tr("Stand in front of the camera and look straight at it."),
            "closer": "↑  " + tr("Come a little closer."),
            "further": "↓  " + tr("Step back a little."),
            "light": "☀  " + tr("More light is needed: face the light."),
            "several": "☝  " + tr("Only one person in front of the camera, please."),
            "ok": "✔  " + tr("Good. Hold still…"),
        }[self.hint]

    def retranslate(self) -> None:
        self.title.setText(tr("Look at the camera"))
        self.guide.setText(self.guidance_text() + "\n" + tr("Please take off glasses, mask or hat."))
        if self.challenge_key:
            self.challenge.show_tone("warn", message(self.challenge_key))
        self.cancel_button.setText("✖  " + tr("Cancel"))


class KeypadScreen(Screen):
    """A large keypad for the 12-digit ID number (or the 6-digit CAN on the card's front), with the reason
    a number was not accepted in the person's words; ``submitted(KeyInput)`` once it is valid."""

    name = "keypad"
    submitted = Signal(object)  # kiosk.session.KeyInput
    cancel = Signal()

    KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")
    KEY_SIZE = (104, 72)  # every key well above the 48 px touch minimum

    def __init__(self, timeout_s: int = 90) -> None:
        super().__init__()
        self.digits = ""
        self.attempt = 0
        self.reason_key: str | None = None  # why the keypad is asked for (no QR code, chip refused the key)
        self.error_key: str | None = None  # why the typed number was not accepted
        self.title = label(name="title", align=CENTER)
        self.hint = label(name="lead", align=CENTER)
        self.banner = Banner()
        self.banner.hide()
        self.display = label(name="digits", wrap=False, align=CENTER)
        self.count = label(name="muted", align=CENTER)
        pad = QGridLayout()
        pad.setSpacing(10)
        self.keys: dict[str, QWidget] = {}
        for i, key in enumerate(self.KEYS):
            b = button(key, "primary" if key == "OK" else None)
            b.setMinimumSize(*self.KEY_SIZE)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)  # as big as fits
            b.clicked.connect(lambda _=False, k=key: self.press(k))
            pad.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        self.clear_button = button()
        self.clear_button.clicked.connect(self.clear)
        self.cancel_button = button(name="danger")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button, 1)
        row.addWidget(self.clear_button, 1)
        # the number and what is wrong with it on the left, the keys on the right: it fits a 1280×800 screen
        left = QVBoxLayout()
        left.addWidget(self.hint)
        left.addWidget(self.banner)
        left.addStretch(1)
        left.addWidget(self.display)
        left.addWidget(self.count)
        left.addStretch(1)
        left.addLayout(row)
        body = QHBoxLayout()
        body.setSpacing(28)
        body.addLayout(left, 3)
        body.addLayout(pad, 2)
        self.countdown = Countdown(timeout_s, 60)
        self.root.addWidget(self.title)
        self.root.addLayout(body, 1)
        self.root.addWidget(self.countdown)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.retranslate()

    def ask(self, attempt: int, reason_key: str | None) -> None:
        """Shown for ``attempt`` because of ``reason_key``; after a refusal the typed number stays, to fix."""
        self.attempt, self.reason_key, self.error_key = attempt, reason_key, None
        if attempt == 0:
            self.digits = ""
        self.retranslate()

    def reset(self) -> None:
        """Forget the number (end of a check-in)."""
        self.digits, self.attempt, self.reason_key, self.error_key = "", 0, None, None
        self.retranslate()

    def press(self, key: str) -> None:
        if key == "OK":
            self.submit()
            return
        self.countdown.start()  # the person is here: the full time again
        if key == "⌫":
            self.digits = self.digits[:-1]
        elif key.isdigit() and len(self.digits) < MAX_DIGITS:
            self.digits += key
        self.error_key = None
        self.retranslate()

    def clear(self) -> None:
        self.digits, self.error_key = "", None
        self.retranslate()

    def submit(self) -> None:
        try:
            key = typed_key(self.digits)
        except InvalidTypedKey as exc:
            self.error_key = exc.message_key
            self.retranslate()
            return
        self.error_key = None
        self.submitted.emit(key)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (a USB keypad or keyboard works too)
        key, text = event.key(), event.text()
        if text.isdigit() and len(text) == 1:
            self.press(text)
        elif key == Qt.Key.Key_Backspace:
            self.press("⌫")
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.press("OK")
        else:
            super().keyPressEvent(event)

    def entered(self) -> None:
        self.countdown.start()
        self.setFocus()

    def left(self) -> None:
        self.countdown.stop()

    def shown_digits(self) -> str:
        """The number as typed, in groups of three, with a place for each digit still to come."""
        slots = self.digits + "_" * (MAX_DIGITS - len(self.digits))
        return " ".join(slots[i:i + 3] for i in range(0, MAX_DIGITS, 3))

    def retranslate(self) -> None:
        self.title.setText("⌨  " + tr("Type your ID card number"))
        self.hint.setText(tr("The 12-digit number on your CCCD card, or the 6-digit CAN printed on the "
                             "card's front."))
        if self.error_key:
            self.banner.show_tone("error", message(self.error_key))
        elif self.reason_key == "chip.access_denied":
            self.banner.show_tone("error", message("chip.access_denied"))
        elif self.reason_key == "key.not_found":
            self.banner.show_tone("info", tr("The camera could not read the QR code on your card."))
        elif self.reason_key:
            self.banner.show_tone("warn", message(self.reason_key))
        self.banner.setVisible(bool(self.error_key or self.reason_key))
        self.display.setText(self.shown_digits())
        n = len(self.digits)
        self.count.setText(tr("%1 of %2 digits").replace("%1", str(n)).replace("%2", str(MAX_DIGITS))
                           + ("  (" + tr("CAN") + ")" if n == CAN_LENGTH else ""))
        self.keys["OK"].setText("✔  OK")
        self.clear_button.setText("↺  " + tr("Clear all"))
        self.cancel_button.setText("✖  " + tr("Cancel"))
        self.countdown.retranslate()


MAX_ROWS = 8


class OutcomeScreen(Screen):
    """A result or an error: what happened, what to do next, and the way back to the start."""

    done = Signal()
    retry = Signal()

    def __init__(self, profile: str, timeout_s: int) -> None:
        super().__init__()
        self.profile = profile
        self.result = None
        self.banner = Banner()
        self.text = label(name="lead", align=CENTER)
        self.details = QGridLayout()
        self.details.setHorizontalSpacing(24)
        self.details_box = QFrame()
        self.details_box.setObjectName("card")
        self.details_box.setLayout(self.details)
        self.row_labels = []
        for i in range(MAX_ROWS):
            pair = (label(name="lead", align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                    label(name="title"))
            self.details.addWidget(pair[0], i, 0)
            self.details.addWidget(pair[1], i, 1)
            self.row_labels.append(pair)
        self.details.setColumnStretch(1, 1)
        self.warnings = label(name="warning")
        self.warnings.hide()
        self.countdown = Countdown(timeout_s, 30)
        self.countdown.expired.connect(self.done)
        self.finish = button(name="primary")
        self.finish.clicked.connect(self.done)
        self.again = button()
        self.again.clicked.connect(self.retry)
        self.again.hide()
        row = QHBoxLayout()
        row.addWidget(self.again, 1)
        row.addWidget(self.finish, 1)
        self.root.addWidget(self.banner)
        self.root.addWidget(self.text)
        self.root.addWidget(self.details_box, 1)
        self.root.addWidget(self.warnings)
        self.root.addLayout(row)
        self.root.addWidget(self.countdown)

    def show_result(self, result) -> None:
        self.result = result
        self.retranslate()

    def entered(self) -> None:
        self.countdown.start()

    def left(self) -> None:
        self.countdown.stop()

    def _rows(self) -> list[tuple[str, str, bool]]:
        return []

    def retranslate(self) -> None:
        self.countdown.retranslate()
        self.finish.setText("✔  " + tr("Done"))
        self.again.setText("↻  " + tr("Try again"))
        rows = self._rows()[: len(self.row_labels)]
        for i, (name_label, value_label) in enumerate(self.row_labels):
            if i < len(rows):
                name, value, big = rows[i]
                name_label.setText(name)
                value_label.setText(value)
                if value_label.objectName() != ("huge" if big else "title"):
                    value_label.setObjectName("huge" if big else "title")
                    value_label.style().unpolish(value_label)
                    value_label.style().polish(value_label)
            name_label.setVisible(i < len(rows))
            value_label.setVisible(i < len(rows))
        self.details_box.setVisible(bool(rows))


class ResultScreen(OutcomeScreen):
    """Checked in / queued / see staff, with what the destination answered (queue number, gate, room)."""

    name = "result"

    def retranslate(self) -> None:
        result = self.result
        if result is not None:
            if result.outcome == Outcome.CHECKED_IN:
                tone, headline = "ok", tr("Checked in")
            elif result.outcome == Outcome.QUEUED:
                tone, headline = "ok", tr("Recorded: it will be sent automatically")
            else:
                tone, headline = "warn", tr("Please see a staff member")
            self.banner.show_tone(tone, headline)
            self.text.setText(message(result.message_key, result.params))
            warnings = [message(warning_key(w)) for w in result.warnings]
            self.warnings.setText("\n".join("⚠  " + w for w in warnings))
            self.warnings.setVisible(bool(warnings))
        super().retranslate()

    def _rows(self) -> list[tuple[str, str, bool]]:
        result = self.result
        if result is None:
            return []
        rows = _display_rows(None if result.receipt is None else result.receipt.display)
        if result.failure is not None:
            rows.append((tr("Reference for staff"), short_reference(result.ref), False))
        return rows


class ErrorScreen(OutcomeScreen):
    """Every failure: what happened and what to do next (the session's message key), in words and icon."""

    name = "error"

    def __init__(self, profile: str, timeout_s: int, *, can_retry: bool) -> None:
        super().__init__(profile, timeout_s)
        self.can_retry = can_retry

    def retranslate(self) -> None:
        result = self.result
        if result is not None:
            staff = result.failure is None or NEXT[result.failure.kind] is not Next.RETRY
            headline = tr("Please see a staff member") if staff else tr("That did not work")
            self.banner.show_tone("error", headline)
            self.text.setText(message(result.message_key, result.params))
            self.again.setVisible(self.can_retry and not staff)
        super().retranslate()

    def _rows(self) -> list[tuple[str, str, bool]]:
        if self.result is None:
            return []
        rows = []
        if self.result.failed_step:
            rows.append((tr("Step"), step_name(self.result.failed_step, self.profile), False))
        rows.append((tr("Reference for staff"), short_reference(self.result.ref), False))
        return rows


def _display_rows(display) -> list[tuple[str, str, bool]]:
    """(name, value, big) rows for what the destination gave the person to take away."""
    if isinstance(display, QueueTicket):
        return [row for row in ((tr("Your number"), display.queue_number, True),
                                (tr("Go to"), display.department, False)) if row[1]]
    if isinstance(display, GateClearance):
        words = {"cleared": "✔  " + tr("Cleared"), "refer": "!  " + tr("See staff"),
                 "refused": "✖  " + tr("Not cleared")}
        rows = [(tr("Decision"), words[display.decision], False), (tr("Flight"), display.flight, False)]
        return rows + ([(tr("Seat"), display.seat, False)] if display.seat else [])
    if isinstance(display, ExamAdmission):
        words = {"present": "✔  " + tr("Present"), "duplicate": "!  " + tr("Already checked in")}
        rows = [(tr("Decision"), words[display.decision], False), (tr("Exam room"), display.room, True),
                (tr("Candidate number"), display.sbd, False), (tr("Time"), display.time, False)]
        return [row for row in rows if row[1]]
    return []


ScreenFactory = Callable[[], Screen]
