"""Wire one kiosk from a profile and the hardware at hand: card source, key source, camera, matcher,
adapter, outbox, audit log. The CLI (``check``, ``run``, ``demo``) and the UI share this."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from biometrics.capture_worker import worker_capture
from biometrics.errors import BiometricsError
from biometrics.frames import ArraySource, Frame, FrameSource, open_source
from biometrics.liveness import LivenessChecker
from biometrics.matcher import Matcher, MatcherConfig
from biometrics.portrait import demo_face_rgb
from kiosk.adapters.base import Adapter
from kiosk.adapters.registry import build_adapter
from kiosk.camera import SharedCamera, demo_frames, source_frames
from kiosk.cards import CardSource, PcscCards
from kiosk.delivery import FIRST_ATTEMPT_HOLD_S
from kiosk.errors import KeyNotFound, UsageError
from kiosk.key_source import KeyInput, KeySource
from kiosk.outbox import Outbox, OutboxError, profile_key
from kiosk.qr import find_cccd_qr
from kiosk.session import CheckInSession, SessionConfig, SessionEvent
from kiosk.settings import Profile
from kiosk.site.metrics import MeteredAudit, metrics_for
from kiosk.store import kiosk_name
from nfc.access import AccessKey
from nfc.errors import NfcError
from nfc.transport import Connection
from nfc.trust.store import TrustStore


@dataclass
class Hardware:
    """Where cards and faces come from: ``cards`` (a PC/SC reader by default) and ``camera``.

    A camera index is opened once, as a :class:`~kiosk.camera.SharedCamera` that the session's QR, face and
    liveness steps (:meth:`frames`) and the screen's preview (:meth:`preview_frames`) all read from;
    :meth:`close` releases it. Video files, image folders and the demo face are opened per use, as before.
    """

    cards: CardSource = field(default_factory=PcscCards)
    camera: str | None = None  # index, video, folder; None: the demo face
    key: AccessKey | None = None  # typed or configured key; None: the card's QR code via the camera
    _shared: SharedCamera | None = field(default=None, init=False, repr=False, compare=False)
    _shared_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def open_card(self) -> Connection:
        return self.cards.open()

    def shared_camera(self) -> SharedCamera | None:
        """The one owner of the camera device when ``camera`` is a camera index (else None)."""
        if self.camera is None or not (str(self.camera).isascii() and str(self.camera).isdigit()):
            return None
        with self._shared_lock:
            if self._shared is None:
                self._shared = SharedCamera.from_spec(int(self.camera))
            return self._shared

    def frames(self, max_frames: int) -> Iterable[Frame]:
        if self.camera is None:
            return ArraySource([demo_face_rgb()], repeat=max_frames).frames()
        shared = self.shared_camera()
        if shared is not None:
            return shared.frames(max_frames)
        return _closing(open_source(self.camera, max_frames=max_frames))

    def preview_frames(self) -> Iterator[np.ndarray]:
        """RGB frames for the screen's live preview: the shared camera, a looped video/folder, or the demo
        face gently moving."""
        shared = self.shared_camera()
        if shared is not None:
            return shared.rgb_frames()
        return source_frames(self.camera) if self.camera is not None else demo_frames()

    def keys(self, attempt: int) -> KeyInput:
        if self.key is not None and attempt == 0:
            return KeyInput(self.key)
        hint = self.cards.key_hint() if self.key is None and self.camera is None else None
        if hint is not None:
            return KeyInput(hint)  # the virtual card's own CAN, as its QR code would give
        try:
            qr = find_cccd_qr(self.frames(60))
        except BiometricsError as exc:  # no usable camera: the number can still be typed
            raise KeyNotFound(f"the camera cannot read the QR code ({exc.message_key}); "
                              "the ID number must be typed") from exc
        if qr is None:
            raise KeyNotFound("no CCCD QR code was seen by the camera; the ID number must be typed")
        return KeyInput(qr.access_key(), qr)

    def close(self) -> None:
        """Release the shared camera (idempotent); a later use opens it again."""
        with self._shared_lock:
            shared, self._shared = self._shared, None
        if shared is not None:
            shared.close()


def _closing(source: FrameSource) -> Iterator[Frame]:
    """A source's frames; the file or device is released when the consumer stops."""
    try:
        yield from source.frames()
    finally:
        source.close()


def trust_store(profile: Profile, hardware: Hardware) -> TrustStore:
    """The profile's CSCAs, plus the anchors the card source brings (the virtual card's test CSCA)."""
    try:
        store = TrustStore.load(profile.csca)
    except NfcError as exc:
        raise UsageError(f"profile {profile.name}: {exc}") from exc
    anchors = hardware.cards.anchors()
    if anchors:
        store = store.with_certificates(list(anchors), source=hardware.cards.describe())
    return store


def build_session(profile: Profile, hardware: Hardware, *,
                  listener: Callable[[SessionEvent], None] = lambda event: None,
                  consent: Callable[[], bool] = lambda: True,
                  keys: KeySource | None = None,
                  adapter: Adapter | None = None) -> tuple[CheckInSession, Outbox]:
    """A ready :class:`CheckInSession` for ``profile`` on ``hardware``, and its outbox.

    ``keys`` is the access-key source (attempt 0, 1, … after the chip refused a key); by default
    ``hardware.keys`` (the configured key or the card's QR code). The screen passes its own, which falls
    back to a keypad. ``adapter`` is the destination, built from the profile unless given: a kiosk that
    also runs the delivery worker shares one (one BHYT login, one roster loaded)."""
    try:  # the key is created only in the data folder; one the profile or the environment names must exist
        key = profile_key(profile)
        outbox = Outbox(profile.outbox_path, key, first_attempt_hold_s=FIRST_ATTEMPT_HOLD_S)
    except OutboxError as exc:  # the key (OutboxKeyError) or the database
        raise UsageError(f"profile {profile.name}: {exc}") from exc
    # the live frames are worked on in a worker process while the chip is read (both cores, no GIL shared)
    matcher = Matcher(config=MatcherConfig(max_frames=profile.face.max_frames),
                      capture_factory=worker_capture) if profile.face.enabled else None
    session = CheckInSession(
        SessionConfig(profile.name, profile.site, profile.policy, face=profile.face.enabled,
                      face_timeout_s=profile.face.timeout_s, max_frames=profile.face.max_frames,
                      retries=profile.retries),
        open_card=hardware.open_card,
        keys=keys if keys is not None else hardware.keys,
        camera=lambda: hardware.frames(profile.face.max_frames),
        matcher=matcher,
        adapter=adapter if adapter is not None else build_adapter(profile),
        outbox=outbox,
        audit=MeteredAudit(profile.audit_path, metrics_for(kiosk_name(profile), profile.name)),
        trust=trust_store(profile, hardware),
        consent=consent,
        liveness=LivenessChecker(matcher.engine) if matcher is not None and profile.face.liveness else None,
        listener=listener,
    )
    return session, outbox


def context_from(args: Mapping[str, str | None]) -> dict[str, str]:
    """What the person gave besides the card (boarding pass text, …), without empty values."""
    return {k: v for k, v in args.items() if v}
