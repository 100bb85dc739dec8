"""A large keypad for the 12-digit ID number (or the 6-digit CAN on the card's front)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.errors import InvalidTypedKey
from kiosk.typed import CAN_LENGTH, MAX_DIGITS, typed_key
from ui.i18n import message, tr
from ui.screens.base import CENTER, Body, Screen
from ui.widgets import Banner, ChoiceRow, Countdown, button, label


class KeypadScreen(Screen):
    """A large keypad for the 12-digit ID number (or the 6-digit CAN on the card's front), with the reason
    a number was not accepted in the person's words; ``submitted(KeyInput)`` once it is valid."""

    name = "keypad"
    submitted = Signal(object)  # kiosk.session.KeyInput
    cancel = Signal()

    KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")
    KEY_SIZE = (104, 72)  # every key well above the 48 px touch minimum
    KEY_MAX_HEIGHT = 150

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
        self.pad = pad
        self.keys: dict[str, QWidget] = {}
        for i, key in enumerate(self.KEYS):
            b = button(key, "primary" if key == "OK" else None)
            b.setMinimumSize(*self.KEY_SIZE)
            b.setMaximumHeight(self.KEY_MAX_HEIGHT)  # big keys, not slabs on a tall screen
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)  # as big as fits
            b.clicked.connect(lambda _=False, k=key: self.press(k))
            pad.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        self.clear_button = button()
        self.clear_button.clicked.connect(self.clear)
        self.cancel_button = button(name="danger")
        self.cancel_button.clicked.connect(self.cancel)
        row = ChoiceRow(self.cancel_button, self.clear_button)
        # the number and what is wrong with it on the left, the keys on the right: it fits a 1280×800 screen
        words = Body()  # the explanation may scroll at the largest text; the number and the keys never do
        words.add(self.hint)
        words.add(self.banner)
        words.end()
        left = QVBoxLayout()
        left.addWidget(words, 1)
        left.addWidget(self.display)
        left.addWidget(self.count)
        # the number and its words beside the keys on a wide screen, above them on a tall one (resizeEvent)
        body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.setSpacing(28)
        body.addLayout(left, 3)
        body.addLayout(pad, 2)
        self.body = body
        self.countdown = Countdown(timeout_s, 60)
        self.root.addWidget(self.title)
        self.root.addLayout(body, 1)
        self.root.addWidget(row)  # full width under the keys: side by side at every text size
        self.root.addWidget(self.countdown)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802
        tall = self.height() > self.width()
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if tall else QBoxLayout.Direction.LeftToRight)
        super().resizeEvent(event)

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
        self.keys["OK"].setText("OK")
        self.clear_button.setText("↺  " + tr("Clear all"))
        self.cancel_button.setText("✖  " + tr("Cancel"))
        self.countdown.retranslate()
