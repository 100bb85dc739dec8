"""The CCCD QR code is found in a camera frame and its Vietnamese text survives."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from biometrics.frames import Frame
from kiosk.qr import decode_qr, find_cccd_qr

TEXT = "001303004567|012345678|Nguyễn Thị An|14052003|Nữ|Số 12 Phố Hàng Bạc, Hà Nội|10042021"


def qr_frame(text: str, angle: float = 0.0) -> np.ndarray:
    encoder = cv2.QRCodeEncoder.create()
    code = encoder.encode(text)
    code = cv2.resize(code, (code.shape[1] * 6, code.shape[0] * 6), interpolation=cv2.INTER_NEAREST)
    frame = np.full((480, 640), 200, np.uint8)
    y, x = (480 - code.shape[0]) // 2, (640 - code.shape[1]) // 2
    frame[y : y + code.shape[0], x : x + code.shape[1]] = code
    if angle:
        m = cv2.getRotationMatrix2D((320, 240), angle, 1.0)
        frame = cv2.warpAffine(frame, m, (640, 480), borderValue=200)
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)


@pytest.mark.parametrize("angle", [0, 3, 5, 12, -20])
def test_qr_text_is_decoded_with_diacritics(angle: float) -> None:
    assert decode_qr(qr_frame(TEXT, angle)) == TEXT


def test_cccd_qr_is_found_among_frames_and_others_are_skipped() -> None:
    frames = [Frame(np.zeros((480, 640, 3), np.uint8), 0, 0.0), Frame(qr_frame("https://example.org"), 1, 0.1),
              Frame(qr_frame(TEXT), 2, 0.2)]
    qr = find_cccd_qr(frames)
    assert qr is not None and qr.full_name == "Nguyễn Thị An" and qr.access_key().can == "004567"


def test_no_qr_gives_none() -> None:
    assert find_cccd_qr([Frame(np.zeros((100, 100, 3), np.uint8), 0, 0.0)]) is None


def test_field_variants_are_read_from_the_camera() -> None:
    six = "\ufeff001303004567|Nguyễn Thị An|14/05/2003|Nữ|Hà Nội|10/04/2021|"
    qr = find_cccd_qr([Frame(qr_frame(six), 0, 0.0)])
    assert qr is not None and qr.full_name == "Nguyễn Thị An" and qr.old_id_number is None


def test_a_qr_code_with_other_digits_is_passed_over_not_a_crash() -> None:
    frames = [Frame(qr_frame("٠٠١٣٠٣٠٠٤٥٦٧||Nguyễn Thị An"), 0, 0.0), Frame(qr_frame("²²²303004567||An"), 1, 0.1),
              Frame(qr_frame(TEXT), 2, 0.2)]
    qr = find_cccd_qr(frames)
    assert qr is not None and qr.id_number == "001303004567"
