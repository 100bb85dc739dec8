"""DG2 (ICAO 9303-10 §4.7.2): the portrait, a CBEFF biometric template holding ISO/IEC 19794-5 face records.

``75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E block } ... } }``; each block is a 'FAC\\0' record with
one or more faces. The image bytes are kept exactly as stored; their format comes from their magic bytes
(the record's own image-type byte is not trusted), so the decoder downstream gets what it can open.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from nfc.errors import ParseError
from nfc.lds.tlv import encode_tlv, parse_all, unwrap

TAG = 0x75
_GROUP = 0x7F61
_COUNT = 0x02
_INSTANCE = 0x7F60
_HEADER = 0xA1
_BLOCK = 0x5F2E
_BLOCK_CONSTRUCTED = 0x7F2E

_FORMAT_ID = b"FAC\x00"
_VERSION = b"010\x00"
_RECORD_HEADER = 14  # format id, version, record length (4), face count (2)
_FACE_HEADER = 20
_FEATURE_POINT = 8
_IMAGE_INFO = 12

JPEG = "jpeg"
JPEG2000 = "jpeg2000"
_IMAGE_DATA_TYPE = {JPEG: 0, JPEG2000: 1}

# ICAO 9303-10 biometric header template: header version 0101, type 02 (face), format owner 0101
# (ISO/IEC JTC 1/SC 37), format type 0008 (face image).
_DEFAULT_HEADER = (encode_tlv(0x80, b"\x01\x01") + encode_tlv(0x81, b"\x02") + encode_tlv(0x87, b"\x01\x01")
                   + encode_tlv(0x88, b"\x00\x08"))


def image_format(image: bytes) -> str:
    """"jpeg" or "jpeg2000" from the image's magic bytes; ParseError for anything else."""
    if image[:2] == b"\xff\xd8":
        return JPEG
    if image[:8] == bytes.fromhex("0000000C6A502020") or image[:4] == bytes.fromhex("FF4FFF51"):
        return JPEG2000
    raise ParseError("DG2 image is neither JPEG nor JPEG 2000")


@dataclass(frozen=True)
class FaceImage:
    """One face of a 19794-5 record: the image exactly as stored, its format and size, and its header fields."""

    image: bytes
    format: str  # "jpeg" or "jpeg2000"
    width: int
    height: int
    gender: int = 0
    eye_colour: int = 0
    hair_colour: int = 0
    feature_mask: int = 0
    expression: int = 0
    pose_angle: bytes = b"\x00\x00\x00"
    pose_angle_uncertainty: bytes = b"\x00\x00\x00"
    feature_points: bytes = b""  # 8 bytes per point, kept as stored
    face_image_type: int = 1  # 1 = full frontal
    image_data_type: int = 0  # 0 = JPEG, 1 = JPEG 2000
    colour_space: int = 1  # 1 = 24-bit RGB
    source_type: int = 2  # 2 = digital camera
    device_type: int = 0
    quality: int = 0

    def __repr__(self) -> str:
        return f"FaceImage(format={self.format!r}, width={self.width}, height={self.height}, {len(self.image)} bytes)"

    def encode(self) -> bytes:
        """The facial record data block (face header, feature points, image info, image)."""
        if len(self.feature_points) % _FEATURE_POINT:
            raise ValueError("feature points are 8 bytes each")
        length = _FACE_HEADER + len(self.feature_points) + _IMAGE_INFO + len(self.image)
        return (struct.pack(">IHBBB", length, len(self.feature_points) // _FEATURE_POINT, self.gender,
                            self.eye_colour, self.hair_colour)
                + self.feature_mask.to_bytes(3, "big") + struct.pack(">H", self.expression)
                + bytes(self.pose_angle) + bytes(self.pose_angle_uncertainty) + self.feature_points
                + struct.pack(">BBHHBBHH", self.face_image_type, self.image_data_type, self.width, self.height,
                              self.colour_space, self.source_type, self.device_type, self.quality)
                + self.image)


def _parse_face(data: bytes, offset: int, end: int) -> tuple[FaceImage, int]:
    if offset + _FACE_HEADER > end:
        raise ParseError("DG2 face record truncated in its header")
    length, points, gender, eye, hair = struct.unpack_from(">IHBBB", data, offset)
    mask = int.from_bytes(data[offset + 9:offset + 12], "big")
    (expression,) = struct.unpack_from(">H", data, offset + 12)
    pose, uncertainty = data[offset + 14:offset + 17], data[offset + 17:offset + 20]
    fp_end = offset + _FACE_HEADER + points * _FEATURE_POINT
    if length < _FACE_HEADER + points * _FEATURE_POINT + _IMAGE_INFO or offset + length > end:
        raise ParseError("DG2 face record has a bad length")
    info = struct.unpack_from(">BBHHBBHH", data, fp_end)
    image = data[fp_end + _IMAGE_INFO:offset + length]
    face = FaceImage(
        image=image, format=image_format(image), width=info[2], height=info[3], gender=gender, eye_colour=eye,
        hair_colour=hair, feature_mask=mask, expression=expression, pose_angle=pose,
        pose_angle_uncertainty=uncertainty, feature_points=data[offset + _FACE_HEADER:fp_end],
        face_image_type=info[0], image_data_type=info[1], colour_space=info[4], source_type=info[5],
        device_type=info[6], quality=info[7],
    )
    return face, offset + length


