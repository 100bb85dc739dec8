"""The one error hierarchy of :mod:`biometrics`.

Every error carries ``message_key`` (what the screen shows, translated by ``ui/``), ``step`` (where in
the face step it happened, for staff) and ``detail`` (a plain sentence for logs; no personal data).
"""

from __future__ import annotations


class BiometricsError(Exception):
    """Base of every error raised by :mod:`biometrics`."""

    message_key = "face.error"
    step = "face"

    def __init__(self, detail: str = "", *, step: str | None = None) -> None:
        super().__init__(detail or self.__class__.__doc__ or self.message_key)
        self.detail = detail
        if step is not None:
            self.step = step


class ModelsUnavailable(BiometricsError):
    """The face models (dlib / face_recognition / face_recognition_models) cannot be loaded."""

    message_key = "face.models_unavailable"
    step = "models"


class PortraitUndecodable(BiometricsError):
    """The chip portrait is not a decodable JPEG / JPEG 2000 / PNG image."""

    message_key = "face.portrait_undecodable"
    step = "portrait"


class PortraitTooLarge(PortraitUndecodable):
    """The portrait's header claims more pixels than a portrait has: refused before decoding."""


class ImageUndecodable(BiometricsError):
    """A live image or video file could not be read or decoded."""

    message_key = "face.image_undecodable"
    step = "live"


class ImageTooLarge(ImageUndecodable):
    """The image's header claims more pixels than the cap: refused before decoding."""


class FrameSourceError(BiometricsError):
    """The camera, video file or image folder cannot deliver frames."""

    message_key = "face.camera_unavailable"
    step = "camera"


class DemoFaceUnavailable(BiometricsError):
    """The built-in demo face (scikit-image's astronaut) is not installed."""

    message_key = "face.demo_unavailable"
    step = "demo"


class NoUsableFace(BiometricsError):
    """No face good enough to decide on (exit status 5 of ``python -m kiosk verify``).

    ``reason`` is one of :data:`REASONS`; ``where`` is ``"portrait"`` or ``"live"``.
    """

    reason = "no_usable_face"
    message_key = "face.no_usable_face"

    def __init__(self, detail: str = "", *, where: str = "live") -> None:
        super().__init__(detail, step=where)
        self.where = where


class NoFaceFound(NoUsableFace):
    """No face was found."""

    reason = "none_found"
    message_key = "face.none_found"


class SeveralFaces(NoUsableFace):
    """Several faces of similar size were found; the check needs one person."""

    reason = "several_faces"
    message_key = "face.several_faces"


class FaceTooSmall(NoUsableFace):
    """The face is too small (too far from the camera, or a tiny portrait)."""

    reason = "too_small"
    message_key = "face.too_small"


class FaceTooBlurred(NoUsableFace):
    """The face is too blurred."""

    reason = "too_blurred"
    message_key = "face.too_blurred"


class BadExposure(NoUsableFace):
    """The face is too dark or too bright."""

    reason = "bad_exposure"
    message_key = "face.bad_exposure"


class NotFrontal(NoUsableFace):
    """The face is turned too far away from the camera."""

    reason = "not_frontal"
    message_key = "face.not_frontal"


REASONS = ("none_found", "several_faces", "too_small", "too_blurred", "bad_exposure", "not_frontal")
