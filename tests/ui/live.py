"""A real kiosk for screen tests: ``python -m kiosk ui --demo``'s own wiring (the real session on the
virtual card, the demo face, the profile's demo site with its upstream stand-ins), driven the way a
person would, with a few knobs a person cannot turn (a card pulled away, a QR code never seen)."""

from __future__ import annotations

import argparse
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from kiosk.commands.ui import build
from kiosk.key_source import KeyInput
from nfc.sim.link import ReaderFaults


@dataclass
class Live:
    window: object
    hardware: object
    hold_key: threading.Event  # cleared: the key step waits (the reading screen stays put)

    def pull_card_after(self, apdus: int) -> None:
        """The next card is taken away after ``apdus`` commands."""
        self.hardware.cards.faults = ReaderFaults(remove_after=apdus)


@contextlib.contextmanager
def live_kiosk(qtbot, profile: str, *, size: tuple[int, int] = (1280, 1024), text_step: int = 0,
               pace_s: float = 0.0, **options) -> Iterator[Live]:
    """A shown kiosk window for ``profile`` at ``size`` and text size ``text_step`` (0, 1, 2)."""
    from ui.app import KioskWindow

    with contextlib.ExitStack() as stack:
        setup = build(argparse.Namespace(demo=True, profile=profile, camera=None, reader=None, lang=None,
                                         fullscreen=False), stack)
        hold = threading.Event()
        hold.set()
        scan: Callable[[int], KeyInput] = setup.hardware.keys

        def keys(attempt: int) -> KeyInput:
            hold.wait(30)
            return scan(attempt)

        setup.hardware.keys = keys
        setup.options.sounds = False
        setup.options.pace_s = pace_s
        for name, value in options.items():
            setattr(setup.options, name, value)
        window = KioskWindow(setup.make_session, setup.options)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        for _ in range(text_step):
            window.next_font_step()
        QApplication.processEvents()
        try:
            yield Live(window, setup.hardware, hold)
        finally:
            hold.set()
            window.shutdown()
