"""Chip portraits (DG2 images): decoding to RGB, chip-like portraits, and the built-in demo face."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from biometrics.errors import (
    BiometricsError,
    DemoFaceUnavailable,
    FaceTooSmall,
    ImageTooLarge,
    ImageUndecodable,
    PortraitTooLarge,
    PortraitUndecodable,
)
from biometrics.image_header import SIZE_READERS, ImageSize, MalformedHeader

JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
J2K_SIGNATURE = b"\xff\x4f\xff\x51"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

CHIP_SIZE = (240, 320)  # width, height: ICAO 9303 token-image size commonly used on chips
CHIP_MIN_BYTES = 8_000
CHIP_MAX_BYTES = 20_000
CHIP_TARGET_BYTES = 14_000
# Pixel caps checked from the header before decoding: a DG2 portrait is a few hundred pixels a side (4 MP
# is ten times a generous one); a photo file given to ``verify`` / ``evaluate`` may be a phone's full frame.
MAX_PORTRAIT_PIXELS = 4_000_000
MAX_IMAGE_PIXELS = 50_000_000
MAX_FILE_BYTES = 100 * 2**20


def sniff_format(data: bytes) -> str | None:
    """``"jpeg"``, ``"jp2"``, ``"j2k"``, ``"png"`` or ``None`` from the first bytes."""
    if data.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if data.startswith(JP2_SIGNATURE):
        return "jp2"
    if data.startswith(J2K_SIGNATURE):
        return "j2k"
    if data.startswith(PNG_SIGNATURE):
        return "png"
    return None


@dataclass(frozen=True, eq=False)
class Portrait:
    """A decoded portrait: ``rgb`` is a read-only H×W×3 uint8 array."""

    rgb: np.ndarray = field(repr=False)
    format: str  # "jpeg" | "jp2" | "j2k" | "png" | "array"
    width: int
    height: int
    size_bytes: int  # encoded size (0 for an array)

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> Portrait:
        arr = as_rgb(rgb)
        return cls(arr, "array", arr.shape[1], arr.shape[0], 0)


def as_rgb(image: np.ndarray) -> np.ndarray:
    """A read-only, contiguous H×W×3 uint8 copy of a gray, RGB or RGBA array."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating) and arr.size and float(arr.max()) <= 1.0:
            arr = arr * 255.0
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    elif arr.ndim == 3 and arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"not an image array: shape {np.asarray(image).shape}")
    out = np.ascontiguousarray(arr).copy()
    out.setflags(write=False)
    return out


def _imdecode_rgb(data: bytes) -> np.ndarray | None:
    buf = np.frombuffer(data, dtype=np.uint8)
    level = cv2.utils.logging.getLogLevel()
    # OpenJPEG's colour-space notice, and its errors on a malformed portrait (which is refused, typed)
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    except cv2.error:
        return None
    finally:
        cv2.utils.logging.setLogLevel(level)
    if bgr is None or bgr.size == 0:
        return None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def header_size(data: bytes, fmt: str | None) -> ImageSize | None:
    """The dimensions the header of a JPEG / JP2 / J2K / PNG claims (None for other formats)."""
    reader = SIZE_READERS.get(fmt) if fmt else None
    return reader(data) if reader else None


def _bounded(data: bytes, fmt: str | None, max_pixels: int, what: str, *,
             malformed: type[BiometricsError], too_large: type[BiometricsError]) -> None:
    """Refuse an image whose header is malformed or claims more than ``max_pixels``, before decoding."""
    try:
        size = header_size(data, fmt)
    except MalformedHeader as exc:
        raise malformed(f"{what} {fmt} header: {exc}") from exc
    if size is not None and size.pixels > max_pixels:
        raise too_large(f"{what} claims {size.width}×{size.height} pixels, more than the {max_pixels:,} allowed")


