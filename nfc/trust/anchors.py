"""What a trust store holds: CSCA anchors and where each came from, what became of each master list and CRL,
and the search for the anchor that issued a certificate."""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from nfc.pki.keys import PublicKey
from nfc.pki.signatures import issued_by_problems
from nfc.pki.x509 import (
    authority_key_identifier,
    certificate_malformation,
    country_of,
    format_time,
    name_key,
    name_text,
    public_key_of,
    subject_key_identifier,
    utc,
)


@dataclass(frozen=True, eq=False)
class Anchor:
    """One trusted CSCA certificate and where it came from."""

    certificate: x509.Certificate = field(repr=False)
    der: bytes = field(repr=False)
    subject: str
    country: str | None
    serial: int
    ski: bytes | None
    not_before: _dt.datetime
    not_after: _dt.datetime
    source: Path
    #: True when the certificate came from a CSCA master list.
    from_master_list: bool = False
    #: For master-list anchors: whether that list's signer was verified (always True for certificate files).
    master_list_verified: bool = True
    sha256: str = ""

    @classmethod
    def from_certificate(
        cls,
        certificate: x509.Certificate,
        source: str | Path = "<memory>",
        *,
        from_master_list: bool = False,
        master_list_verified: bool = True,
    ) -> Anchor:
        der = certificate.public_bytes(Encoding.DER)
        problem = certificate_malformation(certificate)
        if problem is not None:
            raise ValueError(f"unusable certificate: {problem}")
        return cls(
            certificate=certificate,
            der=der,
            subject=name_text(certificate.subject),
            country=country_of(certificate.subject),
            serial=certificate.serial_number,
            ski=subject_key_identifier(certificate),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            source=Path(source),
            from_master_list=from_master_list,
            master_list_verified=master_list_verified if from_master_list else True,
            sha256=hashlib.sha256(der).hexdigest(),
        )

    def public_key(self) -> PublicKey:
        """The anchor's key (parsed once; raises ParseError, a ValueError, when unusable)."""
        return public_key_of(self.certificate)

    def describe(self, now: _dt.datetime | None = None) -> dict:
        now = utc(now or _dt.datetime.now(_dt.UTC))
        return {
            "kind": "csca",
            "country": self.country,
            "subject": self.subject,
            "serial": f"{self.serial:X}",
            "ski": self.ski.hex().upper() if self.ski is not None else None,
            "not_before": format_time(self.not_before),
            "not_after": format_time(self.not_after),
            "valid_now": self.not_before <= now <= self.not_after,
            "source": str(self.source),
            "from_master_list": self.from_master_list,
            "master_list_verified": self.master_list_verified if self.from_master_list else None,
            "sha256": self.sha256,
        }


class ListStatus(StrEnum):
    """What became of a master list file."""

    VERIFIED = "verified"  # its signer chains to an independently trusted CSCA
    UNVERIFIED = "unverified"  # its certificates are loaded, but the list's origin is not proven
    REJECTED = "rejected"  # a bad signature or digest: its certificates are not loaded


@dataclass(frozen=True)
class MasterListInfo:
    """What became of one master list file."""

    source: Path
    status: ListStatus
    detail: str
    signer: str | None
    certificate_count: int
    signing_time: _dt.datetime | None = None

    @property
    def verified(self) -> bool:
        return self.status == ListStatus.VERIFIED

    def describe(self) -> dict:
        return {
            "kind": "master_list",
            "source": str(self.source),
            "status": self.status,
            "detail": self.detail,
            "signer": self.signer,
            "certificates": self.certificate_count,
            "signing_time": format_time(self.signing_time) if self.signing_time else None,
        }


@dataclass(frozen=True, eq=False)
class CrlInfo:
    """One CRL and whether a CSCA in the store signed it (only verified CRLs are honoured)."""

    crl: x509.CertificateRevocationList = field(repr=False)
    source: Path
    issuer: str
    verified: bool
    detail: str = ""
    #: SHA-256 (hex) of the anchors whose key verified this CRL.
    issuer_anchors: tuple[str, ...] = ()

    def describe(self) -> dict:
        next_update = self.crl.next_update_utc
        return {
            "kind": "crl",
            "source": str(self.source),
            "issuer": self.issuer,
            "this_update": format_time(self.crl.last_update_utc),
            "next_update": format_time(next_update) if next_update else None,
            "revoked": len(self.crl),
            "verified": self.verified,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Revocation:
    """A certificate found on a verified CRL."""

    serial: int
    revoked_at: _dt.datetime
    crl_source: Path
    crl_issuer: str


def issuer_among(
    certificate: x509.Certificate, anchors: Sequence[Anchor], at: _dt.datetime, at_label: str, *, role: str
) -> tuple[Anchor | None, list[str]]:
    """The first of ``anchors`` that issued ``certificate`` with every check passing, and else the problems."""
    problems: list[str] = []
    key = name_key(certificate.issuer)
    aki = authority_key_identifier(certificate)
    for anchor in anchors:
        if name_key(anchor.certificate.subject) != key or (aki and anchor.ski and aki != anchor.ski):
            continue
        found = issued_by_problems(certificate, anchor.certificate, at, at_label, role=role)
        if not found:
            return anchor, []
        problems.extend(found)
    return None, problems
