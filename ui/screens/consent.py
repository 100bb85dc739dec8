"""Decree 13/2023: the face is sensitive personal data. The person agrees before the camera is used for
anything, and may say no without it looking like a failure."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout

from ui.i18n import tr
from ui.screens.base import CENTER, Body, Screen
from ui.widgets import Banner, ChoiceRow, Countdown, button, label


class ConsentScreen(Screen):
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
        inner.setContentsMargins(24, 18, 24, 18)
        inner.addWidget(self.text)
        inner.addWidget(self.law)
        self.body = Body()
        self.body.add(frame)
        self.body.end()
        self.agree = button(name="primary")
        self.decline = button()
        for choice in (self.agree, self.decline):
            choice.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # neither answer looks chosen before the person taps
            choice.setAutoDefault(False)
        self.agree.clicked.connect(lambda: self.answered.emit(True))
        self.decline.clicked.connect(lambda: self.answered.emit(False))
        self.countdown = Countdown(timeout_s, 30)
        self.root.addWidget(self.title)
        self.root.addWidget(self.body, 1)
        self.root.addWidget(ChoiceRow(self.decline, self.agree))
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
        self.decline.setText(tr("I do not agree"))
        self.countdown.retranslate()


class DeclinedScreen(Screen):
    """The person chose not to use the camera: said plainly, with where to go, and a way to change one's mind."""

    name = "declined"
    changed_mind = Signal()
    done = Signal()

    def __init__(self, profile: str, timeout_s: int = 30) -> None:
        super().__init__()
        self.profile = profile
        self.banner = Banner()
        self.text = label(name="lead", align=CENTER)
        self.body = Body()
        self.body.add(self.text)
        self.body.end()
        self.again = button()
        self.again.clicked.connect(self.changed_mind)
        self.finish = button(name="primary")
        self.finish.clicked.connect(self.done)
        self.countdown = Countdown(timeout_s, 30)
        self.countdown.expired.connect(self.done)
        self.root.addWidget(self.banner)
        self.root.addWidget(self.body, 1)
        self.root.addWidget(ChoiceRow(self.again, self.finish))
        self.root.addWidget(self.countdown)
        self.retranslate()

    def entered(self) -> None:
        self.countdown.start()

    def left(self) -> None:
        self.countdown.stop()

    def retranslate(self) -> None:
        self.banner.show_tone("info", tr("You chose not to use the camera"))
        where = {"hospital": tr("Please go to the reception desk with your CCCD card: staff will check you in."),
                 "airport": tr("Please go to the staffed lane with your CCCD card and boarding pass."),
                 "exam": tr("Please show your CCCD card to the exam supervisor at the door.")}
        self.text.setText(where.get(self.profile, tr("Please see a staff member with your CCCD card.")))
        self.again.setText("↺  " + tr("I changed my mind"))
        self.finish.setText("✔  " + tr("Done"))
        self.countdown.retranslate()
