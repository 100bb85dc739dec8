"""Image dimensions read from the header, before anything is decoded.

A chip's DG2 comes from the card, so its image is hostile input: a 631-byte JPEG may claim 20000×20000
pixels, and a decoder asked to decode it first allocates what it claims (2.3 GB, seconds of work). Reading
the frame header (JPEG SOF, JPEG 2000 SIZ and the JP2 ``ihdr`` box, PNG ``IHDR``) lets
:mod:`biometrics.portrait` refuse such an image at once. Layouts: ITU-T T.81 (JPEG) B.2, ITU-T T.800
(JPEG 2000) A.5.1 and I.5.3, ISO/IEC 15948 (PNG) 11.2.2.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

MAX_COMPONENTS = 4  # gray, RGB, RGBA / CMYK
MAX_TILES = 65_535  # the most a JPEG 2000 codestream may hold (T.800 A.4.2)

# start-of-frame markers: baseline, extended, progressive, lossless, hierarchical and arithmetic variants
# (C4 DHT, C8 JPG and CC DAC share the range but are not frame headers)
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length follows
_JPEG_SOS, _JPEG_EOI, _JPEG_SOI = 0xDA, 0xD9, 0xD8
_J2K_SOC_SIZ = b"\xff\x4f\xff\x51"
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class MalformedHeader(ValueError):
    """The header does not give the image's dimensions (truncated, inconsistent or absent)."""


@dataclass(frozen=True)
class ImageSize:
    width: int
    height: int
    components: int
    tiles: int = 1

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _u16(data: bytes, at: int) -> int:
    if at + 2 > len(data):
        raise MalformedHeader(f"the header ends at byte {len(data)}")
    return int.from_bytes(data[at:at + 2], "big")


def _u32(data: bytes, at: int) -> int:
    if at + 4 > len(data):
        raise MalformedHeader(f"the header ends at byte {len(data)}")
    return int.from_bytes(data[at:at + 4], "big")


def _checked(size: ImageSize, what: str) -> ImageSize:
    if size.width < 1 or size.height < 1:
        raise MalformedHeader(f"the {what} header gives a size of {size.width}×{size.height}")
    if not 1 <= size.components <= MAX_COMPONENTS:
        raise MalformedHeader(f"the {what} header gives {size.components} colour components")
    return size


def jpeg_size(data: bytes) -> ImageSize:
    """From the first start-of-frame segment (markers before it are skipped by their lengths)."""
    if not data.startswith(b"\xff\xd8"):
        raise MalformedHeader("not a JPEG (no SOI marker)")
    pos = 2
    while pos < len(data):
        while pos < len(data) and data[pos] != 0xFF:  # stray bytes before a marker: libjpeg skips them too
            pos += 1
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            break
        marker = data[pos]
        pos += 1
        if marker in _JPEG_STANDALONE or marker == _JPEG_SOI:
            continue
        if marker in (_JPEG_SOS, _JPEG_EOI):
            break
        length = _u16(data, pos)
        if length < 2:
            raise MalformedHeader(f"a JPEG segment at byte {pos} has length {length}")
        if marker in _JPEG_SOF:
            if length < 8:
                raise MalformedHeader("the JPEG frame header is too short")
            return _checked(ImageSize(width=_u16(data, pos + 5), height=_u16(data, pos + 3),
                                      components=data[pos + 7] if pos + 7 < len(data) else 0), "JPEG")
        pos += length
    raise MalformedHeader("no JPEG frame header (SOF) before the image data")


def j2k_size(data: bytes, start: int = 0) -> ImageSize:
    """From the SIZ segment that must follow SOC at the start of a JPEG 2000 codestream."""
    if data[start:start + 4] != _J2K_SOC_SIZ:
        raise MalformedHeader("the JPEG 2000 codestream does not begin with SOC and SIZ")
    at = start + 4
    if _u16(data, at) < 41:
        raise MalformedHeader("the JPEG 2000 SIZ segment is too short")
    x, y, x0, y0 = (_u32(data, at + 4 + 4 * i) for i in range(4))
    tile_w, tile_h, tile_x0, tile_y0 = (_u32(data, at + 20 + 4 * i) for i in range(4))
    components = _u16(data, at + 36)
    if x0 >= x or y0 >= y or tile_w == 0 or tile_h == 0 or tile_x0 > x0 or tile_y0 > y0:
        raise MalformedHeader("the JPEG 2000 SIZ segment gives an inconsistent image or tile grid")
    tiles = -(-(x - tile_x0) // tile_w) * -(-(y - tile_y0) // tile_h)
    if tiles > MAX_TILES:
        raise MalformedHeader(f"the JPEG 2000 codestream claims {tiles} tiles")
    for c in range(min(components, MAX_COMPONENTS)):
        if at + 38 + 3 * c + 3 > len(data) or 0 in data[at + 39 + 3 * c:at + 41 + 3 * c]:
            raise MalformedHeader("a JPEG 2000 component has no or a zero subsampling")
    return _checked(ImageSize(x - x0, y - y0, components, tiles), "JPEG 2000")


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """``(type, content start, content end)`` of the JP2 boxes in ``data[start:end]``."""
    pos = start
    while pos + 8 <= end:
        length, kind, header = _u32(data, pos), data[pos + 4:pos + 8], 8
        if length == 1:
            length, header = int.from_bytes(data[pos + 8:pos + 16], "big"), 16
        elif length == 0:
            length = end - pos  # the last box runs to the end
        if length < header or pos + length > end:
            raise MalformedHeader(f"the JP2 box {kind!r} at byte {pos} runs past its container")
        yield kind, pos + header, pos + length
        pos += length


def jp2_size(data: bytes) -> ImageSize:
    """The JP2 header box's ``ihdr`` and the codestream's own SIZ, which must agree (the decoder uses SIZ)."""
    if not data.startswith(_JP2_SIGNATURE):
        raise MalformedHeader("not a JP2 file (no signature box)")
    declared = codestream = None
    for kind, begin, end in _boxes(data, 0, len(data)):
        if kind == b"jp2h":
            for sub, sub_begin, _ in _boxes(data, begin, end):
                if sub == b"ihdr":
                    declared = (_u32(data, sub_begin + 4), _u32(data, sub_begin), _u16(data, sub_begin + 8))
        elif kind == b"jp2c":
            codestream = j2k_size(data, begin)
            break
    if declared is None or codestream is None:
        raise MalformedHeader("the JP2 file has no image header box or no codestream")
    if declared != (codestream.width, codestream.height, codestream.components):
        raise MalformedHeader("the JP2 image header and its codestream give different sizes")
    return codestream


def png_size(data: bytes) -> ImageSize:
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise MalformedHeader("not a PNG (no IHDR chunk first)")
    colour_type = data[25] if len(data) > 25 else -1
    components = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}.get(colour_type, 0)
    return _checked(ImageSize(_u32(data, 16), _u32(data, 20), components), "PNG")


SIZE_READERS = {"jpeg": jpeg_size, "jp2": jp2_size, "j2k": j2k_size, "png": png_size}
