"""The face step: the live picture with a face box, guidance in words, and the liveness prompt."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal

from ui.i18n import message, tr
from ui.screens.base import CENTER, Screen
from ui.widgets import Banner, PreviewView, button, label


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
