"""The doctor's checks on the operator panel: the same typed results as ``kiosk doctor``, run on a worker
thread (they touch the card, the network and a Qt child process), each with its fix in the panel's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from kiosk.doctor import CheckResult, CheckStatus
from ui.i18n import message, tr
from ui.widgets import button

MARKS = {CheckStatus.PASS: "✔", CheckStatus.WARN: "⚠", CheckStatus.FAIL: "✖", CheckStatus.SKIP: "–"}


class ChecksView(QTableWidget):
    """A table of the checks (state, check, finding, what to do) and its "run the checks" button, which the
    panel places where there is room (:attr:`run_button`)."""

    _loaded = Signal(object)

    def __init__(self, run: Callable[[], Sequence[CheckResult]], executor: ThreadPoolExecutor | None = None) -> None:
        super().__init__(0, 4)
        self._run = run
        self._executor = executor or ThreadPoolExecutor(1, thread_name_prefix="kiosk-checks")
        self._loaded.connect(self.show_results)
        self.results: list[CheckResult] = []
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(column, mode)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.run_button = button()
        self.run_button.clicked.connect(self.refresh)
        self.retranslate()

    def refresh(self) -> Future:
        self.run_button.setEnabled(False)
        future = self._executor.submit(self._run)
        future.add_done_callback(lambda f: self._loaded.emit(list(f.result()) if f.exception() is None else []))
        return future

    def show_results(self, results: list[CheckResult]) -> None:
        self.results = results
        self.run_button.setEnabled(True)
        self.setRowCount(len(results))
        for i, result in enumerate(results):
            fix = message(result.fix_key) if result.fix_key and result.status is not CheckStatus.PASS else ""
            for column, text in enumerate((MARKS[result.status], str(result.name), result.detail, fix)):
                self.setItem(i, column, QTableWidgetItem(text))
        self.resizeRowsToContents()

    def retranslate(self) -> None:
        self.run_button.setText("☑  " + tr("Run the checks"))
        self.setHorizontalHeaderLabels(["", tr("Check"), tr("Finding"), tr("What to do")])
        if self.results:
            self.show_results(self.results)
