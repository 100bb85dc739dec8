"""The operator panel shows the doctor's checks: state, check, finding and the fix in the panel's language."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kiosk.doctor import CheckName
from kiosk.doctor.result import failed, passed
from kiosk.messages import message
from tests.ui.fakes import FakeSession, ok_result, script
from ui import i18n
from ui.checks import ChecksView

RESULTS = [passed(CheckName.PCSCD, "pcscd answers"),
           failed(CheckName.CLOCK, "the clock is not synchronized", "doctor.clock_unsynced")]


def test_checks_are_run_off_the_ui_thread_and_shown_with_their_fix(qtbot) -> None:
    view = ChecksView(lambda: RESULTS, ThreadPoolExecutor(1))
    qtbot.addWidget(view)
    view.refresh()
    qtbot.waitUntil(lambda: view.rowCount() == 2, timeout=10_000)
    cells = [[view.item(r, c).text() for c in range(4)] for r in range(2)]
    assert cells[0] == ["✔", "pcscd", "pcscd answers", ""]
    assert cells[1][:3] == ["✖", "clock", "the clock is not synchronized"]
    assert cells[1][3] == message("doctor.clock_unsynced").vi
    i18n.set_language("en")
    view.retranslate()
    assert view.item(1, 3).text() == message("doctor.clock_unsynced").en
    assert view.run_button.isEnabled()


def test_the_operator_panel_carries_the_checks(make_window, qtbot) -> None:
    window = make_window(FakeSession(script("card"), ok_result()), checks=lambda: RESULTS, operator_pin="1234")
    assert window.operator.checks is not None
    window.operator.checks.refresh()
    qtbot.waitUntil(lambda: window.operator.checks.rowCount() == 2, timeout=10_000)
    assert make_window(FakeSession(script("card"), ok_result())).operator.checks is None
