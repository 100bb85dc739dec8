"""The operator panel, behind a PIN: reader and camera status, the profile, today's counts and median step
times, the outbox and the trust store. It shows no personal data: counts, durations and states only."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QTableWidget, QTableWidgetItem

from kiosk.staff import PinAnswer, PinLock
from kiosk.stats import DailyStats
from ui.i18n import tr
from ui.screens import Screen, step_name
from ui.widgets import button, label


class PinScreen(Screen):
    """A large keypad; ``unlocked`` after the right PIN, locked for a minute after five wrong ones."""

    name = "pin"
    unlocked = Signal()
    closed = Signal()

    def __init__(self, pin: str | None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.lock = PinLock(pin, clock)
        self.title = label(name="title", align=Qt.AlignmentFlag.AlignCenter)
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.entry.returnPressed.connect(self.submit)
        self.status = label(name="lead", align=Qt.AlignmentFlag.AlignCenter)
        pad = QGridLayout()
        self.keys: dict[str, object] = {}
        for i, key in enumerate("123456789"):
            self._key(pad, key, i // 3, i % 3)
        self._key(pad, "←", 3, 0)
        self._key(pad, "0", 3, 1)
        self._key(pad, "OK", 3, 2)
        self.back = button()
        self.back.clicked.connect(self.closed)
        self.root.addWidget(self.title)
        self.root.addWidget(self.entry)
        self.root.addWidget(self.status)
        self.root.addLayout(pad)
        self.root.addWidget(self.back)
        self.retranslate()

    def _key(self, pad: QGridLayout, key: str, row: int, col: int) -> None:
        b = button(key, "primary" if key == "OK" else None)
        b.setMinimumSize(120, 80)
        b.clicked.connect(lambda _=False, k=key: self.press(k))
        pad.addWidget(b, row, col)
        self.keys[key] = b

    def press(self, key: str) -> None:
        if key == "←":
            self.entry.setText(self.entry.text()[:-1])
        elif key == "OK":
            self.submit()
        else:
            self.entry.setText(self.entry.text() + key)

    def submit(self) -> None:
        typed, _ = self.entry.text(), self.entry.clear()
        result = self.lock.try_pin(typed)
        if result.answer is PinAnswer.UNLOCKED:
            self.status.clear()
            self.unlocked.emit()
        elif result.answer is PinAnswer.NOT_SET:
            self.status.setText(tr("No operator PIN is set (KIOSK_OPERATOR_PIN)."))
        elif result.answer is PinAnswer.LOCKED:
            self.status.setText(tr("Too many wrong PINs. Wait %1 s.").replace("%1", str(result.wait_s)))
        else:
            self.status.setText("✖  " + tr("Wrong PIN."))

    def entered(self) -> None:
        self.entry.clear()
        self.status.clear()

    def retranslate(self) -> None:
        self.title.setText("⚙  " + tr("Staff only: enter the PIN"))
        self.back.setText("←  " + tr("Back"))


class OperatorScreen(Screen):
    """Status for staff; ``info()`` gives the hardware lines (reader, camera, trust store) as (name, value)."""

    name = "operator"
    closed = Signal()
    _loaded = Signal(object)

    def __init__(self, profile: str, stats: DailyStats, info: Callable[[], Mapping[str, str]],
                 outbox_status: Callable[[], object | None], outbox_retry: Callable[[], int] | None = None,
                 executor: ThreadPoolExecutor | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.stats = stats
        self.info = info
        self.outbox_status = outbox_status
        self.outbox_retry = outbox_retry
        # the outbox is a database and the hardware lines may probe devices: never on the UI thread
        self._executor = executor or ThreadPoolExecutor(1, thread_name_prefix="kiosk-operator")
        self._loaded.connect(self._show)
        self.loaded_rows: list[tuple[str, str]] = []
        self.title = label(name="title")
        self.status = QTableWidget(0, 2)
        self.steps = QTableWidget(0, 2)
        for table in (self.status, self.steps):
            table.verticalHeader().hide()
            table.horizontalHeader().setStretchLastSection(True)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.steps, 1)
        self.close_button = button(name="primary")
        self.close_button.clicked.connect(self.closed)
        self.retry_button = button()
        self.retry_button.clicked.connect(self.retry_outbox)
        self.retry_button.setEnabled(outbox_retry is not None)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        self.root.addWidget(self.title)
        self.root.addLayout(row, 1)
        self.root.addLayout(buttons)
        self.retranslate()

    def entered(self) -> None:
        self.refresh()

    def retry_outbox(self) -> None:
        if self.outbox_retry is not None:
            self._executor.submit(self.outbox_retry).add_done_callback(lambda _f: self.refresh())

    def _gather(self) -> tuple[Mapping[str, str], object | None]:  # on the executor's thread
        return dict(self.info()), self.outbox_status()

    def _done(self, future) -> None:
        try:
            self._loaded.emit(future.result())
        except Exception as exc:  # noqa: BLE001 (a status probe failing must not hide the panel)
            self._loaded.emit(({tr("Status"): f"{type(exc).__name__}"}, None))

    def _show(self, gathered) -> None:
        info, outbox = gathered
        self.loaded_rows = self.rows(info, outbox)
        self._fill(self.status, self.loaded_rows)
        medians = self.stats.medians()
        self._fill(self.steps, [(step_name(step, self.profile), f"{s:.2f} s") for step, s in medians.items()])

    def rows(self, info: Mapping[str, str], outbox) -> list[tuple[str, str]]:
        rows = [(tr("Profile"), self.profile)]
        rows += list(info.items())
        if outbox is not None:
            oldest = getattr(outbox, "oldest_pending_s", None)
            rows += [(tr("Outbox: waiting"), str(outbox.pending)), (tr("Outbox: failed"), str(outbox.failed)),
                     (tr("Outbox: delivered"), str(outbox.delivered)),
                     (tr("Outbox: oldest waiting"), "—" if oldest is None else f"{oldest:.0f} s")]
        rows.append((tr("Check-ins today"), str(self.stats.count)))
        names = {"checked_in": tr("checked in"), "queued": tr("queued"), "refer": tr("sent to staff"),
                 "refused": tr("refused"), "error": tr("errors"), "cancelled": tr("cancelled")}
        for outcome, count in sorted(self.stats.outcomes.items()):
            rows.append(("  " + names.get(outcome, outcome), str(count)))
        total = self.stats.median_total()
        rows.append((tr("Median time per check-in"), "—" if total is None else f"{total:.1f} s"))
        return rows

    def refresh(self) -> None:
        self._executor.submit(self._gather).add_done_callback(self._done)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, str]]) -> None:
        table.setRowCount(len(rows))
        for i, (name, value) in enumerate(rows):
            table.setItem(i, 0, QTableWidgetItem(name))
            table.setItem(i, 1, QTableWidgetItem(value))
        table.resizeColumnToContents(0)

    def retranslate(self) -> None:
        self.title.setText("⚙  " + tr("Operator panel"))
        self.status.setHorizontalHeaderLabels([tr("Item"), tr("State")])
        self.steps.setHorizontalHeaderLabels([tr("Step"), tr("Median today")])
        self.close_button.setText("←  " + tr("Back to the kiosk"))
        self.retry_button.setText("↻  " + tr("Retry the outbox now"))
        if self.isVisible():
            self.refresh()
