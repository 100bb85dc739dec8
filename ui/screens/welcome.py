"""The first screen: what to do, in three steps, and (for the airport) the boarding pass first."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QLineEdit, QVBoxLayout

from ui.i18n import message, tr
from ui.screens.base import CENTER, Body, Screen, profile_title
from ui.widgets import CardPicture, button, label

BOARDING_PASS = "boarding_pass"


class WelcomeScreen(Screen):
    name = "welcome"
    start = Signal(dict)  # context (e.g. the boarding pass)

    def __init__(self, profile: str, *, manual_start: bool, requires: tuple[str, ...] = (),
                 prefill: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.prefill = dict(prefill or {})
        self.manual_start = manual_start
        self.requires = requires
        self.title = label(name="title", align=CENTER)
        self.subtitle = label(name="lead", align=CENTER)
        self.picture = CardPicture()
        self.how = [label(name="lead") for _ in range(3)]
        steps = QVBoxLayout()
        for row in self.how:
            steps.addWidget(row)
        steps.addStretch(1)
        # side by side on a wide screen, picture above the steps on a tall one (see resizeEvent)
        self.body_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body_row.addWidget(self.picture, 3)
        self.body_row.addLayout(steps, 4)
        self.body = Body()
        self.body.add(self.title)
        self.body.add(self.subtitle)
        self.body.add_layout(self.body_row, 1)  # the picture grows with the screen
        self.boarding_pass = QLineEdit()
        self.boarding_pass.setVisible(BOARDING_PASS in requires)
        self.boarding_pass.returnPressed.connect(self._go)  # a barcode scanner ends with Enter
        self.waiting = label(name="muted", align=CENTER)
        self.notice = label(name="warning", align=CENTER)  # e.g. the reader is not connected (for now)
        self.notice.hide()
        self.notice_key: str | None = None
        self.go = button(name="primary")
        self.go.clicked.connect(self._go)
        self.go.setVisible(manual_start or bool(requires))
        self.root.addWidget(self.body, 1)
        self.root.addWidget(self.boarding_pass)
        self.root.addWidget(self.notice)
        self.root.addWidget(self.waiting)
        self.root.addWidget(self.go)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802
        tall = self.height() > self.width()
        self.body_row.setDirection(QBoxLayout.Direction.TopToBottom if tall else QBoxLayout.Direction.LeftToRight)
        super().resizeEvent(event)

    def show_notice(self, message_key: str | None) -> None:
        """A line about the kiosk itself (the reader is not connected), or none."""
        self.notice_key = message_key
        self.retranslate()

    def context(self) -> dict[str, str]:
        """What the person gave before the card (the boarding pass text as scanned)."""
        text = self.boarding_pass.text().strip()
        return {BOARDING_PASS: text} if BOARDING_PASS in self.requires and text else {}

    def _go(self) -> None:
        self.start.emit(self.context())

    def entered(self) -> None:
        self.boarding_pass.setText(self.prefill.get(BOARDING_PASS, ""))
        if self.boarding_pass.isVisible():
            self.boarding_pass.setFocus()

    def retranslate(self) -> None:
        self.title.setText(tr("Check in with your chip ID card (CCCD)"))
        self.subtitle.setText(profile_title(self.profile))
        first = (tr("Scan your boarding pass, then place your CCCD card flat on the reader.")
                 if BOARDING_PASS in self.requires else tr("Place your CCCD card flat on the reader, photo side up."))
        self.how[0].setText("1.  " + first)
        self.how[1].setText("2.  " + tr("Keep it still until the screen says the card is read."))
        self.how[2].setText("3.  " + tr("Then look at the camera when asked."))
        self.boarding_pass.setPlaceholderText("✈  " + tr("Scan your boarding pass here"))
        if self.manual_start:
            self.waiting.setText(tr("Demo: the virtual card is used; tap the button to place it."))
        elif self.requires:
            self.waiting.setText("✈  " + tr("Scan your boarding pass first."))
        else:
            self.waiting.setText("◷  " + tr("Waiting for your card…"))
        self.go.setText("▶  " + (tr("Start with the demo card") if self.manual_start else tr("Start")))
        self.notice.setText("⚠  " + message(self.notice_key) if self.notice_key else "")
        self.notice.setVisible(self.notice_key is not None)
