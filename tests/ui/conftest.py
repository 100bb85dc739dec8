"""UI tests run without a display: Qt's offscreen platform, set before Qt is loaded."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("PySide6", reason="the kiosk screen needs PySide6-Essentials (see pyproject)")
pytest.importorskip("pytestqt", reason="the UI tests need pytest-qt")



@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Every test starts in Vietnamese, the kiosk's default."""
    from ui import i18n

    yield
    i18n.set_language(i18n.DEFAULT)


@pytest.fixture
def make_window(qtbot):
    """``make_window(session, **options)`` -> a shown KioskWindow driven by ``session`` (fake or real)."""
    from ui.app import KioskOptions, KioskWindow

    windows = []

    def make(session=None, make_session=None, **options):
        options.setdefault("sounds", False)
        options.setdefault("preview", None)
        factory = make_session or session.factory
        window = KioskWindow(factory, KioskOptions(**options))
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
