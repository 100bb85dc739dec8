"""Fuzzing the parsers that read attacker-controlled bytes: EF.SOD (CMS), CSCA master lists (CMS), DG14 and
EF.CardAccess SecurityInfos. Only ParseError (or TrustStoreError for files) may escape; Passive Authentication
of anything that parses returns a result instead of raising."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.security_infos import (
    ActiveAuthenticationInfo,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    Dg14,
    parse_security_infos,
)
from nfc.lds.sod import parse_sod
from nfc.oids import ID_PK_ECDH
from nfc.pki.masterlist import parse_master_list
from nfc.sim.pki import TestPki
from nfc.trust import INVALID, UNVERIFIED, VALID
from nfc.trust.loader import TrustStoreError
from nfc.trust.passive import verify_passive_authentication
from nfc.trust.store import TrustStore

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
GROUPS = {1: b"\x61\x03abc", 2: b"\x75\x01x", 13: b"\x6d\x02\x30\x00"}
#: FUZZ_EXAMPLES=5000 for a longer run.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@functools.cache
def pki() -> TestPki:
    return TestPki.generate(now=NOW)


@functools.cache
def store() -> TrustStore:
    return TrustStore.from_certificates([pki().csca_certificate])


@functools.cache
def genuine_sod() -> bytes:
    return pki().sign_sod(GROUPS, signing_time=NOW)


@functools.cache
def genuine_master_list() -> bytes:
    return pki().master_list(signing_time=NOW)


@functools.cache
def genuine_dg14() -> bytes:
    spki = ec.generate_private_key(ec.BrainpoolP256R1()).public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )
    return Dg14(
        (
            ChipAuthenticationInfo("0.4.0.127.0.7.2.2.3.2.2", 1, None),
            ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, None),
            ActiveAuthenticationInfo("0.4.0.127.0.7.1.1.4.1.3"),
        )
    ).encode()


def mutations(original: bytes) -> st.SearchStrategy[bytes]:
    """Bit flips, byte overwrites, truncations, insertions and deletions of a well-formed encoding."""
    n = len(original)
    flip = st.tuples(st.integers(0, n - 1), st.integers(0, 7)).map(
        lambda t: original[: t[0]] + bytes([original[t[0]] ^ (1 << t[1])]) + original[t[0] + 1 :]
    )
    overwrite = st.tuples(st.integers(0, n - 1), st.integers(0, 255)).map(
        lambda t: original[: t[0]] + bytes([t[1]]) + original[t[0] + 1 :]
    )
    truncate = st.integers(0, n - 1).map(lambda i: original[:i])
    insert = st.tuples(st.integers(0, n), st.binary(min_size=1, max_size=8)).map(
        lambda t: original[: t[0]] + t[1] + original[t[0] :]
    )
    delete = st.tuples(st.integers(0, n - 1), st.integers(1, 16)).map(
        lambda t: original[: t[0]] + original[t[0] + t[1] :]
    )
    # headers are where parsers go wrong: favour the first 64 bytes too
    head = st.tuples(st.integers(0, min(n, 64) - 1), st.integers(0, 255)).map(
        lambda t: original[: t[0]] + bytes([t[1]]) + original[t[0] + 1 :]
    )
    return st.one_of(flip, overwrite, truncate, insert, delete, head)


def _pa_never_raises(data: bytes) -> None:
    try:
        sod = parse_sod(data)
    except ParseError:
        return
    result = verify_passive_authentication(sod, GROUPS, store(), now=NOW)
    assert result.status in (VALID, INVALID, UNVERIFIED)
    if data != genuine_sod():
        # any accepted change must have been harmless to what PA checks (e.g. a re-encoded length)
        assert result.status != VALID or sod.dg_hashes == parse_sod(genuine_sod()).dg_hashes


# --- EF.SOD ---------------------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=512))
def test_sod_random_bytes(data: bytes) -> None:
    _pa_never_raises(data)


@FUZZ
@given(st.binary(max_size=256))
def test_sod_random_content_under_tag_77(body: bytes) -> None:
    length = bytes([len(body)]) if len(body) < 128 else b"\x81" + bytes([len(body)])
    _pa_never_raises(b"\x77" + length + body)


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
@FUZZ
@given(st.data())
def test_sod_mutations(data: st.DataObject) -> None:
    _pa_never_raises(data.draw(mutations(genuine_sod())))


def test_genuine_sod_is_valid() -> None:
    result = verify_passive_authentication(parse_sod(genuine_sod()), GROUPS, store(), now=NOW)
    assert result.status == VALID


# --- master lists ---------------------------------------------------------------------------------------------


def _master_list_only_parse_error(data: bytes) -> None:
    try:
        ml = parse_master_list(data)
    except ParseError:
        return
    signer = ml.signer_certificate()
    if signer is not None:
        problem = ml.signature_problem(signer)
        assert problem is None or isinstance(problem, str)


@FUZZ
@given(st.binary(max_size=512))
def test_master_list_random_bytes(data: bytes) -> None:
    _master_list_only_parse_error(data)


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
@FUZZ
@given(st.data())
def test_master_list_mutations(data: st.DataObject) -> None:
    _master_list_only_parse_error(data.draw(mutations(genuine_master_list())))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([".ml", ".der", ".pem", ".crl", ".cer"]))
def test_trust_store_files_raise_only_trust_store_error(data: st.DataObject, suffix: str) -> None:
    content = data.draw(st.one_of(st.binary(max_size=300), mutations(genuine_master_list())))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"anchor{suffix}"
        path.write_bytes(content)
        try:
            loaded = TrustStore.load([path])
        except TrustStoreError as exc:
            assert str(path) in str(exc)
            return
        for row in loaded.describe(now=NOW):
            assert "kind" in row


# --- DG14 / SecurityInfos -------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=256))
def test_security_infos_random_bytes(data: bytes) -> None:
    for parse in (parse_security_infos, Dg14.parse):
        with contextlib.suppress(ParseError):
            parse(data)


@FUZZ
@given(st.data())
def test_dg14_mutations(data: st.DataObject) -> None:
    mutated = data.draw(mutations(genuine_dg14()))
    with contextlib.suppress(ParseError):
        Dg14.parse(mutated)
    with contextlib.suppress(ParseError):
        parse_security_infos(mutated[2:])


def test_genuine_dg14_parses() -> None:
    dg14 = Dg14.parse(genuine_dg14())
    assert dg14.active_authentication_info is not None
    assert len(dg14.chip_authentication_infos) == 1
