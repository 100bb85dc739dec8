"""The staff screens, behind a PIN: reader and camera status, the profile, today's counts and median step
times, the outbox and the trust store, and a look-up of the short reference a person was shown. They show
no personal data (counts, durations, states, message keys) and close by themselves when left alone, so a
patient who tapped "Staff" and walked away does not leave the kiosk stuck."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.site.runtime import SiteStatus
from kiosk.staff import PinAnswer, PinLock
from kiosk.stats import DECLINED, DailyStats
from ui.checks import ChecksView
from ui.i18n import message, tr
from ui.preview import to_qimage
from ui.screens import Screen, step_name
from ui.widgets import ChoiceRow, Countdown, button, label


class StaffScreen(Screen):
    """A staff screen with an idle countdown: any touch starts it again; at zero, ``closed``."""

    closed = Signal()

    def __init__(self, idle_s: int) -> None:
        super().__init__()
        self.countdown = Countdown(idle_s, idle_s, warn_s=min(10, idle_s))
        self.countdown.expired.connect(self.closed)

    def touched(self) -> None:
        self.countdown.start()

    def entered(self) -> None:
        self.countdown.start()

    def left(self) -> None:
        self.countdown.stop()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.touched()
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        self.touched()
        super().keyPressEvent(event)


class PinScreen(StaffScreen):
    """A large keypad; ``unlocked`` after the right PIN, locked for a minute after five wrong ones."""

    name = "pin"
    unlocked = Signal()

    def __init__(self, pin: str | None, clock: Callable[[], float] = time.monotonic, *, idle_s: int = 60) -> None:
        super().__init__(idle_s)
        self.lock = PinLock(pin, clock)
        self.title = label(name="title", align=Qt.AlignmentFlag.AlignCenter)
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.entry.returnPressed.connect(self.submit)
        self.entry.textEdited.connect(self.touched)
        self.status = label(name="lead", align=Qt.AlignmentFlag.AlignCenter)
        pad = QGridLayout()
        pad.setSpacing(8)
        self.keys: dict[str, object] = {}
        for i, key in enumerate("123456789"):
            self._key(pad, key, i // 3, i % 3)
        self._key(pad, "←", 3, 0)
        self._key(pad, "0", 3, 1)
        self._key(pad, "OK", 3, 2)
        self.back = button()
        self.back.clicked.connect(self.closed)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.entry)
        left.addWidget(self.status)
        left.addStretch(1)
        left.addWidget(self.back)
        # the words beside the keys on a wide screen, above them on a tall one (resizeEvent)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(24)
        self.body.addLayout(left, 1)
        self.body.addLayout(pad, 1)
        self.root.addLayout(self.body, 1)
        self.root.addWidget(self.countdown)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802
        tall = self.height() > self.width()
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if tall else QBoxLayout.Direction.LeftToRight)
        super().resizeEvent(event)

    def _key(self, pad: QGridLayout, key: str, row: int, col: int) -> None:
        b = button(key, "primary" if key == "OK" else None)
        b.setMinimumSize(96, 64)
        b.setMaximumHeight(120)
        b.clicked.connect(lambda _=False, k=key: self.press(k))
        pad.addWidget(b, row, col)
        self.keys[key] = b

    def press(self, key: str) -> None:
        self.touched()
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
        super().entered()

    def retranslate(self) -> None:
        self.title.setText("⚙  " + tr("Staff only: enter the PIN"))
        self.back.setText("←  " + tr("Back"))
        self.countdown.retranslate()


def item_name(item: str) -> str:
    """The operator panel's words for the status items the kiosk reports (``KioskOptions.info``)."""
    return {"reader": tr("Reader"), "camera": tr("Camera"), "trust_store": tr("Trust store"), "site": tr("Site"),
            "site_store": tr("Site store"), "delivery": tr("Background delivery"),
            "upstream": tr("Destination system")}.get(item, item)


def site_store_line(status: SiteStatus) -> str:
    """"offline since 07:42 (3 check-ins not yet confirmed)", in the panel's language."""
    if status.store == "none":
        return tr("none (this kiosk on its own)")
    if status.store == "online":
        line = tr("online")
        pending = tr("%1 check-ins being reconciled")
    else:
        since = status.offline_since.astimezone().strftime("%H:%M") if status.offline_since else "?"
        line = tr("offline since %1").replace("%1", since)
        pending = tr("%1 check-ins not yet confirmed")
    return line + (f" ({pending.replace('%1', str(status.unconfirmed))})" if status.unconfirmed else "")


