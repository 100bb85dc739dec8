"""Progress through the session's own steps while the card is read, so the screen is never frozen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QVBoxLayout

from kiosk.outcomes import EventState, Step
from ui.i18n import tr
from ui.screens.base import CENTER, Body, Screen, step_name
from ui.widgets import StepList, button, label

_CARD_PHASE = (None, Step.PRECHECK, Step.CARD, Step.CONSENT, Step.KEY, Step.CHIP, Step.TRUST)
_MAY_TYPE = (None, Step.PRECHECK, Step.CARD, Step.CONSENT, Step.KEY)


class ReadingScreen(Screen):
    name = "reading"
    cancel = Signal()
    type_number = Signal()  # the person would rather type the ID number than show the QR code

    def __init__(self, steps: tuple[Step, ...], profile: str) -> None:
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
        inner.setContentsMargins(24, 16, 24, 16)
        inner.addWidget(self.steps)
        self.body = Body()
        self.body.add(self.hint)
        self.body.add(frame)
        self.body.end()
        actions = QHBoxLayout()
        actions.addWidget(self.type_button, 0, Qt.AlignmentFlag.AlignLeft)
        actions.addStretch(1)
        actions.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.root.addWidget(self.title)
        self.root.addWidget(self.body, 1)
        self.root.addWidget(self.bar)
        self.root.addLayout(actions)
        self.current: Step | None = None
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

    def on_event(self, step: Step, state: EventState) -> None:
        self.steps.set_state(step, state)
        if state == EventState.STARTED:
            self.current = step
        self.bar.setValue(self.steps.progress())
        self.retranslate()

    def retranslate(self) -> None:
        card_phase = self.current in _CARD_PHASE
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
        self.type_button.setVisible(self.current in _MAY_TYPE and not self.typing_asked)
