"""The Qt binding must not lose references: on Python 3.11 each lost reference to None brings the
screen closer to ``Fatal Python error: none_dealloc`` (PySide6 6.12.0 lost one per call and the idle
welcome screen aborted after ~43 s). Python 3.12 makes None immortal, so the count means nothing there.
"""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12),
                                reason="None is immortal from Python 3.12: its reference count cannot drift")

CALLS = 200  # few enough that a leaking binding fails the assertion before None runs out


def _none_drift(action) -> float:
    """Average change of None's reference count per call of ``action``."""
    action()  # warm caches (type lookups, signal connections) outside the measurement
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        action()
    return (sys.getrefcount(None) - before) / CALLS


def test_per_frame_calls_keep_none_referenced(qtbot):
    """The calls the screens make on every animation frame, countdown tick and preview frame."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QLabel, QProgressBar

    from ui.widgets import CardPicture, Countdown, PreviewView

    text, bar, timer = QLabel(), QProgressBar(), QTimer()
    picture, preview, countdown = CardPicture(), PreviewView(), Countdown(30)
    for widget in (text, bar, picture, preview, countdown):
        qtbot.addWidget(widget)
        widget.resize(480, 320)
        widget.show()
    frame = QImage(640, 480, QImage.Format.Format_RGB888)
    preview.box, preview.arrow = (100, 100, 200, 200), "left"

    def frame_of_work() -> None:
        text.setText("x")
        text.update()
        bar.setValue(3)
        timer.start(1000)
        timer.stop()
        picture.repaint()  # paintEvent: QPainter calls that return nothing
        preview.set_frame(frame)
        preview.repaint()
        countdown.tick()

    drift = _none_drift(frame_of_work)
    assert drift > -0.01, f"the Qt binding drops {-drift:.2f} references to None per frame: the screen will abort"
