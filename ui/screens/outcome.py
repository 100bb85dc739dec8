"""How a check-in ended: checked in (with what the destination gave the person), sent to staff, or an
error with what to do next. Every "see staff" screen shows the six-character reference staff type into
the operator panel; every result reminds the person to take the card."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout

from kiosk.checkin import ExamAdmission, GateClearance, QueueTicket
from kiosk.messages import warning_key
from kiosk.outcomes import Outcome, short_reference
from ui.i18n import message, tr
from ui.screens.base import CENTER, NEXT, Body, Next, Screen, step_name
from ui.widgets import Banner, ChoiceRow, Countdown, button, label

MAX_ROWS = 6


class OutcomeScreen(Screen):
    """A result or an error: what happened, what to do next, and the way back to the start."""

    done = Signal()
    retry = Signal()

    def __init__(self, profile: str, timeout_s: int) -> None:
        super().__init__()
        self.profile = profile
        self.result = None
        self.banner = Banner()
        self.text = label(name="lead", align=CENTER)
        self.details = QGridLayout()
        self.details.setHorizontalSpacing(24)
        self.details.setVerticalSpacing(8)
        self.details_box = QFrame()
        self.details_box.setObjectName("card")
        self.details_box.setLayout(self.details)
        self.row_labels = []
        for i in range(MAX_ROWS):
            pair = (label(name="lead", align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                    label(name="value"))
            self.details.addWidget(pair[0], i, 0)
            self.details.addWidget(pair[1], i, 1)
            self.row_labels.append(pair)
        self.details.setColumnStretch(1, 1)
        self.warnings = label(name="warning")
        self.warnings.hide()
        self.take_card = label(name="reminder", align=CENTER)
        self.take_card.hide()
        self.body = Body()
        self.body.add(self.text)
        self.body.add(self.details_box)
        self.body.add(self.warnings)
        self.body.end(centred=True)
        self.countdown = Countdown(timeout_s, 30)
        self.countdown.expired.connect(self.done)
        self.finish = button(name="primary")
        self.finish.clicked.connect(self.done)
        self.again = button()
        self.again.clicked.connect(self.retry)
        self.again.hide()
        self.root.addWidget(self.banner)
        self.root.addWidget(self.body, 1)
        self.root.addWidget(self.take_card)  # never scrolled away: the card must not stay on the reader
        self.root.addWidget(ChoiceRow(self.again, self.finish))
        self.root.addWidget(self.countdown)

    def show_result(self, result) -> None:
        self.result = result
        self.retranslate()

    def entered(self) -> None:
        self.countdown.start()

    def left(self) -> None:
        self.countdown.stop()

    def _rows(self) -> list[tuple[str, str, bool]]:
        return []

    def retranslate(self) -> None:
        self.countdown.retranslate()
        self.finish.setText("✔  " + tr("Done"))
        self.again.setText("↻  " + tr("Try again"))
        rows = self._rows()[: len(self.row_labels)]
        for i, (name_label, value_label) in enumerate(self.row_labels):
            if i < len(rows):
                name, value, big = rows[i]
                name_label.setText(name)
                value_label.setText(value)
                if value_label.objectName() != ("huge" if big else "value"):
                    value_label.setObjectName("huge" if big else "value")
                    value_label.style().unpolish(value_label)
                    value_label.style().polish(value_label)
            name_label.setVisible(i < len(rows))
            value_label.setVisible(i < len(rows))
        self.details_box.setVisible(bool(rows))


class ResultScreen(OutcomeScreen):
    """Checked in / queued / see staff, with what the destination answered (queue number, gate, room)."""

    name = "result"

    def retranslate(self) -> None:
        result = self.result
        if result is not None:
            if result.outcome == Outcome.CHECKED_IN:
                tone, headline = "ok", tr("Checked in")
            elif result.outcome == Outcome.QUEUED:
                tone, headline = "ok", tr("Recorded: it will be sent automatically")
            else:
                tone, headline = "warn", tr("Please see a staff member")
            self.banner.show_tone(tone, headline)
            self.text.setText(message(result.message_key, result.params))
            warnings = [message(warning_key(w)) for w in result.warnings]
            self.warnings.setText("\n".join("⚠  " + w for w in warnings))
            self.warnings.setVisible(bool(warnings))
        self.take_card.setText("▣  " + tr("Please take your CCCD card from the reader."))
        self.take_card.setVisible(result is not None)
        super().retranslate()

    def _rows(self) -> list[tuple[str, str, bool]]:
        result = self.result
        if result is None:
            return []
        rows = display_rows(None if result.receipt is None else result.receipt.display)
        if result.failure is not None:
            rows.append((tr("Reference for staff"), short_reference(result.ref), True))
        return rows


class ErrorScreen(OutcomeScreen):
    """Every failure: what happened and what to do next (the session's message), in words and icon."""

    name = "error"

    def __init__(self, profile: str, timeout_s: int, *, can_retry: bool) -> None:
        super().__init__(profile, timeout_s)
        self.can_retry = can_retry

    @property
    def for_staff(self) -> bool:
        return self.result is None or self.result.failure is None or NEXT[self.result.failure.kind] is not Next.RETRY

    def retranslate(self) -> None:
        result = self.result
        if result is not None:
            staff = self.for_staff
            self.banner.show_tone("error" if staff else "warn",
                                  tr("Please see a staff member") if staff else tr("That did not work"))
            self.text.setText(message(result.message_key, result.params))
            self.again.setVisible(self.can_retry and not staff)
        super().retranslate()

    def _rows(self) -> list[tuple[str, str, bool]]:
        if self.result is None:
            return []
        rows = []
        if self.result.failed_step:
            rows.append((tr("Step"), step_name(self.result.failed_step, self.profile), False))
        rows.append((tr("Reference for staff"), short_reference(self.result.ref), self.for_staff))
        return rows


def display_rows(display) -> list[tuple[str, str, bool]]:
    """(name, value, big) rows for what the destination gave the person to take away."""
    if isinstance(display, QueueTicket):
        return [row for row in ((tr("Your number"), display.queue_number, True),
                                (tr("Go to"), display.department, False)) if row[1]]
    if isinstance(display, GateClearance):
        words = {"cleared": "✔  " + tr("Cleared"), "refer": "!  " + tr("See staff"),
                 "refused": "✖  " + tr("Not cleared")}
        rows = [(tr("Decision"), words[display.decision], False), (tr("Flight"), display.flight, False)]
        return rows + ([(tr("Seat"), display.seat, False)] if display.seat else [])
    if isinstance(display, ExamAdmission):
        words = {"present": "✔  " + tr("Present"), "duplicate": "!  " + tr("Already checked in")}
        rows = [(tr("Decision"), words[display.decision], False), (tr("Exam room"), display.room, True),
                (tr("Candidate number"), display.sbd, False), (tr("Time"), display.time, False)]
        return [row for row in rows if row[1]]
    return []
