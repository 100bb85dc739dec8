"""CMS SignedData shared by EF.SOD and CSCA master lists: build -> parse, and malformed input only raises ParseError."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.cms import ID_SIGNING_TIME, SignedData, build_signed_data, parse_signed_data
from nfc.sim.pki import TestPki

NOW = dt.datetime(2025, 6, 1, 12, 30, 5, tzinfo=dt.UTC)
CONTENT_TYPE = "2.23.136.1.1.2"
CONTENT = b"\x30\x03\x02\x01\x00"


@functools.cache
def pki() -> TestPki:
    return TestPki.generate(now=NOW)


@functools.cache
def sample(signing_time: dt.datetime | None = NOW, with_certificate: bool = True) -> bytes:
    return build_signed_data(
        CONTENT_TYPE,
        CONTENT,
        signer_key=pki().dsc_key,
        signer_certificate=pki().dsc_certificate,
        signing_time=signing_time,
        certificates=(pki().dsc_certificate,) if with_certificate else (),
    )


def parse(data: bytes) -> SignedData:
    return parse_signed_data(data, content_type=CONTENT_TYPE, content_name="the test content", what="test", step="t")


def test_round_trip() -> None:
    signed = parse(sample())
    assert signed.content_type == CONTENT_TYPE and signed.content == CONTENT
    assert signed.certificates == (pki().dsc_certificate.public_bytes(Encoding.DER),)
    assert signed.signer_count == 1 and signed.digest_algorithm == "sha256"
    assert signed.content_type_attribute == CONTENT_TYPE
    assert signed.message_digest == hashlib.sha256(CONTENT).digest()
    assert signed.signing_time == NOW and signed.signing_time.tzinfo is dt.UTC
    assert signed.signer_id.matches(pki().dsc_certificate)
    assert signed.signed_attributes is not None and signed.signed_attributes[0] == 0x31
    assert signed.signature_algorithm == "1.2.840.10045.4.3.2" and signed.signature_algorithm_parameters is None
    public = pki().dsc_certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signed.signature, signed.signed_attributes, ec.ECDSA(hashes.SHA256()))


def test_optional_parts_absent() -> None:
    signed = parse(sample(signing_time=None, with_certificate=False))
    assert signed.certificates == () and signed.signing_time is None
    assert ID_SIGNING_TIME.encode() not in signed.signed_attributes  # type: ignore[operator]


def test_signing_time_after_2049_is_generalized_time() -> None:
    later = dt.datetime(2051, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert parse(sample(signing_time=later)).signing_time == later


def test_wrong_content_type_names_it() -> None:
    with pytest.raises(ParseError, match="is not the test content") as caught:
        parse_signed_data(sample(), content_type="1.2.3", content_name="the test content", what="test", step="t")
    assert caught.value.step == "t"


@pytest.mark.parametrize(
    "data", [b"", b"\x30\x00", b"\x30\x03\x02\x01\x00", bytes.fromhex("300b06092a864886f70d010701")]
)
def test_malformed(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        parse(data)
    assert caught.value.step == "t"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_parses_or_raises_parse_error(data: st.DataObject) -> None:
    raw = bytearray(sample())
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        raw[data.draw(st.integers(min_value=0, max_value=len(raw) - 1))] = data.draw(st.integers(0, 255))
    with contextlib.suppress(ParseError):
        parse(bytes(raw))
