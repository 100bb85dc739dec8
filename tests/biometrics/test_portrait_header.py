"""Portrait dimensions are read from the header and checked before decoding: an image claiming more pixels
than a portrait has is refused at once, and whatever the bytes, decoding ends in a portrait or a typed error."""

from __future__ import annotations

import contextlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biometrics.errors import ImageTooLarge, ImageUndecodable, PortraitTooLarge, PortraitUndecodable
from biometrics.image_header import ImageSize, MalformedHeader, j2k_size, jp2_size, jpeg_size, png_size
from biometrics.portrait import decode_portrait, header_size, load_portrait, read_image_rgb, sniff_format

RNG = np.random.default_rng(7)
SMALL = RNG.integers(0, 255, (48, 80, 3), dtype=np.uint8)  # 80 wide, 48 high


def encode(ext: str, rgb: np.ndarray = SMALL) -> bytes:
    ok, buf = cv2.imencode(ext, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    return buf.tobytes()


JPEG, JP2, PNG = encode(".jpg"), encode(".jp2"), encode(".png")
J2K = JP2[JP2.find(b"\xff\x4f\xff\x51"):]
SEEDS = {"jpeg": JPEG, "jp2": JP2, "j2k": J2K, "png": PNG}


@pytest.mark.parametrize("fmt", SEEDS)
def test_the_header_gives_the_decoded_size(fmt: str) -> None:
    data = SEEDS[fmt]
    assert sniff_format(data) == fmt
    assert header_size(data, fmt) == ImageSize(80, 48, 3)
    portrait = decode_portrait(data)
    assert (portrait.width, portrait.height, portrait.format) == (80, 48, fmt)


def _claim(data: bytes, fmt: str, width: int, height: int) -> bytes:
    """``data`` with its header (and for JP2 both ihdr and SIZ) claiming ``width``×``height``."""
    out = bytearray(data)
    if fmt == "jpeg":
        at = out.find(b"\xff\xc0")
        out[at + 5:at + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    if fmt in ("jp2", "j2k"):
        at = out.find(b"\xff\x4f\xff\x51") + 8  # Xsiz, Ysiz (offsets are 0 in what OpenCV writes)
        out[at:at + 8] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    if fmt == "jp2":
        at = out.find(b"ihdr") + 4
        out[at:at + 8] = height.to_bytes(4, "big") + width.to_bytes(4, "big")
    if fmt == "png":
        out[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    return bytes(out)


def test_a_631_byte_jpeg_claiming_20000_by_20000_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = encode(".jpg", np.zeros((8, 8, 3), np.uint8))
    bomb = _claim(tiny, "jpeg", 20000, 20000)
    assert len(bomb) == 631 and jpeg_size(bomb) == ImageSize(20000, 20000, 3)

    def no_decoding(*args, **kwargs):
        raise AssertionError("the decoder was reached")

    monkeypatch.setattr(cv2, "imdecode", no_decoding)
    with pytest.raises(PortraitTooLarge, match="20000×20000") as info:
        decode_portrait(bomb)
    assert info.value.message_key == "face.portrait_undecodable"


@pytest.mark.parametrize("fmt", SEEDS)
def test_every_format_claiming_too_many_pixels_is_refused(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cv2, "imdecode", lambda *a, **k: pytest.fail("the decoder was reached"))
    with pytest.raises(PortraitTooLarge):
        decode_portrait(_claim(SEEDS[fmt], fmt, 5000, 5000))


def test_a_jp2_whose_header_box_and_codestream_disagree_is_refused() -> None:
    at = JP2.find(b"ihdr") + 4
    lying = JP2[:at] + (48).to_bytes(4, "big") + (4000).to_bytes(4, "big") + JP2[at + 8:]
    with pytest.raises(MalformedHeader, match="different sizes"):
        jp2_size(lying)
    with pytest.raises(PortraitUndecodable, match="different sizes"):
        decode_portrait(_claim(JP2, "j2k", 4000, 4000))  # SIZ alone changed


@pytest.mark.parametrize(("reader", "data", "reason"), [
    (jpeg_size, b"\xff\xd8\xff\xda", "no JPEG frame header"),
    (jpeg_size, b"\xff\xd8\xff\xc0\x00\x01", "length 1"),
    (jpeg_size, JPEG[:JPEG.find(b"\xff\xc0") + 6], "ends at byte"),
    (j2k_size, J2K[:20], "ends at byte"),
    (j2k_size, J2K[:24] + (0).to_bytes(4, "big") + J2K[28:], "inconsistent"),  # XTsiz 0
    (j2k_size, J2K[:8] + (5000).to_bytes(4, "big") * 2 + J2K[16:24] + (1).to_bytes(4, "big") * 2 + J2K[32:],
     "25000000 tiles"),  # 1-pixel tiles
    (jp2_size, JP2[:40], "runs past|no image header"),
    (png_size, PNG[:20], "ends at byte"),
    (png_size, PNG[:16] + bytes(8) + PNG[24:], "size of 0×0"),
])
def test_malformed_headers_say_what_is_wrong(reader, data: bytes, reason: str) -> None:
    with pytest.raises(MalformedHeader, match=reason):
        reader(data)
    with pytest.raises(PortraitUndecodable):
        decode_portrait(data)


_EDITS = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 8), st.binary(max_size=6)), min_size=1, max_size=6)


@given(st.sampled_from(sorted(SEEDS)), _EDITS)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_mutated_portrait_decodes_or_is_a_typed_error(fmt: str, edits) -> None:
    data = bytearray(SEEDS[fmt])
    for at, cut, insert in edits:
        at = min(at, len(data))
        data[at:at + cut] = insert
    try:
        portrait = decode_portrait(bytes(data))
    except PortraitUndecodable:
        return
    assert portrait.width * portrait.height <= 4_000_000


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_bytes_decode_or_are_a_typed_error(data: bytes) -> None:
    for prefix in (b"", b"\xff\xd8\xff", b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51"):
        with contextlib.suppress(PortraitUndecodable):
            decode_portrait(prefix + data)


def test_files_that_are_folders_or_too_large_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(PortraitUndecodable, match="folder"):
        load_portrait(tmp_path)
    with pytest.raises(ImageUndecodable, match="folder"):
        read_image_rgb(tmp_path)
    huge = tmp_path / "huge.png"
    huge.write_bytes(_claim(PNG, "png", 20000, 20000))
    with pytest.raises(ImageTooLarge):
        read_image_rgb(huge)
    with pytest.raises(PortraitTooLarge):
        load_portrait(huge)
