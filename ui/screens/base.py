"""What every screen shares: the page itself, a scrolling body for long text, and the names of things.

A screen keeps its buttons outside its scrolling body, so whatever the text size and the window, the way
forward is always on screen; long text scrolls instead of being cut.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from kiosk.outcomes import FailureKind, Step
from ui.i18n import tr

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
        self.root.setContentsMargins(28, 16, 28, 16)
        self.root.setSpacing(14)

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


class Body(QScrollArea):
    """The part of a screen that may be long: it scrolls vertically, never sideways, and has no frame."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("body")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.inner = QWidget()
        self.inner.setObjectName("bodyInner")
        self.layout_ = QVBoxLayout(self.inner)
        self.layout_.setContentsMargins(0, 0, 8, 0)
        self.layout_.setSpacing(12)
        self.setWidget(self.inner)

    def add(self, widget: QWidget, stretch: int = 0) -> QWidget:
        self.layout_.addWidget(widget, stretch)
        return widget

    def add_layout(self, layout, stretch: int = 0) -> None:
        self.layout_.addLayout(layout, stretch)

    def end(self, *, centred: bool = False) -> None:
        """Keep the content at the top (or in the middle) when it is shorter than the page."""
        if centred:
            self.layout_.insertStretch(0, 1)
        self.layout_.addStretch(1)
