"""The CSCA trust store: anchors by country and by issuer name, the CRLs their issuers signed, and what was
loaded from where (ICAO 9303-12). Built from files by :mod:`nfc.trust.loader`, or from certificates at hand.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509

from nfc.pki.crl import crl_signature_problem
from nfc.pki.x509 import authority_key_identifier, name_key, name_text
from nfc.trust.anchors import Anchor, CrlInfo, MasterListInfo, Revocation
from nfc.trust.loader import load_anchor_files


class TrustStore:
    """CSCA anchors by country and by issuer name, the CRLs their issuers signed, what was loaded from where."""

    def __init__(
        self,
        anchors: Iterable[Anchor] = (),
        *,
        crls: Iterable[x509.CertificateRevocationList | CrlInfo] = (),
        master_lists: Iterable[MasterListInfo] = (),
        warnings: Iterable[str] = (),
    ) -> None:
        unique: dict[str, Anchor] = {}
        for anchor in anchors:
            current = unique.get(anchor.sha256)
            if current is None or _rank(anchor) < _rank(current):
                unique[anchor.sha256] = anchor
        self._anchors = tuple(unique.values())
        self._by_country: dict[str, list[Anchor]] = {}
        self._by_name: dict[tuple, list[Anchor]] = {}
        for anchor in self._anchors:
            if anchor.country:
                self._by_country.setdefault(anchor.country, []).append(anchor)
            self._by_name.setdefault(name_key(anchor.certificate.subject), []).append(anchor)
        self._master_lists = tuple(master_lists)
        self._warnings = list(warnings)
        self._crls = tuple(self._check_crl(c) for c in crls)
        self._crls_by_anchor: dict[str, list[CrlInfo]] = {}
        for info in self._crls:
            for fingerprint in info.issuer_anchors:
                self._crls_by_anchor.setdefault(fingerprint, []).append(info)

    # construction ------------------------------------------------------------------------------------------

    @classmethod
    def from_certificates(
        cls,
        certificates: Iterable[x509.Certificate],
        *,
        crls: Iterable[x509.CertificateRevocationList] = (),
        source: str = "<memory>",
    ) -> TrustStore:
        """A store of the given CSCA certificates (for tests and for callers that hold certificates already)."""
        return cls((Anchor.from_certificate(c, source) for c in certificates), crls=crls)

    def with_certificates(self, certificates: Iterable[x509.Certificate], *, source: str) -> TrustStore:
        """This store plus the given CSCA certificates (e.g. the built-in virtual card's test CSCA)."""
        extra = [Anchor.from_certificate(c, source) for c in certificates]
        return TrustStore([*self._anchors, *extra], crls=self._crls, master_lists=self._master_lists,
                          warnings=self._warnings)

    @classmethod
    def load(cls, paths: Iterable[str | Path] | str | Path) -> TrustStore:
        """Load certificates, master lists and CRLs from files and (recursively) folders.

        Raises :class:`TrustStoreError` naming the file for a path that does not exist or a file that cannot
        be read or is neither a certificate, a master list nor a CRL.
        """
        loaded = load_anchor_files([paths] if isinstance(paths, str | Path) else paths)
        return cls(loaded.anchors, crls=loaded.crls, master_lists=loaded.master_lists, warnings=loaded.warnings)

    def _check_crl(self, item: x509.CertificateRevocationList | CrlInfo) -> CrlInfo:
        if isinstance(item, CrlInfo):
            crl, source = item.crl, item.source
        else:
            crl, source = item, Path("<memory>")
        issuer = name_text(crl.issuer)
        aki = authority_key_identifier(crl)
        signers = []
        for anchor in self._by_name.get(name_key(crl.issuer), []):
            if aki is not None and anchor.ski is not None and aki != anchor.ski:
                continue
            try:
                problem = crl_signature_problem(crl, anchor.public_key())
            except ValueError as exc:
                problem = str(exc)
            if problem is None:
                signers.append(anchor.sha256)
        if signers:
            return CrlInfo(crl, source, issuer, True, "", tuple(signers))
        detail = f"no CSCA in the store verifies the CRL of {issuer}: not honoured"
        self._warnings.append(f"{source}: {detail}")
        return CrlInfo(crl, source, issuer, False, detail)

    # queries -----------------------------------------------------------------------------------------------

    @property
    def anchors(self) -> tuple[Anchor, ...]:
        return self._anchors

    @property
    def master_lists(self) -> tuple[MasterListInfo, ...]:
        return self._master_lists

    @property
    def crls(self) -> tuple[CrlInfo, ...]:
        return self._crls

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things an operator should know: unverified master lists, skipped certificates, unusable CRLs."""
        return tuple(self._warnings)

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_country))

    def for_country(self, country: str | None) -> tuple[Anchor, ...]:
        """Anchors whose subject countryName is ``country`` (case-insensitive)."""
        if not country:
            return ()
        return tuple(self._by_country.get(country.strip().upper(), ()))

    def issuers_of(self, certificate: x509.Certificate) -> tuple[Anchor, ...]:
        """Anchors whose subject is ``certificate``'s issuer and whose SKI equals its AKI (when both exist).

        Candidates only: the signature is not checked here.
        """
        candidates = self._by_name.get(name_key(certificate.issuer), [])
        aki = authority_key_identifier(certificate)
        if aki is None:
            return tuple(candidates)
        return tuple(a for a in candidates if a.ski is None or a.ski == aki)

    def same_name_anchors(self, certificate: x509.Certificate) -> tuple[Anchor, ...]:
        """Anchors named like ``certificate``'s issuer, whatever their key identifier."""
        return tuple(self._by_name.get(name_key(certificate.issuer), ()))

    def revocation(self, certificate: x509.Certificate, issuer: Anchor) -> Revocation | None:
        """The entry for ``certificate`` on a verified CRL signed by ``issuer``'s key, None if not revoked."""
        for info in self._crls_by_anchor.get(issuer.sha256, ()):
            entry = info.crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
            if entry is not None:
                return Revocation(certificate.serial_number, entry.revocation_date_utc, info.source, info.issuer)
        return None

    def describe(self, now: _dt.datetime | None = None) -> list[dict]:
        """One dict per anchor (``kind`` "csca"), then per master list, CRL and warning, for ``trust list``."""
        rows = [a.describe(now) for a in sorted(self._anchors, key=lambda a: (a.country or "", a.subject))]
        rows += [m.describe() for m in self._master_lists]
        rows += [c.describe() for c in self._crls]
        rows += [{"kind": "warning", "detail": w} for w in self._warnings]
        return rows

    def __repr__(self) -> str:
        return f"TrustStore({len(self._anchors)} anchors, countries={list(self.countries)})"


def _rank(anchor: Anchor) -> int:
    """Which copy of a duplicate certificate to keep: a file, then a verified list, then an unverified one."""
    if not anchor.from_master_list:
        return 0
    return 1 if anchor.master_list_verified else 2