def item_value(value: object) -> str:
    """Fixed phrases among the status values are translated; names (a reader, a file) are shown as they are."""
    if isinstance(value, SiteStatus):
        return site_store_line(value)
    return {"virtual_card": tr("virtual card (demo)"), "demo_face": tr("demo face"),
            "first_reader": tr("first PC/SC reader"), "test_csca": tr("virtual card test CSCA"),
            "none": tr("none"), "running": tr("running"), "stopped": tr("stopped"), "ok": tr("answering"),
            "unreachable": tr("unreachable"), "refusing": tr("refusing check-ins"),
            "unknown": tr("not known yet")}.get(str(value), str(value))


def outcome_name(outcome: str) -> str:
    return {"checked_in": tr("checked in"), "queued": tr("queued"), "refer": tr("sent to staff"),
            "refused": tr("refused"), "error": tr("errors"), "cancelled": tr("cancelled"),
            DECLINED: tr("declined the camera")}.get(outcome, outcome)


class FaceReviewView(QWidget):
    """The chip's portrait and the best live frame side by side, for a person to decide what the matcher
    could not. Only the check-in on screen has one; it is never written anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.review = None
        self.portrait, self.live = QLabel(), QLabel()
        for picture in (self.portrait, self.live):
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            picture.setMinimumSize(160, 160)
            picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.portrait_caption, self.live_caption = label(name="muted", align=Qt.AlignmentFlag.AlignCenter), \
            label(name="muted", align=Qt.AlignmentFlag.AlignCenter)
        self.advice = label(name="lead")
        grid = QGridLayout(self)
        grid.addWidget(self.portrait, 0, 0)
        grid.addWidget(self.live, 0, 1)
        grid.addWidget(self.portrait_caption, 1, 0)
        grid.addWidget(self.live_caption, 1, 1)
        grid.addWidget(self.advice, 2, 0, 1, 2)
        grid.setRowStretch(0, 1)

    def show_review(self, review) -> None:
        self.review = review
        self.portrait.clear()
        self.live.clear()
        self._paint()
        self.retranslate()

    def _paint(self) -> None:
        if self.review is None:
            return
        for picture, rgb in ((self.portrait, self.review.portrait), (self.live, self.review.live)):
            image = to_qimage(rgb)
            picture.setPixmap(QPixmap.fromImage(image).scaled(picture.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                              Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._paint()
        super().resizeEvent(event)

    def retranslate(self) -> None:
        self.portrait_caption.setText(tr("Photo in the card's chip"))
        self.live_caption.setText(tr("Camera, just now"))
        distance = "" if self.review is None else f" ({self.review.distance:.3f})"
        self.advice.setText(tr("The face check could not decide. Compare the two faces and the person in front "
                               "of you; if they match, check the person in at the desk.") + distance)


class OperatorScreen(StaffScreen):
    """Status for staff; ``info()`` gives the hardware lines (reader, camera, trust store) as item -> value."""

    name = "operator"
    _loaded = Signal(object)

    def __init__(self, profile: str, stats: DailyStats, info: Callable[[], Mapping[str, object]],
                 outbox_status: Callable[[], object | None], outbox_retry: Callable[[], int] | None = None,
                 executor: ThreadPoolExecutor | None = None, *, idle_s: int = 60,
                 checks: Callable[[], Sequence] | None = None) -> None:
        super().__init__(idle_s)
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
            table.setWordWrap(True)
            table.setMinimumHeight(48)  # they scroll: the panel's buttons keep their room on a small screen
        status_page = QWidget()
        self.tables = QHBoxLayout(status_page)
        self.tables.setContentsMargins(0, 6, 0, 0)
        self.tables.addWidget(self.status, 1)
        self.tables.addWidget(self.steps, 1)
        self.pages = QTabWidget()
        self.pages.addTab(status_page, "")
        self.reference = QLineEdit()
        self.reference.setMaxLength(8)
        self.reference.returnPressed.connect(self.look_up)
        self.reference.textEdited.connect(self.touched)
        self.find_button = button()
        self.find_button.clicked.connect(self.look_up)
        self.found = label(name="muted")
        self.found.hide()  # shown with the answer to a look-up
        search = QHBoxLayout()
        search.addWidget(self.reference, 1)
        search.addWidget(self.find_button)
        self.close_button = button(name="primary")
        self.close_button.clicked.connect(self.closed)
        self.retry_button = button()
        self.retry_button.clicked.connect(self.retry_outbox)
        self.retry_button.setEnabled(outbox_retry is not None)
        # the doctor's checks (kiosk.doctor), run on demand: they touch the card and the network
        self.checks = ChecksView(checks) if checks is not None else None
        if self.checks is not None:
            self.pages.addTab(self.checks, "")
            search.addWidget(self.checks.run_button)
        self.review = FaceReviewView()
        self.root.addWidget(self.title)
        self.root.addWidget(self.pages, 1)
        self.root.addLayout(search)
        self.root.addWidget(self.found)
        self.root.addWidget(ChoiceRow(self.retry_button, self.close_button))
        self.root.addWidget(self.countdown)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self.tables.setDirection(QHBoxLayout.Direction.TopToBottom if self.height() > self.width()
                                 else QHBoxLayout.Direction.LeftToRight)
        super().resizeEvent(event)

    def entered(self) -> None:
        self.reference.clear()
        self.found.clear()
        self.found.hide()
        self.refresh()
        if self.review.review is not None:
            self.pages.setCurrentWidget(self.review)
        super().entered()

    def set_review(self, review) -> None:
        """The faces of the check-in just referred to staff (a :class:`~kiosk.session.FaceReview`), or None
        once the kiosk has moved on: then they are dropped, never kept."""
        self.review.show_review(review)
        index = self.pages.indexOf(self.review)
        if review is not None and index < 0:
            self.pages.addTab(self.review, tr("Face check"))
        elif review is None and index >= 0:
            self.pages.removeTab(index)

    def retry_outbox(self) -> None:
        self.touched()
        if self.outbox_retry is not None:
            self._executor.submit(self.outbox_retry).add_done_callback(lambda _f: self.refresh())

    def look_up(self) -> None:
        """What became of the check-in whose six-character reference a person read out."""
        self.touched()
        found = self.stats.find(self.reference.text())
        self.found.show()
        if found is None:
            self.found.setText(tr("No check-in with this reference today."))
            return
        parts = [found.at.strftime("%H:%M:%S"), outcome_name(found.outcome)]
        if found.step is not None:
            parts.append(step_name(found.step, self.profile))
        parts.append(message(found.message_key))
        if found.detail:
            parts.append(tr("Detail") + ": " + found.detail)
        self.found.setText("  ·  ".join(parts))

    def _gather(self) -> tuple[Mapping[str, object], object | None]:  # on the executor's thread
        return dict(self.info()), self.outbox_status()

    def _done(self, future) -> None:
        try:
            self._loaded.emit(future.result())
        except Exception as exc:  # noqa: BLE001 (a status probe failing must not hide the panel)
            self._loaded.emit(({"status": f"{type(exc).__name__}"}, None))

    def _show(self, gathered) -> None:
        info, outbox = gathered
        self.loaded_rows = self.rows(info, outbox)
        self._fill(self.status, self.loaded_rows)
        medians = self.stats.medians()
        self._fill(self.steps, [(step_name(step, self.profile), f"{s:.2f} s") for step, s in medians.items()])

    def rows(self, info: Mapping[str, object], outbox) -> list[tuple[str, str]]:
        rows = [(tr("Profile"), self.profile)]
        rows += [(item_name(item), item_value(value)) for item, value in info.items()]
        if outbox is not None:
            oldest = getattr(outbox, "oldest_pending_s", None)
            rows += [(tr("Outbox: waiting"), str(outbox.pending)), (tr("Outbox: failed"), str(outbox.failed)),
                     (tr("Outbox: delivered"), str(outbox.delivered)),
                     (tr("Outbox: oldest waiting"), "—" if oldest is None else f"{oldest:.0f} s")]
        rows.append((tr("Check-ins today"), str(self.stats.count)))
        for outcome, count in sorted(self.stats.outcomes.items()):
            rows.append(("  " + outcome_name(outcome), str(count)))
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
        table.resizeRowsToContents()

    def retranslate(self) -> None:
        self.title.setText("⚙  " + tr("Operator panel"))
        self.pages.setTabText(0, tr("Status"))
        if self.checks is not None:
            self.pages.setTabText(self.pages.indexOf(self.checks), tr("Checks"))
        if self.pages.indexOf(self.review) >= 0:
            self.pages.setTabText(self.pages.indexOf(self.review), tr("Face check"))
        self.review.retranslate()
        self.status.setHorizontalHeaderLabels([tr("Item"), tr("State")])
        self.steps.setHorizontalHeaderLabels([tr("Step"), tr("Median today")])
        self.reference.setPlaceholderText(tr("Reference shown to the person (6 characters)"))
        self.find_button.setText("⌕  " + tr("Find"))
        self.close_button.setText("←  " + tr("Back to the kiosk"))
        self.retry_button.setText("↻  " + tr("Retry the outbox now"))
        self.countdown.retranslate()
        if getattr(self, "checks", None) is not None:
            self.checks.retranslate()
        if self.isVisible():
            self.refresh()
