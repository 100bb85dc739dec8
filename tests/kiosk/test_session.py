"""The check-in session end to end in-process: virtual card, demo-face camera, real matcher, local
queue or a receiver on 127.0.0.1, the real outbox and audit log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest

from biometrics.frames import ArraySource, Frame
from biometrics.matcher import Matcher
from biometrics.portrait import demo_face_rgb
from kiosk.adapters.local import LocalQueueAdapter
from kiosk.adapters.webhook import WebhookAdapter
from kiosk.audit import AuditLog
from kiosk.fakes.receiver import Receiver
from kiosk.key_source import KeyInput
from kiosk.keys import parse_qr
from kiosk.outbox import DELIVERED, Outbox
from kiosk.outcomes import EventState, FailureKind, Outcome, Step
from kiosk.policy import ChipPolicy
from kiosk.session import CheckInSession, SessionConfig, SessionEvent
from kiosk.simulator import demo_card, demo_pki
from nfc.access import CanKey
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from nfc.sim.link import ReaderFaults, SimulatedReader
from nfc.transport import InProcessConnection
from nfc.trust.store import TrustStore

CHECKED_IN, QUEUED, REFUSED, ERROR, CANCELLED = (
    Outcome.CHECKED_IN, Outcome.QUEUED, Outcome.REFUSED, Outcome.ERROR, Outcome.CANCELLED)
GOOD_KEY = KeyInput(CanKey(DEMO_ID_NUMBER[-6:]))
POLICY = ChipPolicy()


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


def demo_frames(n: int = 4) -> Iterable[Frame]:
    return ArraySource([demo_face_rgb()], repeat=n).frames()


class Kiosk:
    """A session with recording of events, on a fresh virtual card each run unless told otherwise."""

    def __init__(self, tmp: Path, matcher: Matcher, *, adapter=None, keys=None, camera=demo_frames,
                 faults: ReaderFaults | None = None, policy: ChipPolicy = POLICY,
                 trust: TrustStore | None = None) -> None:
        self.events: list[SessionEvent] = []
        self.faults = faults
        self.outbox = Outbox(tmp / "outbox.sqlite3", b"k" * 32)
        self.audit_path = tmp / "audit.log"
        self.adapter = adapter or LocalQueueAdapter(tmp / "queue.sqlite3")
        self.session = CheckInSession(
            SessionConfig("demo", "TEST-01", policy, face_timeout_s=5.0),
            open_card=self.open_card, keys=keys or (lambda attempt: GOOD_KEY), camera=camera, matcher=matcher,
            adapter=self.adapter, outbox=self.outbox, audit=AuditLog(self.audit_path),
            trust=trust or TrustStore.from_certificates([demo_pki().csca_certificate]), listener=self.events.append)

    def open_card(self):
        card = demo_card().card
        faults, self.faults = self.faults, None  # a fault applies to the next card only
        return InProcessConnection(SimulatedReader(card, faults=faults or ReaderFaults()))


def test_a_genuine_card_and_its_owner_check_in(tmp_path: Path, matcher: Matcher) -> None:
    kiosk = Kiosk(tmp_path, matcher)
    result = kiosk.session.run()
    assert result.outcome == CHECKED_IN, result
    assert result.receipt.display.queue_number == "A001"
    assert [s for s, _ in result.timings] == list(kiosk.session.steps) == [
        Step.CARD, Step.CONSENT, Step.KEY, Step.CHIP, Step.TRUST, Step.FACE, Step.DESTINATION, Step.RESULT]
    assert result.warnings == () and result.failure is None
    assert kiosk.outbox.state(result.checkin_id) == DELIVERED
    assert [(e.step, e.state) for e in kiosk.events][:2] == [(Step.CARD, EventState.STARTED),
                                                              (Step.CARD, EventState.DONE)]
    second = kiosk.session.run()
    assert second.outcome == CHECKED_IN and second.receipt.display.queue_number == "A002"


def test_nothing_personal_reaches_the_audit_log_or_the_logs(tmp_path: Path, matcher: Matcher,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk = Kiosk(tmp_path, matcher)
    assert kiosk.session.run().outcome == CHECKED_IN
    citizen = demo_citizen()
    secrets = [citizen.id_number, citizen.id_number[-9:], citizen.full_name, "NGUYEN", citizen.residence,
               citizen.mother_name, "2003-05-14", "14/05/2003"]
    audit = kiosk.audit_path.read_text("utf-8")
    assert len(audit.splitlines()) >= 7
    for line in audit.splitlines():
        json.loads(line)
    for text in (audit, caplog.text):
        for secret in secrets:
            assert secret not in text


def test_a_wrong_key_can_be_retried_on_the_same_card(tmp_path: Path, matcher: Matcher) -> None:
    keys = iter([KeyInput(CanKey("111111")), GOOD_KEY])
    kiosk = Kiosk(tmp_path, matcher, keys=lambda attempt: next(keys))
    result = kiosk.session.run()
    assert result.outcome == CHECKED_IN
    assert '"key_refused"' in kiosk.audit_path.read_text()


def test_wrong_keys_every_time_end_in_a_refusal(tmp_path: Path, matcher: Matcher) -> None:
    kiosk = Kiosk(tmp_path, matcher, keys=lambda attempt: KeyInput(CanKey("111111")))
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (REFUSED, FailureKind.NEW_KEY, Step.CHIP)
    assert result.message_key == "chip.access_denied"


@pytest.mark.parametrize("after", [3, 9, 15])
def test_card_pulled_away_mid_read_and_the_kiosk_is_ready_again(tmp_path: Path, matcher: Matcher,
                                                               after: int) -> None:
    kiosk = Kiosk(tmp_path, matcher, faults=ReaderFaults(remove_after=after))
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.message_key) == (ERROR, FailureKind.CARD, "chip.card_removed")
    assert kiosk.outbox.status().pending == 0 and kiosk.outbox.status().delivered == 0
    assert kiosk.session.run().outcome == CHECKED_IN


def test_a_camera_that_delivers_nothing_is_a_clear_refusal(tmp_path: Path, matcher: Matcher) -> None:
    kiosk = Kiosk(tmp_path, matcher, camera=lambda: iter(()))
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (REFUSED, FailureKind.FACE, Step.FACE)
    assert result.message_key == "face.none_found"


def test_a_camera_showing_no_face_is_refused(tmp_path: Path, matcher: Matcher) -> None:
    blank = ArraySource([np.full((480, 640, 3), 120, np.uint8)], repeat=4)
    result = Kiosk(tmp_path, matcher, camera=blank.frames).session.run()
    assert result.outcome == REFUSED and result.failure.kind is FailureKind.FACE


def test_a_cloned_chip_is_refused_before_the_camera(tmp_path: Path, matcher: Matcher,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.simulator as simulator
    from nfc.sim.builder import CardOptions

    original = simulator.demo_card
    monkeypatch.setattr("tests.kiosk.test_session.demo_card", lambda: original(CardOptions(clone=True)))
    kiosk = Kiosk(tmp_path, matcher)
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (REFUSED, FailureKind.STAFF, Step.TRUST)
    assert result.message_key == "trust.refused" and "active_authentication: invalid" in result.detail
    assert Step.FACE not in [e.step for e in kiosk.events]
    assert '"trust"' in kiosk.audit_path.read_text() and "active_authentication" in kiosk.audit_path.read_text()


def test_unverified_chip_is_refused_when_the_profile_requires_passive_authentication(
        tmp_path: Path, matcher: Matcher) -> None:
    no_csca = TrustStore()
    result = Kiosk(tmp_path, matcher, trust=no_csca).session.run()
    assert result.outcome == REFUSED and "passive_authentication: unverified" in result.detail


def test_a_profile_may_allow_unverified_chips_and_then_says_so(tmp_path: Path, matcher: Matcher) -> None:
    kiosk = Kiosk(tmp_path, matcher, trust=TrustStore(), policy=ChipPolicy(passive_authentication="allow_unverified"))
    result = kiosk.session.run()
    assert result.outcome == CHECKED_IN and result.warnings == ("passive_authentication",)


@pytest.mark.parametrize("options", [{"tamper_dg": 13}, {"sod": "foreign_csca"}, {"ca_key_mismatch": True}])
def test_forged_or_cloned_chips_are_refused(tmp_path: Path, matcher: Matcher, monkeypatch: pytest.MonkeyPatch,
                                            options: dict) -> None:
    import kiosk.simulator as simulator
    from nfc.sim.builder import CardOptions

    original = simulator.demo_card
    monkeypatch.setattr("tests.kiosk.test_session.demo_card", lambda: original(CardOptions(**options)))
    result = Kiosk(tmp_path, matcher).session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (REFUSED, FailureKind.STAFF, Step.TRUST)
    assert result.message_key == "trust.refused"


def test_matching_qr_code_passes(tmp_path: Path, matcher: Matcher) -> None:
    qr = parse_qr(f"{DEMO_ID_NUMBER}|012345678|Nguyễn Thị An|14052003|Nữ|Hà Nội|10042021")
    result = Kiosk(tmp_path, matcher, keys=lambda attempt: KeyInput(qr.access_key(), qr)).session.run()
    assert result.outcome == CHECKED_IN


@pytest.mark.parametrize("text", [
    f"{DEMO_ID_NUMBER}||Trần Văn Bảo|14052003|Nam|Hà Nội|10042021",  # another name
    f"\ufeff{DEMO_ID_NUMBER}|Trần Văn Bảo|14/05/2003|Nam|Hà Nội|10/04/2021|",  # 6 fields: another name
    f"{DEMO_ID_NUMBER}|Nguyễn Thị An|15/05/2003|Nữ|Hà Nội|10/04/2021",  # 6 fields: another birth date
])
def test_a_qr_code_that_does_not_match_the_chip_is_refused(tmp_path: Path, matcher: Matcher, text: str) -> None:
    forged = parse_qr(text)
    kiosk = Kiosk(tmp_path, matcher, keys=lambda attempt: KeyInput(forged.access_key(), forged))
    result = kiosk.session.run()
    assert (result.outcome, result.message_key) == (REFUSED, "trust.qr_mismatch")


def test_a_matching_six_field_qr_code_with_a_bom_passes(tmp_path: Path, matcher: Matcher) -> None:
    qr = parse_qr(f"\ufeff{DEMO_ID_NUMBER}|Nguyễn Thị An|14/05/2003|Nữ|Hà Nội|10/04/2021||")
    result = Kiosk(tmp_path, matcher, keys=lambda attempt: KeyInput(qr.access_key(), qr)).session.run()
    assert result.outcome == CHECKED_IN


def test_upstream_down_queues_the_check_in_and_it_is_delivered_once_back(tmp_path: Path,
                                                                         matcher: Matcher) -> None:
    with Receiver() as receiver:
        receiver.mode = "down"
        kiosk = Kiosk(tmp_path, matcher, adapter=WebhookAdapter(receiver.checkins_url, timeout_s=2))
        result = kiosk.session.run()
        assert (result.outcome, result.message_key) == (QUEUED, "upstream.unavailable")
        assert receiver.accepted == {}
        receiver.mode = "up"
        kiosk.outbox.retry()
        kiosk.outbox.deliver_due(lambda profile: kiosk.adapter)
        kiosk.outbox.retry()
        assert kiosk.outbox.deliver_due(lambda profile: kiosk.adapter) == []
        assert list(receiver.accepted) == [result.checkin_id]
        body = receiver.accepted[result.checkin_id]
        assert body["person"]["full_name"] == demo_citizen().full_name
        assert body["evidence"]["face_match"] is True and body["evidence"]["active_authentication"] == "valid"


def test_cancel_stops_at_the_next_step(tmp_path: Path, matcher: Matcher) -> None:
    kiosk: Kiosk

    def keys(attempt: int) -> KeyInput:
        kiosk.session.cancel()
        return GOOD_KEY

    kiosk = Kiosk(tmp_path, matcher, keys=keys)
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (CANCELLED, FailureKind.CANCELLED, Step.CHIP)
    assert kiosk.outbox.status().pending == 0
    kiosk.session._keys = lambda attempt: GOOD_KEY  # the cancel flag is cleared when the next run starts
    assert kiosk.session.run().outcome == CHECKED_IN


def test_an_unexpected_failure_returns_to_ready(tmp_path: Path, matcher: Matcher) -> None:
    def broken_camera():
        raise RuntimeError("driver crashed")

    kiosk = Kiosk(tmp_path, matcher, camera=broken_camera)
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (ERROR, FailureKind.RETRY, Step.FACE)
    kiosk.session._camera = demo_frames
    assert kiosk.session.run().outcome == CHECKED_IN


def test_declining_consent_stops_before_the_camera_or_the_key(tmp_path: Path, matcher: Matcher) -> None:
    opened, asked = [], []

    def camera():
        opened.append(True)
        return demo_frames()

    def keys(attempt: int) -> KeyInput:  # the card's QR code would be read through the camera
        asked.append(attempt)
        return GOOD_KEY

    kiosk = Kiosk(tmp_path, matcher, camera=camera, keys=keys)
    kiosk.session._consent = lambda: False
    result = kiosk.session.run()
    assert (result.outcome, result.failure.kind, result.failed_step) == (REFUSED, FailureKind.DECLINED, Step.CONSENT)
    assert opened == [] and asked == []


def test_a_still_photo_fails_the_liveness_challenge(tmp_path: Path, matcher: Matcher) -> None:
    from biometrics.liveness import LivenessChecker

    kiosk = Kiosk(tmp_path, matcher, camera=lambda: demo_frames(40))  # 4 s: the prompts are reached
    kiosk.session._liveness = LivenessChecker(matcher.engine)
    result = kiosk.session.run()  # the demo camera is one still picture: no head turn
    assert (result.outcome, result.failure.kind, result.failed_step) == (
        REFUSED, FailureKind.FACE_REFUSED, Step.LIVENESS)
    challenge = [e for e in kiosk.events if e.state == EventState.CHALLENGE]
    assert challenge and challenge[0].message_key in ("face.liveness.turn_left", "face.liveness.turn_right")
    assert challenge[0].data["prompt"] == 0
