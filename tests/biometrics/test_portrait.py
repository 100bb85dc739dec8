"""Portrait decoding (JPEG, JP2, J2K, PNG), chip-like portraits and the demo face."""

from __future__ import annotations

import dataclasses
import io

import cv2
import numpy as np
import pytest

from biometrics.errors import PortraitUndecodable
from biometrics.portrait import (
    CHIP_MAX_BYTES,
    CHIP_MIN_BYTES,
    JP2_SIGNATURE,
    Portrait,
    decode_portrait,
    demo_face_rgb,
    load_portrait,
)


def _encode(rgb: np.ndarray, ext: str) -> bytes:
    ok, buf = cv2.imencode(ext, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    return buf.tobytes()


def test_demo_face_is_skimage_astronaut(astronaut):
    from skimage import data

    assert astronaut.shape == (512, 512, 3) and astronaut.dtype == np.uint8
    assert np.array_equal(astronaut, data.astronaut())
    assert not astronaut.flags.writeable
    assert np.array_equal(demo_face_rgb(), astronaut)


@pytest.mark.parametrize(("ext", "fmt"), [(".jpg", "jpeg"), (".jp2", "jp2"), (".png", "png")])
def test_decode_formats_to_rgb(astronaut, ext, fmt):
    p = decode_portrait(_encode(astronaut, ext))
    assert p.format == fmt and (p.width, p.height) == (512, 512) and p.rgb.shape == (512, 512, 3)
    # Colour order is RGB: the astronaut's flag patch region stays close to the source.
    assert np.abs(p.rgb.astype(int) - astronaut.astype(int)).mean() < 8


def test_decode_j2k_codestream(astronaut):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(astronaut).save(buf, "JPEG2000", no_jp2=True, quality_mode="rates", quality_layers=[20])
    data = buf.getvalue()
    assert data[:4] == b"\xff\x4f\xff\x51"
    p = decode_portrait(data)
    assert p.format == "j2k" and p.rgb.shape == (512, 512, 3)
    assert np.abs(p.rgb.astype(int) - astronaut.astype(int)).mean() < 10


def test_grayscale_portrait_becomes_rgb(astronaut):
    gray = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)
    ok, buf = cv2.imencode(".jp2", gray)
    p = decode_portrait(buf.tobytes())
    assert p.rgb.shape == (512, 512, 3)


@pytest.mark.parametrize("data", [b"", b"hello world", b"\xff\xd8\xff" + b"\x00" * 50, JP2_SIGNATURE + b"\x00" * 64,
                                  b"\xff\x4f\xff\x51" + bytes(range(256))])
def test_corrupted_portraits_are_rejected(data):
    with pytest.raises(PortraitUndecodable) as info:
        decode_portrait(data)
    assert info.value.message_key == "face.portrait_undecodable"


def test_truncated_jp2_is_rejected(chip_bytes):
    with pytest.raises(PortraitUndecodable):
        decode_portrait(chip_bytes[: len(chip_bytes) // 8])


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(PortraitUndecodable):
        load_portrait(tmp_path / "nope.jp2")


def test_portrait_is_frozen(chip_bytes):
    p = decode_portrait(chip_bytes)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.format = "jpeg"  # type: ignore[misc]
    assert not p.rgb.flags.writeable


def test_chip_like_portrait_shape_size_and_format(chip_bytes):
    assert chip_bytes.startswith(JP2_SIGNATURE)
    assert CHIP_MIN_BYTES <= len(chip_bytes) <= CHIP_MAX_BYTES
    p = decode_portrait(chip_bytes)
    assert p.width <= 240 and p.height <= 320 and p.format == "jp2"


def test_chip_like_portrait_is_centred_and_upright(chip_bytes, engine):
    from biometrics.faces import find_main_face
    from biometrics.quality import measure

    p = decode_portrait(chip_bytes)
    obs = find_main_face(engine, p.rgb, where="portrait")
    q = measure(p.rgb, obs)
    centre_x = (obs.detection.left + obs.detection.right) / 2
    assert abs(centre_x - p.width / 2) < 0.1 * p.width
    assert abs(q.roll) < 5 and abs(q.yaw) < 0.15
    assert 0.4 * p.width < obs.detection.width < 0.8 * p.width


def test_chip_like_portrait_matches_its_source(chip_bytes, matcher, astronaut):
    v = matcher.decide(decode_portrait(chip_bytes), astronaut)
    assert v.match and v.distance < 0.3


def test_chip_like_rejects_faceless_photo(engine):
    from skimage import data

    from biometrics.errors import NoFaceFound
    from biometrics.portrait import make_chip_like

    with pytest.raises(NoFaceFound) as info:
        make_chip_like(data.coffee(), engine)
    assert info.value.where == "portrait"


def test_portrait_from_rgb_array(astronaut):
    p = Portrait.from_rgb(astronaut)
    assert p.format == "array" and p.size_bytes == 0 and p.rgb.shape == (512, 512, 3)
