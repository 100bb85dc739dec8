"""Passive Authentication (ICAO 9303-11 §5.1): were these data groups signed by the issuing state?

Given a parsed EF.SOD (:func:`nfc.lds.sod.parse_sod`), the data groups as read and a
:class:`~nfc.trust.store.TrustStore`:

1. every data group read is hashed with the LDS hash algorithm and compared (constant time) with EF.SOD's
   hash; a data group read but absent from EF.SOD fails; data groups EF.SOD lists but that were not read are
   fine and reported as unchecked;
2. the SignerInfo (:func:`nfc.pki.signatures.signed_data_problems`): contentType attribute = eContentType,
   messageDigest attribute = hash of the encapsulated LDSSecurityObject, and the signature over the signed
   attributes under the Document Signer certificate (DSC) embedded in EF.SOD;
3. the DSC against a CSCA of the store: the CSCA's signature on it, both validity periods at the time of
   signing (the signingTime attribute, else ``now``), digitalSignature on the DSC and CA rights on the CSCA,
   no unknown critical extension, not revoked by a CRL the CSCA signed.

``valid`` only when everything holds. ``unverified`` only when nothing failed but the store has no CSCA for
the DSC's issuing country (or no store was given). Anything else is ``invalid``, with every failure named in
:attr:`PassiveResult.detail`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography import x509

from nfc.lds.sod import Sod
from nfc.pki.signatures import issued_by_problems, signed_attribute_problems, signer_signature_problems
from nfc.pki.x509 import authority_key_identifier, certificate_malformation, country_of, format_time, name_text
from nfc.trust import CheckResult, CheckStatus
from nfc.trust.anchors import Anchor
from nfc.trust.store import TrustStore

_NAMES = {"document": "EF.SOD", "content": "the LDSSecurityObject"}


@dataclass(frozen=True)
class PassiveResult(CheckResult):
    """Outcome of Passive Authentication, with what was checked. ``detail`` names every failure."""

    #: Data groups read whose hash was compared with EF.SOD (matching or not).
    checked_data_groups: tuple[int, ...] = ()
    #: Data groups whose hash did not match, or that were read but have no hash in EF.SOD.
    failed_data_groups: tuple[int, ...] = ()
    #: Data groups EF.SOD lists but that were not given (not read): not a failure.
    unchecked_data_groups: tuple[int, ...] = ()
    dsc_subject: str | None = None
    csca_subject: str | None = None
    #: The time certificates were checked at: EF.SOD's signingTime, else ``now``.
    checked_at: _dt.datetime | None = None
    failures: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.status == CheckStatus.VALID


def _dg_list(numbers: list[int] | tuple[int, ...]) -> str:
    return ", ".join(f"DG{n}" for n in numbers)


@dataclass(frozen=True)
class _Hashes:
    checked: tuple[int, ...]
    failed: tuple[int, ...]
    unchecked: tuple[int, ...]
    failures: tuple[str, ...]


def _hash_checks(sod: Sod, data_groups: Mapping[int, bytes]) -> _Hashes:
    """Step 1: each data group read against its hash in EF.SOD."""
    checked: list[int] = []
    mismatched: list[int] = []
    unhashed: list[int] = []
    for number in sorted(n for n in data_groups if n != 0):
        expected = sod.dg_hashes.get(number)
        if expected is None:
            unhashed.append(number)
            continue
        checked.append(number)
        if not hmac.compare_digest(hashlib.new(sod.digest_algorithm, bytes(data_groups[number])).digest(), expected):
            mismatched.append(number)
    failures = []
    if mismatched:
        failures.append(f"{_dg_list(mismatched)} {'hash does' if len(mismatched) == 1 else 'hashes do'} not match "
                        "EF.SOD")
    if unhashed:
        pronoun = "it" if len(unhashed) == 1 else "them"
        failures.append(f"{_dg_list(unhashed)} read but EF.SOD has no hash for {pronoun}")
    unchecked = tuple(n for n in sorted(sod.dg_hashes) if n not in checked)
    return _Hashes(tuple(checked), tuple(sorted(mismatched + unhashed)), unchecked, tuple(failures))


def verify_passive_authentication(
    sod: Sod,
    data_groups: Mapping[int, bytes],
    trust: TrustStore | None,
    *,
    now: _dt.datetime | None = None,
) -> PassiveResult:
    """Passive Authentication of ``data_groups`` (number -> complete file bytes as read) under ``sod``.

    Key 0 (EF.SOD itself, as in ``CardData.raw``) is ignored. ``now`` (default: the current UTC time) is used
    for certificate validity when EF.SOD has no signingTime attribute. Never raises for bad signatures or
    certificates: those are ``invalid`` results.
    """
    now = now or _dt.datetime.now(_dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=_dt.UTC)
    at = (sod.signed.signing_time or now).astimezone(_dt.UTC)
    at_label = "signing time" if sod.signed.signing_time else "check time"
    hashes = _hash_checks(sod, data_groups)
    failures = [*hashes.failures, *signed_attribute_problems(sod.signed, **_NAMES)]
    base = {"checked_data_groups": hashes.checked, "failed_data_groups": hashes.failed,
            "unchecked_data_groups": hashes.unchecked, "checked_at": at}

    dsc = sod.signed.signer_certificate()
    problem = _dsc_problem(dsc)
    if problem is not None:
        return _invalid([*failures, problem], base)
    assert dsc is not None
    base["dsc_subject"] = name_text(dsc.subject)
    failures += signer_signature_problems(sod.signed, dsc, document="EF.SOD", signer_role="the DSC")

    country = country_of(dsc.issuer)
    if country is None:
        failures.append(f"DSC issuer {name_text(dsc.issuer)} has no country")
    anchors = trust.for_country(country) if trust is not None and country else ()
    if not anchors:
        if failures:
            return _invalid(failures, base)
        where = "no trust store is configured" if trust is None else f"the trust store has no CSCA for {country}"
        detail = (f"{where}: EF.SOD signature and {_dg_list(hashes.checked) or 'no data group'} hashes are intact, "
                  f"but the DSC {base['dsc_subject']} cannot be traced to its issuing state")
        return PassiveResult(CheckStatus.UNVERIFIED, detail, **base)

    assert trust is not None
    anchor, chain_problems = _anchor_of(dsc, trust, at, at_label)
    failures += chain_problems
    if anchor is not None:
        base["csca_subject"] = anchor.subject
        failures += _revocation_problems(dsc, anchor, trust)
    if failures:
        return _invalid(failures, base)
    assert anchor is not None
    return PassiveResult(CheckStatus.VALID, _valid_detail(hashes, base["dsc_subject"], at, anchor), **base)


def _invalid(failures: list[str], base: dict) -> PassiveResult:
    return PassiveResult(CheckStatus.INVALID, "; ".join(failures), failures=tuple(failures), **base)


def _dsc_problem(dsc: x509.Certificate | None) -> str | None:
    if dsc is None:
        return "EF.SOD does not carry the Document Signer certificate named by its SignerInfo"
    malformed = certificate_malformation(dsc)
    if malformed is not None:
        return f"the Document Signer certificate in EF.SOD is malformed: {malformed}"
    return None


def _revocation_problems(dsc: x509.Certificate, anchor: Anchor, trust: TrustStore) -> list[str]:
    revoked = trust.revocation(dsc, anchor)
    if revoked is None:
        return []
    return [f"DSC serial {revoked.serial:X} revoked on {format_time(revoked.revoked_at)} "
            f"by the CRL of {revoked.crl_issuer} ({revoked.crl_source.name})"]


def _valid_detail(hashes: _Hashes, dsc_subject: str, at: _dt.datetime, anchor: Anchor) -> str:
    note = ""
    if anchor.from_master_list and not anchor.master_list_verified:
        note = f" (CSCA taken from master list {anchor.source.name}, whose signer is unverified)"
    unchecked_note = f"; not read: {_dg_list(hashes.unchecked)}" if hashes.unchecked else ""
    return (f"{_dg_list(hashes.checked) or 'no data group'} hashes match EF.SOD signed by {dsc_subject} at "
            f"{format_time(at)} under CSCA {anchor.subject}{note}{unchecked_note}")


def _anchor_of(
    dsc: x509.Certificate, trust: TrustStore, at: _dt.datetime, at_label: str
) -> tuple[Anchor | None, list[str]]:
    """The CSCA that issued ``dsc`` with every check passing, else the anchor tried and what failed."""
    candidates = trust.issuers_of(dsc)
    if not candidates:
        same_name = trust.same_name_anchors(dsc)
        aki = authority_key_identifier(dsc)
        if same_name and aki is not None:
            return None, [
                f"no matching CSCA: {len(same_name)} CSCA named {name_text(dsc.issuer)} in the trust store, "
                f"none with the DSC's authority key identifier {aki.hex().upper()}"
            ]
        return None, [f"no matching CSCA: the DSC's issuer {name_text(dsc.issuer)} is not in the trust store"]
    first: tuple[Anchor, list[str]] | None = None
    for anchor in candidates:
        problems = issued_by_problems(dsc, anchor.certificate, at, at_label, role="DSC")
        if not problems:
            return anchor, []
        if first is None or (not _signature_ok(first[1]) and _signature_ok(problems)):
            first = (anchor, problems)
    assert first is not None
    anchor, problems = first
    # an anchor whose signature verified is the issuer even if another check failed
    return (anchor if _signature_ok(problems) else None), problems


def _signature_ok(problems: list[str]) -> bool:
    return not any(p.startswith("DSC signature") for p in problems)