def decode_portrait(data: bytes, *, max_pixels: int = MAX_PORTRAIT_PIXELS) -> Portrait:
    """Decode DG2 image bytes (JPEG, JP2 file, J2K codestream, or PNG) to a :class:`Portrait`.

    The header is read first: a malformed one, or one claiming more than ``max_pixels``, is refused
    (:class:`PortraitUndecodable`, :class:`PortraitTooLarge`) before the decoder allocates anything."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise PortraitUndecodable("portrait data must be bytes")
    data = bytes(data)
    fmt = sniff_format(data)
    if fmt is None:
        raise PortraitUndecodable("portrait is not JPEG, JPEG 2000 or PNG")
    _bounded(data, fmt, max_pixels, "portrait", malformed=PortraitUndecodable, too_large=PortraitTooLarge)
    rgb = _imdecode_rgb(data)
    if rgb is None:
        raise PortraitUndecodable(f"portrait {fmt} data could not be decoded")
    rgb.setflags(write=False)
    return Portrait(rgb, fmt, rgb.shape[1], rgb.shape[0], len(data))


def _read_file(path: str | os.PathLike[str], max_bytes: int, error: type[BiometricsError], what: str) -> bytes:
    try:
        if Path(path).is_dir():
            raise error(f"{what} file is a folder")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read {what} file: {exc.strerror}") from exc
    if len(data) > max_bytes:
        raise error(f"{what} file is larger than {max_bytes // 2**20} MB")
    return data


def load_portrait(path: str | os.PathLike[str]) -> Portrait:
    """Read and decode a portrait file (a photo given as a portrait may be as large as a phone's frame)."""
    return decode_portrait(_read_file(path, MAX_FILE_BYTES, PortraitUndecodable, "portrait"),
                           max_pixels=MAX_IMAGE_PIXELS)


def read_image_rgb(path: str | os.PathLike[str]) -> np.ndarray:
    """Any image file OpenCV reads, as a read-only RGB array (raises ImageUndecodable)."""
    data = _read_file(path, MAX_FILE_BYTES, ImageUndecodable, "image")
    _bounded(data, sniff_format(data), MAX_IMAGE_PIXELS, "image", malformed=ImageUndecodable, too_large=ImageTooLarge)
    rgb = _imdecode_rgb(data)
    if rgb is None:
        raise ImageUndecodable("image could not be decoded")
    rgb.setflags(write=False)
    return rgb


# --- the built-in demo face ----------------------------------------------------------------------


def demo_face_rgb() -> np.ndarray:
    """The built-in demo face: scikit-image's public-domain ``astronaut`` (512×512 RGB, read-only).

    Read from the file scikit-image ships, without importing scikit-image itself.
    """
    spec = importlib.util.find_spec("skimage")
    paths = list(spec.submodule_search_locations or []) if spec else []
    for base in paths:
        png = Path(base) / "data" / "astronaut.png"
        if png.is_file():
            rgb = _imdecode_rgb(png.read_bytes())
            if rgb is not None:
                rgb.setflags(write=False)
                return rgb
    raise DemoFaceUnavailable("scikit-image (which ships the astronaut image) is not installed")


# --- chip-like portraits -------------------------------------------------------------------------


def icao_crop(rgb: np.ndarray, landmarks5: np.ndarray, size: tuple[int, int] = CHIP_SIZE) -> np.ndarray:
    """An ICAO-style head-and-shoulders crop (eyes level, eye line ~45% from the top), resized to ``size``.

    The distance between the eye centres becomes 23% of the width; a crop reaching past the image
    is padded with the border's colour.
    """
    w_out, h_out = size
    pts = np.asarray(landmarks5, dtype=np.float64)
    image_left_eye = pts[2:4].mean(axis=0)
    image_right_eye = pts[0:2].mean(axis=0)
    centre = (image_left_eye + image_right_eye) / 2.0
    dx, dy = image_right_eye - image_left_eye
    angle = np.degrees(np.arctan2(dy, dx))
    eye_dist = float(np.hypot(dx, dy))
    crop_w = eye_dist / 0.23
    scale = w_out / crop_w
    # Rotate about the eye centre so the eyes are level, scale, then move the eye centre into place.
    m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(angle), float(scale))
    m[0, 2] += w_out / 2.0 - centre[0]
    m[1, 2] += h_out * 0.45 - centre[1]
    return cv2.warpAffine(np.ascontiguousarray(rgb), m, (w_out, h_out), flags=cv2.INTER_AREA,
                          borderMode=cv2.BORDER_REPLICATE)


def encode_jp2(rgb: np.ndarray, *, target_bytes: int = CHIP_TARGET_BYTES, min_bytes: int = CHIP_MIN_BYTES,
               max_bytes: int = CHIP_MAX_BYTES) -> bytes:
    """JPEG 2000 (JP2 file) bytes of ``rgb``, with the compression searched so the size lands in range."""
    bgr = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR)

    def enc(x1000: int) -> bytes:
        ok, buf = cv2.imencode(".jp2", bgr, [cv2.IMWRITE_JPEG2000_COMPRESSION_X1000, x1000])
        if not ok:
            raise RuntimeError("OpenCV cannot encode JPEG 2000")
        return buf.tobytes()

    lo, hi = 1, 1000
    best = enc(hi)
    if len(best) <= max_bytes:
        return best  # a flat image: even lossless is small enough
    while lo <= hi:
        mid = (lo + hi) // 2
        data = enc(mid)
        if abs(len(data) - target_bytes) < abs(len(best) - target_bytes):
            best = data
        if min_bytes <= len(data) <= max_bytes and abs(len(data) - target_bytes) <= 1_500:
            return data
        if len(data) > target_bytes:
            hi = mid - 1
        else:
            lo = mid + 1
    return best


def make_chip_like(rgb: np.ndarray, engine=None, *, size: tuple[int, int] = CHIP_SIZE,
                   target_bytes: int = CHIP_TARGET_BYTES) -> bytes:
    """Chip-like DG2 portrait bytes from any face photo: ICAO-style crop, ≤ 240×320, JPEG 2000, 8–20 KB.

    ``engine`` is a :class:`biometrics.engine.FaceEngine` (the process default if ``None``). Raises
    :class:`NoFaceFound` / :class:`FaceTooSmall` (``where="portrait"``) when the photo has no usable face.
    """
    from biometrics.engine import FaceEngine
    from biometrics.faces import find_main_face

    engine = engine or FaceEngine.default()
    img = as_rgb(rgb)
    face = find_main_face(engine, img, where="portrait", allow_several=True)
    if face.detection.height < 40:
        raise FaceTooSmall(f"face is {face.detection.height}px high; a chip portrait needs 40px", where="portrait")
    crop = icao_crop(img, face.landmarks, size)
    return encode_jp2(crop, target_bytes=target_bytes)


__all__ = [
    "Portrait", "decode_portrait", "load_portrait", "read_image_rgb", "demo_face_rgb", "make_chip_like",
    "icao_crop", "encode_jp2", "sniff_format", "as_rgb",
]
