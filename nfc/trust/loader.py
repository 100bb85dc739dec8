"""Loading a trust store from the files and folders an operator configures (``config/csca/``, ``--csca PATH``).

* certificates, PEM (one or many per file) or DER, suffixes ``.pem .crt .cer .der``;
* CSCA master lists (suffix ``.ml`` or any of the above, :mod:`nfc.pki.masterlist`). The list signer's
  signature is checked and, when the signer certificate chains to a CSCA obtained independently (a certificate
  file, or another verified list), the list is *verified*. A list that cannot be verified still contributes its
  certificates, marked as coming from an unverified list, with the reason in the warnings. A list whose
  signature or digest is *wrong* is rejected;
* CRLs, PEM or DER, suffix ``.crl``: honoured for the certificates their (verified) issuer signed.

Folders are walked recursively; other files (a README) are ignored. Every certificate is parsed once at load
time, with its public key, so that Passive Authentication does no parsing of anchors per card.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from nfc.decoding import X509_ERRORS
from nfc.errors import NfcError, ParseError
from nfc.pki.crl import parse_crl
from nfc.pki.masterlist import MasterList, parse_master_list
from nfc.pki.signatures import is_ca_certificate
from nfc.pki.x509 import load_certificate, name_text
from nfc.trust.anchors import Anchor, CrlInfo, ListStatus, MasterListInfo, issuer_among

_STEP = "trust_store"

CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")
MASTER_LIST_SUFFIXES = (".ml",)
CRL_SUFFIXES = (".crl",)
_ALL_SUFFIXES = CERTIFICATE_SUFFIXES + MASTER_LIST_SUFFIXES + CRL_SUFFIXES


class TrustStoreError(NfcError):
    """A trust anchor file cannot be read or understood; ``path`` names it."""

    message_key = "trust.store_unreadable"

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message, step=_STEP)
        self.path = Path(path) if path is not None else None


@dataclass(frozen=True)
class LoadedAnchors:
    """Everything read from the configured files, for :class:`~nfc.trust.store.TrustStore`."""

    anchors: tuple[Anchor, ...]
    crls: tuple[CrlInfo, ...]
    master_lists: tuple[MasterListInfo, ...]
    warnings: tuple[str, ...]


def load_anchor_files(paths: Iterable[str | Path]) -> LoadedAnchors:
    """Certificates, master lists and CRLs from files and (recursively) folders.

    Raises :class:`TrustStoreError` naming the file for a path that does not exist or a file that cannot be read
    or is neither a certificate, a master list nor a CRL.
    """
    loader = _Loader()
    for path in paths:
        loader.add_path(Path(path))
    return loader.finish()


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


class _Loader:
    def __init__(self) -> None:
        self.certificates: list[tuple[x509.Certificate, Path]] = []
        self.crls: list[tuple[x509.CertificateRevocationList, Path]] = []
        self.master_lists: list[tuple[MasterList, Path]] = []
        self.warnings: list[str] = []

    def add_path(self, path: Path) -> None:
        if path.is_dir():
            try:
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _ALL_SUFFIXES)
            except OSError as exc:
                raise TrustStoreError(f"cannot list trust anchor folder {path}: {exc.strerror}", path=path) from exc
            for file in files:
                self.add_file(file)
        elif path.exists():
            self.add_file(path)
        else:
            raise TrustStoreError(f"trust anchor path {path} does not exist", path=path)

    def add_file(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TrustStoreError(f"cannot read trust anchor file {path}: {exc.strerror}", path=path) from exc
        if not data.strip():
            raise TrustStoreError(f"trust anchor file {path} is empty", path=path)
        if b"-----BEGIN" in data:
            blocks = _PEM_BLOCK.findall(data)
            if not blocks:
                raise TrustStoreError(f"{path}: unterminated PEM block", path=path)
            for label, body in blocks:
                try:
                    der = base64.b64decode(b"".join(body.split()), validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise TrustStoreError(f"{path}: bad base64 in a PEM {label.decode()} block", path=path) from exc
                self._add_der(der, path, label.decode())
        else:
            self._add_der(data, path, None)

    def _add_der(self, der: bytes, path: Path, label: str | None) -> None:
        if label in (None, "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"):
            try:
                self.certificates.append((load_certificate(der), path))
                return
            except ParseError:
                if label is not None:
                    raise TrustStoreError(f"{path}: unreadable certificate", path=path) from None
        if label in (None, "X509 CRL"):
            try:
                self.crls.append((parse_crl(der), path))
                return
            except ParseError:
                if label is not None:
                    raise TrustStoreError(f"{path}: unreadable CRL", path=path) from None
        if label in (None, "CMS", "PKCS7"):
            try:
                self.master_lists.append((parse_master_list(der), path))
                return
            except ParseError as exc:
                if label is not None or der[:1] == b"\x30" and _looks_like_cms(der):
                    raise TrustStoreError(f"{path}: unreadable master list: {exc}", path=path) from exc
        if label is not None:
            self.warnings.append(f"{path}: PEM block {label} ignored")
            return
        raise TrustStoreError(f"{path} is neither a certificate, a CSCA master list nor a CRL", path=path)

    def finish(self) -> LoadedAnchors:
        anchors: list[Anchor] = []
        others: list[x509.Certificate] = []
        for certificate, path in self.certificates:
            try:
                if is_ca_certificate(certificate):
                    anchors.append(Anchor.from_certificate(certificate, path))
                    continue
            except X509_ERRORS as exc:
                self.warnings.append(f"{path}: certificate skipped: {exc}")
                continue
            others.append(certificate)
            self.warnings.append(
                f"{path}: {name_text(certificate.subject)} is not a CA certificate: not used as an anchor"
            )

        infos: list[MasterListInfo] = []
        pending = list(self.master_lists)
        trusted = list(anchors)
        progress = True
        while pending and progress:  # a list verified by another verified list's CSCA
            progress = False
            for item in list(pending):
                outcome = self._master_list(item[0], item[1], trusted, others, final=False)
                if outcome is not None:
                    info, new = outcome
                    infos.append(info)
                    pending.remove(item)
                    if info.status == ListStatus.VERIFIED:
                        trusted.extend(new)
                        progress = True
                    anchors.extend(new)
        for ml, path in pending:
            outcome = self._master_list(ml, path, trusted, others, final=True)
            assert outcome is not None
            info, new = outcome
            infos.append(info)
            anchors.extend(new)
        return LoadedAnchors(tuple(anchors), tuple(CrlInfo(c, p, name_text(c.issuer), False) for c, p in self.crls),
                             tuple(infos), tuple(self.warnings))

    def _master_list(self, ml: MasterList, path: Path, trusted: Sequence[Anchor], others: Sequence[x509.Certificate],
                     *, final: bool) -> tuple[MasterListInfo, list[Anchor]] | None:
        """(info, anchors) once decided; None to retry after more lists are verified."""
        signer = ml.signer_certificate(others)
        if signer is None:
            return (self._info(ml, path, None, ListStatus.UNVERIFIED,
                               "its signer certificate is not in the list nor in the store"),
                    self._entries(ml, path, verified=False))
        problem = ml.signature_problem(signer)
        if problem is not None:
            return self._info(ml, path, signer, ListStatus.REJECTED, f"{problem}; its certificates were not loaded"), []
        at = ml.signed.signing_time or _dt.datetime.now(_dt.UTC)
        at_label = "signing time" if ml.signed.signing_time else "load time"
        anchor, problems = issuer_among(signer, trusted, at, at_label, role="master list signer")
        if anchor is not None:
            detail = f"signed by {name_text(signer.subject)}, issued by CSCA {anchor.subject} from {anchor.source}"
            return self._info(ml, path, signer, ListStatus.VERIFIED, detail), self._entries(ml, path, verified=True)
        if not final:
            return None
        entries = self._entries(ml, path, verified=False)
        own = [a for a in entries if a.certificate.subject == signer.issuer]
        own_anchor = issuer_among(signer, own, at, at_label, role="master list signer")[0] if own else None
        if own_anchor is not None:
            detail = (f"signature intact, but its signer {name_text(signer.subject)} chains only to "
                      f"{own_anchor.subject} from the list itself; add that CSCA (obtained out of band) to verify it")
        else:
            reasons = "; ".join(problems) or f"no CSCA {name_text(signer.issuer)} in the store"
            detail = f"its signer {name_text(signer.subject)} cannot be verified: {reasons}"
        return self._info(ml, path, signer, ListStatus.UNVERIFIED, detail), entries

    def _entries(self, ml: MasterList, path: Path, *, verified: bool) -> list[Anchor]:
        out = []
        for index, der in enumerate(ml.certificates):
            try:
                out.append(Anchor.from_certificate(load_certificate(der), path, from_master_list=True,
                                                   master_list_verified=verified))
            except X509_ERRORS as exc:
                self.warnings.append(f"{path}: certificate #{index + 1} of the master list skipped: {exc}")
        return out

    def _info(self, ml: MasterList, path: Path, signer: x509.Certificate | None, status: ListStatus,
              detail: str) -> MasterListInfo:
        if status != ListStatus.VERIFIED:
            self.warnings.append(f"{path}: master list {status}: {detail}")
        return MasterListInfo(path, status, detail, name_text(signer.subject) if signer is not None else None,
                              len(ml.certificates), ml.signed.signing_time)


def _looks_like_cms(der: bytes) -> bool:
    # OID 1.2.840.113549.1.7.2 (signedData) near the start
    return bytes.fromhex("06092A864886F70D010702") in der[:32]
