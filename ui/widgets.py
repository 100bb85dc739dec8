"""Drawn pictures and small pieces the screens share: the card-on-reader picture, the step list, the
countdown, the camera preview with its face box, and the outcome banner (icon + word + colour)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr
from ui.theme import palette


def _colors(widget: QWidget) -> tuple[QColor, QColor, QColor]:
    window = widget.window()
    high = bool(window.property("highContrast")) if window is not None else False
    p = palette(high)
    return QColor(p.text), QColor(p.primary), QColor(p.surface)


def label(text: str = "", name: str | None = None, *, wrap: bool = True, align=None) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if align is not None:
        widget.setAlignment(align)
    return widget


def button(text: str = "", name: str | None = None) -> QPushButton:
    widget = QPushButton(text)
    if name:
        widget.setObjectName(name)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return widget


class Banner(QLabel):
    """An outcome in words with an icon; the colour only repeats what the words say."""

    ICONS = {"ok": "✔", "warn": "!", "error": "✖", "info": "i"}

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)  # as tall as its words
        self.tone = "info"

    def show_tone(self, tone: str, text: str) -> None:
        self.tone = tone
        self.setProperty("tone", tone)
        self.setText(f"{self.ICONS.get(tone, 'i')}  {text}")
        self.style().unpolish(self)
        self.style().polish(self)


class CardPicture(QWidget):
    """A drawn card reader with a CCCD card coming down onto it (chip side down), with a hint arrow."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(180, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._phase = 0.0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._step)

    def showEvent(self, event) -> None:  # noqa: N802
        self._timer.start(50)
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self._timer.stop()
        super().hideEvent(event)

    def _step(self) -> None:
        self._phase = (self._phase + 0.025) % 1.0
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 320)

    def paintEvent(self, event) -> None:  # noqa: N802
        ink, accent, surface = _colors(self)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        s = min(w / 480, h / 320)
        p.translate((w - 480 * s) / 2, (h - 320 * s) / 2)
        p.scale(s, s)
        # the reader: a flat box with the contactless symbol
        p.setPen(QPen(ink, 4))
        p.setBrush(QColor("#37474f"))
        p.drawRoundedRect(QRectF(90, 200, 300, 90), 18, 18)
        p.setBrush(QColor("#263238"))
        p.drawRoundedRect(QRectF(120, 210, 240, 40), 10, 10)
        p.setPen(QPen(QColor("#e0f7fa"), 5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for i, r in enumerate((10, 20, 30)):
            rect = QRectF(240 - r, 230 - r, 2 * r, 2 * r)
            if i == 0:
                p.drawArc(rect, -45 * 16, 90 * 16)
            else:
                p.drawArc(rect, -45 * 16, 90 * 16)
        # the card, coming down (animated), then resting
        t = min(1.0, self._phase * 1.6)
        y = 20 + 120 * (1 - (1 - t) ** 2)
        p.setPen(QPen(ink, 3))
        p.setBrush(QColor("#fdf3d7"))
        card = QRectF(150, y, 180, 112)
        p.drawRoundedRect(card, 12, 12)
        # the card's face: a red band, a photo box and lines (the CCCD front)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#c62828"))
        p.drawRoundedRect(QRectF(150, y, 180, 22), 12, 12)
        p.drawRect(QRectF(150, y + 11, 180, 11))
        p.setBrush(QColor("#90a4ae"))
        p.drawRect(QRectF(162, y + 34, 44, 56))
        p.setBrush(QColor("#d4a017"))  # the chip
        p.drawRoundedRect(QRectF(282, y + 44, 30, 24), 4, 4)
        p.setPen(QPen(QColor("#607d8b"), 4))
        for i in range(3):
            p.drawLine(QPointF(218, y + 44 + i * 16), QPointF(268 - i * 12, y + 44 + i * 16))
        # the arrow: down onto the reader
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(accent)
        arrow = QPolygonF([QPointF(410, 60), QPointF(440, 60), QPointF(440, 150), QPointF(460, 150),
                           QPointF(425, 195), QPointF(390, 150), QPointF(410, 150)])
        p.drawPolygon(arrow)
        p.end()


class StepList(QWidget):
    """The check-in steps with a state mark in words and symbols: waiting ○, now ▶, done ✔, failed ✖."""

    MARKS = {"waiting": "○", "started": "▶", "challenge": "▶", "done": "✔", "failed": "✖"}

    def __init__(self, steps: tuple[str, ...], names) -> None:
        super().__init__()
        self._steps = steps
        self._names = names  # step -> translated name (callable)
        self.states = {step: "waiting" for step in steps}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self._labels = {}
        for step in steps:
            row = label(name="lead")
            layout.addWidget(row)
            self._labels[step] = row
        self.retranslate()

    def reset(self) -> None:
        self.states = {step: "waiting" for step in self._steps}
        self.retranslate()

    def set_state(self, step: str, state: str) -> None:
        if step in self.states:
            self.states[step] = state
            self.retranslate()

    def retranslate(self) -> None:
        words = {"waiting": tr("waiting"), "started": tr("now"), "challenge": tr("now"), "done": tr("done"),
                 "failed": tr("failed")}
        for step, row in self._labels.items():
            state = self.states[step]
            row.setText(f"{self.MARKS[state]}  {self._names(step)} — {words[state]}")
            font = row.font()
            font.setBold(state in ("started", "challenge"))
            row.setFont(font)

    def progress(self) -> int:
        done = sum(1 for s in self.states.values() if s == "done")
        return round(100 * done / max(1, len(self.states)))


class Countdown(QFrame):
    """"Back to the start in N s" over its bar, with a "More time" button; ``expired`` at zero.

    In the last ``warn_s`` seconds it asks "Are you still there?" in both languages (whoever stands there
    now may read either), shows the seconds larger and turns its button into "I am still here";
    ``warning`` is emitted once as that starts, so the window can play a sound."""

    expired = Signal()
    warning = Signal()
    STILL_THERE = "Bạn còn đó không? / Are you still there?"

    def __init__(self, seconds: int = 30, extra: int = 30, warn_s: int = 10) -> None:
        super().__init__()
        self.setObjectName("countdown")
        self.total = seconds
        self.extra = extra
        self.warn_s = warn_s
        self.remaining = seconds
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self.ask = label(self.STILL_THERE, "lead", align=Qt.AlignmentFlag.AlignCenter)
        self.ask.hide()
        self.text = label(name="muted")
        self.bar = QProgressBar()
        self.bar.setObjectName("countdownBar")
        self.bar.setTextVisible(False)
        self.more = button(name="more")
        self.more.clicked.connect(self.more_time)
        box = QVBoxLayout()  # the words right above their bar
        box.setSpacing(2)
        box.addWidget(self.text)
        box.addWidget(self.bar)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addLayout(box, 1)
        row.addWidget(self.more, 0, Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.ask)
        layout.addLayout(row)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.retranslate()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def warning_phase(self) -> bool:
        return 0 < self.remaining <= self.warn_s

    def start(self, seconds: int | None = None) -> None:
        self.total = self.remaining = seconds if seconds is not None else self.total
        self._timer.start()
        self._render()

    def stop(self) -> None:
        self._timer.stop()

    def more_time(self) -> None:
        self.remaining += self.extra
        self.total = max(self.total, self.remaining)
        self._render()

    def tick(self) -> None:
        was_warning = self.warning_phase
        self.remaining = max(0, self.remaining - 1)
        self._render()
        if self.warning_phase and not was_warning:
            self.warning.emit()
        if self.remaining == 0:
            self._timer.stop()
            self.expired.emit()

    def _render(self) -> None:
        warning = self.warning_phase
        self.ask.setVisible(warning)
        self.text.setText(tr("Back to the start in %n s").replace("%n", str(self.remaining)))
        self._restyle(self.text, "lead" if warning else "muted")
        self._restyle(self.more, "primary" if warning else "more")
        self.more.setText(("✔  " + tr("I am still here")) if warning else ("+  " + tr("More time")))
        self.bar.setMaximum(max(1, self.total))
        self.bar.setValue(self.remaining)

    @staticmethod
    def _restyle(widget: QWidget, name: str) -> None:
        if widget.objectName() != name:
            widget.setObjectName(name)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def retranslate(self) -> None:
        self._render()


class PreviewView(QWidget):
    """The live picture (mirrored, like a mirror), the face box, and a turn arrow for the liveness challenge."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image: QImage | None = None
        self.box: tuple[int, int, int, int] | None = None
        self.box_ok = False
        self.arrow: str | None = None  # "left" / "right" as the person sees it
        self.painted = 0

    def clear(self) -> None:
        self.image, self.box, self.arrow = None, None, None
        self.update()

    def set_frame(self, image: QImage) -> None:
        self.image = image
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        ink, accent, surface = _colors(self)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#000000"))
        if self.image is None or self.image.isNull():
            p.setPen(QColor("#ffffff"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "◉  " + tr("Starting the camera…"))
            p.end()
            return
        iw, ih = self.image.width(), self.image.height()
        s = min(self.width() / iw, self.height() / ih)
        target = QRectF((self.width() - iw * s) / 2, (self.height() - ih * s) / 2, iw * s, ih * s)
        p.save()
        # mirror: people expect to see themselves as in a mirror
        p.translate(target.center())
        p.scale(-1, 1)
        p.translate(-target.center())
        p.drawImage(target, self.image)
        if self.box is not None:
            left, top, bw, bh = self.box
            color = QColor("#2ecc71") if self.box_ok else QColor("#ffeb3b")
            pen = QPen(color, 5)
            pen.setStyle(Qt.PenStyle.SolidLine if self.box_ok else Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(target.left() + left * s, target.top() + top * s, bw * s, bh * s), 12, 12)
        p.restore()
        if self.arrow:
            self._draw_arrow(p, accent)
        self.painted += 1
        p.end()

    def _draw_arrow(self, p: QPainter, color: QColor) -> None:
        w, h = self.width(), self.height()
        cy = h / 2
        size = min(w, h) * 0.18
        direction = -1 if self.arrow == "left" else 1
        x = w / 2 + direction * w * 0.32
        path = QPainterPath()
        path.moveTo(x + direction * size, cy)
        path.lineTo(x, cy - size * 0.8)
        path.lineTo(x, cy - size * 0.35)
        path.lineTo(x - direction * size, cy - size * 0.35)
        path.lineTo(x - direction * size, cy + size * 0.35)
        path.lineTo(x, cy + size * 0.35)
        path.lineTo(x, cy + size * 0.8)
        path.closeSubpath()
        p.setPen(QPen(QColor("#000000"), 4))
        p.setBrush(color)
        p.drawPath(path)
        font = QFont(p.font())
        font.setPixelSize(int(size * 0.5))
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#ffffff"))
        word = tr("LEFT") if self.arrow == "left" else tr("RIGHT")
        p.drawText(QRectF(x - size * 2, cy + size * 0.9, size * 4, size * 0.8), Qt.AlignmentFlag.AlignCenter, word)


class ChoiceRow(QWidget):
    """Buttons of equal weight side by side, or one above the other when the width cannot hold them
    (a narrow portrait screen, the largest text)."""

    def __init__(self, *buttons: QPushButton) -> None:
        super().__init__()
        self.buttons = buttons
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(16)
        for b in buttons:
            self._layout.addWidget(b, 1)

    def _arrange(self) -> None:
        shown = [b for b in self.buttons if not b.isHidden()]
        widest = max((b.sizeHint().width() for b in shown), default=0)  # equal shares: the widest decides
        need = widest * len(shown) + self._layout.spacing() * max(0, len(shown) - 1)
        stacked = need > self.width()
        direction = QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
            self.updateGeometry()  # taller or shorter now: the screen's layout makes room

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._arrange()
        super().resizeEvent(event)

    def event(self, event) -> bool:
        # a new text size or language changes the buttons' widths without resizing the row
        if event.type() == QEvent.Type.LayoutRequest:
            self._arrange()
        return super().event(event)