def parse_face_record(block: bytes) -> tuple[FaceImage, ...]:
    """Every face of an ISO/IEC 19794-5 'FAC\\0' record."""
    if len(block) < _RECORD_HEADER:
        raise ParseError("DG2 face record truncated in its header")
    if block[0:4] != _FORMAT_ID:
        raise ParseError("DG2 biometric data block is not a 19794-5 face record")
    if block[4:8] != _VERSION:
        raise ParseError("DG2 face record version is not 010")
    record_length, count = struct.unpack_from(">IH", block, 8)
    if record_length > len(block) or record_length < _RECORD_HEADER:
        raise ParseError("DG2 face record length does not match the data")
    if count == 0:
        raise ParseError("DG2 face record holds no face")
    faces: list[FaceImage] = []
    offset = _RECORD_HEADER
    for _ in range(count):
        face, offset = _parse_face(block, offset, record_length)
        faces.append(face)
    return tuple(faces)


def encode_face_record(faces: tuple[FaceImage, ...] | list[FaceImage]) -> bytes:
    """A 'FAC\\0' record holding ``faces``."""
    body = b"".join(f.encode() for f in faces)
    return _FORMAT_ID + _VERSION + struct.pack(">IH", _RECORD_HEADER + len(body), len(faces)) + body


@dataclass(frozen=True)
class BiometricRecord:
    """One biometric information template (7F60): its header (A1 value, as stored) and its faces."""

    faces: tuple[FaceImage, ...]
    header: bytes = _DEFAULT_HEADER

    def encode(self) -> bytes:
        return encode_tlv(_INSTANCE, encode_tlv(_HEADER, self.header)
                          + encode_tlv(_BLOCK, encode_face_record(self.faces)))


def _parse_instance(value: bytes) -> BiometricRecord:
    header: bytes | None = None
    block: bytes | None = None
    for tag, item in parse_all(value):
        if tag == _HEADER and header is None:
            header = item
        elif tag in (_BLOCK, _BLOCK_CONSTRUCTED) and block is None:
            block = item
        else:
            raise ParseError(f"DG2 biometric template has an unexpected tag {tag:X}")
    if header is None or block is None:
        raise ParseError("DG2 biometric template lacks its header or its data block")
    parse_all(header)  # the header must at least be well-formed TLV
    return BiometricRecord(parse_face_record(block), header)


@dataclass(frozen=True)
class Dg2:
    """DG2: every biometric record and face it holds; the first face is the portrait."""

    records: tuple[BiometricRecord, ...]

    @property
    def faces(self) -> tuple[FaceImage, ...]:
        return tuple(f for r in self.records for f in r.faces)

    @property
    def portrait(self) -> FaceImage:
        return self.records[0].faces[0]

    @classmethod
    def parse(cls, data: bytes) -> Dg2:
        items = parse_all(unwrap(data, TAG, "DG2"))
        groups = [v for t, v in items if t == _GROUP]
        if len(groups) != 1 or any(t not in (_GROUP, _COUNT) for t, _ in items):
            raise ParseError("DG2 does not hold exactly one biometric information group template")
        group = parse_all(groups[0])
        if not group or group[0][0] != _COUNT or len(group[0][1]) != 1:
            raise ParseError("DG2 group template does not start with its instance count")
        count = group[0][1][0]
        instances = group[1:]
        if any(t != _INSTANCE for t, _ in instances):
            raise ParseError("DG2 group template holds something other than biometric templates")
        if count != len(instances) or count == 0:
            raise ParseError("DG2 instance count does not match the templates present")
        return cls(tuple(_parse_instance(v) for _, v in instances))

    @classmethod
    def build(cls, image: bytes, width: int, height: int, format: str | None = None) -> Dg2:
        """A one-portrait DG2 around ``image`` (JPEG or JPEG 2000 bytes), as a CCCD would carry it."""
        detected = image_format(image)
        if format is not None and format != detected:
            raise ValueError(f"image bytes are {detected}, not {format}")
        face = FaceImage(image=bytes(image), format=detected, width=width, height=height,
                         image_data_type=_IMAGE_DATA_TYPE[detected])
        return cls((BiometricRecord((face,)),))

    def encode(self) -> bytes:
        body = encode_tlv(_COUNT, bytes([len(self.records)])) + b"".join(r.encode() for r in self.records)
        return encode_tlv(TAG, encode_tlv(_GROUP, body))
