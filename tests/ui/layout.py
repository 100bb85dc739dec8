"""Geometry checks on a shown window, by the widgets' own measures: no label's text cut or elided, nothing
outside its parent, no two texts on top of each other, every button inside the window.

Text inside a scroll area may run past the visible part (the person scrolls), but never past its own
width; a button inside a scroll area must be reachable by scrolling, everything else must be on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QLineEdit, QProgressBar, QWidget

SIZES = {"1280x1024": (1280, 1024), "1024x768": (1024, 768), "1080x1920": (1080, 1920)}
SLACK = 1  # px of rounding


def _in_scroll_area(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _rect_in(widget: QWidget, top: QWidget) -> QRect:
    return QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())


def _text(widget: QWidget) -> str:
    return widget.text() if isinstance(widget, QLabel | QAbstractButton | QLineEdit) else ""


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.width() > 0 and widget.height() > 0


def _label_problem(label: QLabel) -> str | None:
    if not label.text() or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK:
            return f"text cut: needs {need} px of height, has {label.height()}"
        return None
    need = label.sizeHint().width()
    if need > label.width() + SLACK:
        return f"text elided: needs {need} px of width, has {label.width()}"
    return None


def layout_problems(window: QWidget) -> list[str]:
    """Every problem found in ``window`` as shown now, each naming the widget and its text."""
    problems: list[str] = []
    screen = window.rect()
    leaves: list[tuple[QRect, QWidget]] = []
    for widget in window.findChildren(QWidget):
        if not _shown(widget, window):
            continue
        name = f"{type(widget).__name__}({widget.objectName() or '-'}) {_text(widget)!r:.60}"
        scrolled = _in_scroll_area(widget, window)
        parent = widget.parentWidget()
        if parent is not None and not parent.rect().contains(widget.geometry().adjusted(SLACK, SLACK, -SLACK, -SLACK)) \
                and not isinstance(parent, QAbstractScrollArea) and parent.layout() is not None:
            problems.append(f"{name}: outside its parent ({widget.geometry()} in {parent.rect()})")
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
            if problem:
                problems.append(f"{name}: {problem}")
        if isinstance(widget, QAbstractButton):
            if widget.sizeHint().width() > widget.width() + SLACK and widget.text():
                problems.append(f"{name}: text wider than the button ({widget.sizeHint().width()} > {widget.width()})")
            if not scrolled and not screen.contains(_rect_in(widget, window)):
                problems.append(f"{name}: button outside the window ({_rect_in(widget, window)} in {screen})")
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit | QProgressBar) and not scrolled:
            leaves.append((_rect_in(widget, window), widget))
    for i, (rect, widget) in enumerate(leaves):
        for other_rect, other in leaves[i + 1:]:
            if widget.isAncestorOf(other) or other.isAncestorOf(widget):
                continue
            overlap = rect.intersected(other_rect)
            if overlap.width() > 2 and overlap.height() > 2:
                problems.append(f"overlap: {type(widget).__name__} {_text(widget)!r:.40} and "
                                f"{type(other).__name__} {_text(other)!r:.40}")
    return problems
