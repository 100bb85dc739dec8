"""Find and read the CCCD QR code in camera frames (OpenCV's QRCodeDetector keeps UTF-8 intact); its text
is parsed by :func:`kiosk.keys.parse_qr` (docs/cccd-qr.md)."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from biometrics.frames import Frame
from kiosk.keys import QrData, parse_qr
from nfc.errors import AccessKeyError

_DETECTORS = (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector())


def decode_qr(rgb: np.ndarray) -> str | None:
    """The text of a QR code in one RGB frame, or None.

    The ArUco-based detector finds axis-aligned codes that the classic one misses (measured in
    tests/kiosk/test_qr.py); the classic one is kept as a second try.
    """
    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    for detector in _DETECTORS:
        text, _, _ = detector.detectAndDecode(gray)
        if text:
            return text
    return None


def find_cccd_qr(frames: Iterable[Frame], max_frames: int = 60) -> QrData | None:
    """The first CCCD QR code seen in up to ``max_frames`` frames; other QR codes are passed over."""
    for count, frame in enumerate(frames):
        if count >= max_frames:
            break
        text = decode_qr(frame.rgb)
        if text is None:
            continue
        try:
            return parse_qr(text)
        except AccessKeyError:
            continue
    return None
