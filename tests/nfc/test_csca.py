"""The trust store: certificate files and folders, CMS master lists (verified or not), CRLs, typed errors."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from nfc.errors import NfcError, ParseError
from nfc.lds.sod import parse_sod
from nfc.oids import ID_CSCA_MASTER_LIST
from nfc.pki.masterlist import parse_master_list
from nfc.sim.pki import TestPki, build_master_list
from nfc.trust import UNVERIFIED, VALID
from nfc.trust.loader import TrustStoreError
from nfc.trust.passive import verify_passive_authentication
from nfc.trust.store import TrustStore

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
GROUPS = {1: b"\x61\x03abc", 2: b"\x75\x01x", 13: b"\x6d\x02\x30\x00"}


@functools.cache
def pki(country: str = "VN") -> TestPki:
    return TestPki.generate(country=country, now=NOW)


def sod_of(p: TestPki):
    return parse_sod(p.sign_sod(GROUPS, signing_time=NOW))


def pa(p: TestPki, store: TrustStore):
    return verify_passive_authentication(sod_of(p), GROUPS, store, now=NOW)


def german_list(**options) -> bytes:
    """Like the BSI master list: signed by a German signer, carrying Vietnam's and Germany's CSCA."""
    de, vn = pki("DE"), pki("VN")
    options.setdefault("certificates", (vn.csca_certificate, de.csca_certificate))
    options.setdefault("signing_time", NOW)
    return de.master_list(signer=de.master_list_signer(now=NOW), **options)


# --- certificates -------------------------------------------------------------------------------------------


def test_pem_and_der_files(tmp_path: Path) -> None:
    vn, de = pki("VN"), pki("DE")
    (tmp_path / "vn.pem").write_bytes(vn.csca_pem())
    (tmp_path / "de.der").write_bytes(de.csca_der())
    store = TrustStore.load([tmp_path / "vn.pem", str(tmp_path / "de.der")])
    assert store.countries == ("DE", "VN")
    (anchor,) = store.for_country("vn")
    assert anchor.subject == "CN=Test CSCA,O=Test,C=VN"
    assert anchor.country == "VN"
    assert anchor.serial == vn.csca_certificate.serial_number
    assert anchor.ski == vn.csca_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert anchor.not_before == vn.csca_certificate.not_valid_before_utc
    assert anchor.source == tmp_path / "vn.pem"
    assert not anchor.from_master_list and anchor.master_list_verified
    assert store.issuers_of(vn.dsc_certificate) == (anchor,)
    assert store.issuers_of(de.dsc_certificate) == store.for_country("DE")
    assert pa(vn, store).status == VALID


def test_folder_is_walked_recursively_by_suffix(tmp_path: Path) -> None:
    vn, de = pki("VN"), pki("DE")
    (tmp_path / "asia").mkdir()
    (tmp_path / "asia" / "vn.CRT").write_bytes(vn.csca_pem())
    (tmp_path / "de.cer").write_bytes(de.csca_der())
    (tmp_path / "README.md").write_text("how to get anchors")
    (tmp_path / "notes.txt").write_bytes(b"\x00garbage")
    store = TrustStore.load(tmp_path)
    assert store.countries == ("DE", "VN")
    assert store.warnings == ()


def test_pem_bundle_with_several_certificates(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"comment\n" + pki("VN").csca_pem() + b"\n" + pki("DE").csca_pem())
    store = TrustStore.load([bundle])
    assert len(store.anchors) == 2


def test_duplicates_are_kept_once(tmp_path: Path) -> None:
    (tmp_path / "a.pem").write_bytes(pki("VN").csca_pem())
    (tmp_path / "b.der").write_bytes(pki("VN").csca_der())
    assert len(TrustStore.load([tmp_path]).anchors) == 1


def test_a_document_signer_is_not_an_anchor(tmp_path: Path) -> None:
    dsc = tmp_path / "dsc.pem"
    dsc.write_bytes(pki("VN").dsc_certificate.public_bytes(Encoding.PEM))
    store = TrustStore.load([dsc])
    assert store.anchors == ()
    assert "not a CA certificate" in store.warnings[0]


def test_describe_lists_every_anchor(tmp_path: Path) -> None:
    path = pki("VN").write_csca(tmp_path / "vn.pem")
    (row,) = TrustStore.load([path]).describe(now=NOW)
    assert row["kind"] == "csca"
    assert row["country"] == "VN"
    assert row["subject"] == "CN=Test CSCA,O=Test,C=VN"
    assert row["serial"] == f"{pki('VN').csca_certificate.serial_number:X}"
    assert row["source"] == str(path)
    assert row["valid_now"] is True
    assert row["from_master_list"] is False and row["master_list_verified"] is None
    assert set(row) >= {"ski", "not_before", "not_after", "sha256"}


# --- errors -------------------------------------------------------------------------------------------------


def test_missing_path_names_it(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="does not exist") as caught:
        TrustStore.load([tmp_path / "nope.pem"])
    assert caught.value.path == tmp_path / "nope.pem"
    assert isinstance(caught.value, NfcError)
    assert caught.value.message_key == "trust.store_unreadable"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.der", b"\x30\x03\x02\x01\x00"),
        ("bad.pem", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        ("bad64.pem", b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
        ("open.pem", b"-----BEGIN CERTIFICATE-----\nAAAA\n"),
        ("empty.crt", b""),
        ("text.cer", b"hello"),
        ("bad.crl", b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"),
        ("bad.ml", b"\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x00"),
    ],
)
def test_unreadable_files_raise_trust_store_error_naming_the_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TrustStoreError) as caught:
        TrustStore.load([tmp_path])
    assert str(path) in str(caught.value)
    assert caught.value.path == path


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_permissions(tmp_path: Path) -> None:
    path = pki("VN").write_csca(tmp_path / "vn.pem")
    path.chmod(0)
    try:
        with pytest.raises(TrustStoreError, match="cannot read"):
            TrustStore.load([path])
    finally:
        path.chmod(0o600)


# --- master lists -------------------------------------------------------------------------------------------


def test_parse_master_list() -> None:
    ml = parse_master_list(german_list())
    assert ml.version == 0
    assert [x509.load_der_x509_certificate(c).subject for c in ml.certificates] == [
        pki("VN").csca_certificate.subject,
        pki("DE").csca_certificate.subject,
    ]
    assert ml.signed.content_type_attribute == ID_CSCA_MASTER_LIST
    assert ml.signed.signing_time == NOW
    signer = ml.signer_certificate()
    assert signer is not None and signer.subject.rfc4514_string() == "CN=Test Master List Signer,O=Test,C=DE"
    assert ml.signature_problem(signer) is None


def test_verified_master_list_anchors_a_valid_pa(tmp_path: Path) -> None:
    """The German CSCA obtained out of band verifies the list, whose Vietnamese CSCA then anchors PA."""
    (tmp_path / "de_csca.pem").write_bytes(pki("DE").csca_pem())
    (tmp_path / "DE_ML.ml").write_bytes(german_list())
    store = TrustStore.load([tmp_path])
    (info,) = store.master_lists
    assert info.status == "verified" and info.verified
    assert info.detail.startswith("signed by CN=Test Master List Signer,O=Test,C=DE, issued by CSCA")
    assert info.certificate_count == 2
    (vn,) = store.for_country("VN")
    assert vn.from_master_list and vn.master_list_verified
    assert vn.source == tmp_path / "DE_ML.ml"
    (de,) = store.for_country("DE")
    assert not de.from_master_list  # the file copy wins over the list's copy
    assert store.warnings == ()
    result = pa(pki("VN"), store)
    assert result.status == VALID
    assert "unverified" not in result.detail


def test_master_list_alone_loads_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "DE_ML.ml").write_bytes(german_list())
    store = TrustStore.load([tmp_path])
    (info,) = store.master_lists
    assert info.status == "unverified"
    assert "chains only to CN=Test CSCA,O=Test,C=DE from the list itself" in info.detail
    assert any("master list unverified" in w for w in store.warnings)
    (vn,) = store.for_country("VN")
    assert vn.from_master_list and not vn.master_list_verified
    assert vn.describe()["master_list_verified"] is False
    result = pa(pki("VN"), store)
    assert result.status == VALID
    assert "(CSCA taken from master list DE_ML.ml, whose signer is unverified)" in result.detail
    kinds = [row["kind"] for row in store.describe()]
    assert kinds == ["csca", "csca", "master_list", "warning"]


def test_master_list_whose_signer_is_from_an_unknown_csca(tmp_path: Path) -> None:
    other = TestPki.generate(country="FR", now=NOW)
    data = pki("VN").master_list(signer=other.master_list_signer(now=NOW), signing_time=NOW)
    store = TrustStore.load([_write(tmp_path / "x.ml", data)])
    (info,) = store.master_lists
    assert info.status == "unverified"
    assert "cannot be verified" in info.detail and "no CSCA CN=Test CSCA,O=Test,C=FR in the store" in info.detail
    assert len(store.for_country("VN")) == 1


def test_master_list_without_its_signer_certificate(tmp_path: Path) -> None:
    de = pki("DE")
    signer = de.master_list_signer(now=NOW)
    data = build_master_list(
        [pki("VN").csca_certificate],
        signer_key=signer.key,
        signer_certificate=signer.certificate,
        include_signer_certificate=False,
        signing_time=NOW,
    )
    path = _write(tmp_path / "ml" / "list.ml", data)
    store = TrustStore.load([path, _write(tmp_path / "de.pem", de.csca_pem())])
    assert store.master_lists[0].status == "unverified"
    assert "signer certificate is not in the list nor in the store" in store.master_lists[0].detail
    # the signer certificate supplied as a file makes the list verifiable
    signer_file = _write(tmp_path / "signer.pem", signer.certificate.public_bytes(Encoding.PEM))
    store = TrustStore.load([path, tmp_path / "de.pem", signer_file])
    assert store.master_lists[0].status == "verified"


def test_master_list_with_a_wrong_signature_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "de.pem").write_bytes(pki("DE").csca_pem())
    (tmp_path / "bad.ml").write_bytes(german_list(corrupt_signature=True))
    store = TrustStore.load([tmp_path])
    (info,) = store.master_lists
    assert info.status == "rejected"
    assert "signature does not verify" in info.detail
    assert store.for_country("VN") == ()
    assert pa(pki("VN"), store).status == UNVERIFIED


def test_master_list_verified_through_another_verified_list(tmp_path: Path) -> None:
    de, fr, vn = pki("DE"), TestPki.generate(country="FR", now=NOW), pki("VN")
    # DE's list (verified by the DE CSCA file) carries FR's CSCA; FR's list carries VN's CSCA
    _write(tmp_path / "de.pem", de.csca_pem())
    _write(tmp_path / "a_fr.ml", fr.master_list(signer=fr.master_list_signer(now=NOW), signing_time=NOW,
                                                 certificates=[vn.csca_certificate]))
    _write(tmp_path / "b_de.ml", german_list(certificates=[fr.csca_certificate]))
    store = TrustStore.load([tmp_path])
    assert [m.status for m in store.master_lists] == ["verified", "verified"]
    assert store.for_country("VN")[0].master_list_verified


def test_pem_armoured_master_list(tmp_path: Path) -> None:
    body = base64.encodebytes(german_list())
    path = _write(tmp_path / "list.pem", b"-----BEGIN CMS-----\n" + body + b"-----END CMS-----\n")
    assert len(TrustStore.load([path]).anchors) == 2


def test_parse_master_list_refuses_other_content() -> None:
    sod = pki("VN").sign_sod(GROUPS)
    with pytest.raises(ParseError, match="not id-icao-cscaMasterList"):
        parse_master_list(sod[2:] if sod[1] < 0x80 else sod[2 + (sod[1] & 0x7F) :])
    with pytest.raises(ParseError):
        parse_master_list(pki("VN").csca_der())
    with pytest.raises(ParseError):
        parse_master_list(b"")


def test_sod_file_is_not_a_trust_anchor(tmp_path: Path) -> None:
    path = _write(tmp_path / "sod.der", pki("VN").sign_sod(GROUPS))
    with pytest.raises(TrustStoreError, match="sod.der"):
        TrustStore.load([path])


# --- CRLs ---------------------------------------------------------------------------------------------------


def test_crl_files(tmp_path: Path) -> None:
    vn = pki("VN")
    der = vn.crl([vn.dsc_certificate.serial_number], now=NOW)
    pem = x509.load_der_x509_crl(der).public_bytes(Encoding.PEM)
    _write(tmp_path / "vn.pem", vn.csca_pem())
    _write(tmp_path / "crl" / "vn.crl", pem)
    store = TrustStore.load([tmp_path])
    (crl,) = store.crls
    assert crl.verified
    row = crl.describe()
    assert row["kind"] == "crl" and row["revoked"] == 1 and row["issuer"] == "CN=Test CSCA,O=Test,C=VN"
    (anchor,) = store.for_country("VN")
    assert store.revocation(vn.dsc_certificate, anchor) is not None
    assert store.revocation(vn.csca_certificate, anchor) is None


def test_crl_without_its_csca_is_not_honoured(tmp_path: Path) -> None:
    store = TrustStore.load([_write(tmp_path / "vn.crl", pki("VN").crl([1], now=NOW))])
    assert not store.crls[0].verified
    assert "not honoured" in store.warnings[0]


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
