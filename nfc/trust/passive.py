"""Passive Authentication (ICAO 9303-11 §5.1): were these data groups signed by the issuing state?

Given a parsed EF.SOD (:func:`nfc.lds.sod.parse_sod`), the data groups as read and a :class:`TrustStore`:

1. every data group read is hashed with the LDS hash algorithm and compared (constant time) with EF.SOD's
   hash; a data group read but absent from EF.SOD fails; data groups EF.SOD lists but that were not read are
   fine and reported as unchecked;
2. the SignerInfo: contentType attribute = eContentType, messageDigest attribute = hash of the encapsulated
   LDSSecurityObject, and the signature over the DER SET OF signed attributes under the Document Signer
   certificate (DSC) embedded in EF.SOD: RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA (DER or plain r || s);
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
from nfc.oids import ID_LDS_SECURITY_OBJECT
from nfc.trust import INVALID, UNVERIFIED, VALID, CheckResult
from nfc.trust.csca import (
    X509_ERRORS,
    Anchor,
    TrustStore,
    authority_key_identifier,
    certificate_malformation,
    country_of,
    format_time,
    issued_by_problems,
    load_certificate,
    name_text,
    public_key_of,
    verify_signer_signature,
)


@dataclass(frozen=True)
class PassiveResult:
    """Outcome of Passive Authentication. ``detail`` names every failure (no personal data)."""

    status: str
    detail: str
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
        return self.status == VALID

    def to_check_result(self) -> CheckResult:
        return CheckResult(self.status, self.detail)

    @property
    def check_result(self) -> CheckResult:
        return self.to_check_result()


def _dg_list(numbers: list[int] | tuple[int, ...]) -> str:
    return ", ".join(f"DG{n}" for n in numbers)


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
    failures: list[str] = []

    # 1. data group hashes
    checked: list[int] = []
    mismatched: list[int] = []
    unhashed: list[int] = []
    for number in sorted(data_groups):
        if number == 0:
            continue
        expected = sod.dg_hashes.get(number)
        if expected is None:
            unhashed.append(number)
            continue
        checked.append(number)
        actual = hashlib.new(sod.digest_algorithm, bytes(data_groups[number])).digest()
        if not hmac.compare_digest(actual, expected):
            mismatched.append(number)
    if mismatched:
        verb = "hash does" if len(mismatched) == 1 else "hashes do"
        failures.append(f"{_dg_list(mismatched)} {verb} not match EF.SOD")
    if unhashed:
        pronoun = "it" if len(unhashed) == 1 else "them"
        failures.append(f"{_dg_list(unhashed)} read but EF.SOD has no hash for {pronoun}")
    unchecked = tuple(n for n in sorted(sod.dg_hashes) if n not in checked)

    # 2. the SignerInfo
    if sod.signed_attributes is None:
        failures.append("EF.SOD has no signed attributes")
    else:
        if sod.content_type_attribute != ID_LDS_SECURITY_OBJECT:
            failures.append(
                f"contentType attribute {sod.content_type_attribute} does not match eContentType "
                f"{ID_LDS_SECURITY_OBJECT}"
            )
        digest = hashlib.new(sod.signer_digest_algorithm, sod.encapsulated_content).digest()
        if sod.message_digest is None or not hmac.compare_digest(digest, sod.message_digest):
            failures.append("messageDigest attribute does not match the LDSSecurityObject")

    dsc = _signer_certificate(sod)
    at = (sod.signing_time or now).astimezone(_dt.UTC)
    at_label = "signing time" if sod.signing_time else "check time"
    base = {
        "checked_data_groups": tuple(checked),
        "failed_data_groups": tuple(sorted(mismatched + unhashed)),
        "unchecked_data_groups": unchecked,
        "checked_at": at,
    }
    if dsc is None:
        failures.append("EF.SOD does not carry the Document Signer certificate named by its SignerInfo")
        return PassiveResult(INVALID, "; ".join(failures), failures=tuple(failures), **base)
    malformed = certificate_malformation(dsc)
    if malformed is not None:
        failures.append(f"the Document Signer certificate in EF.SOD is malformed: {malformed}")
        return PassiveResult(INVALID, "; ".join(failures), failures=tuple(failures), **base)
    dsc_subject = name_text(dsc.subject)
    base["dsc_subject"] = dsc_subject

    try:
        key = public_key_of(dsc)
    except ValueError as exc:
        failures.append(f"DSC public key unusable: {exc}")
    else:
        if sod.signed_attributes is not None:
            problem = verify_signer_signature(
                key,
                sod.signature,
                sod.signed_attributes,
                algorithm=sod.signature_algorithm,
                parameters=sod.signature_algorithm_parameters,
                digest_algorithm=sod.signer_digest_algorithm,
            )
            if problem is not None:
                failures.append(f"EF.SOD signature by the DSC: {problem}")

    # 3. DSC -> CSCA
    country = country_of(dsc.issuer)
    anchors = trust.for_country(country) if trust is not None and country else ()
    if country is None:
        failures.append(f"DSC issuer {name_text(dsc.issuer)} has no country")
    if not anchors:
        if failures:
            return PassiveResult(INVALID, "; ".join(failures), failures=tuple(failures), **base)
        where = "no trust store is configured" if trust is None else f"the trust store has no CSCA for {country}"
        detail = (
            f"{where}: EF.SOD signature and {_dg_list(checked) or 'no data group'} hashes are intact, "
            f"but the DSC {dsc_subject} cannot be traced to its issuing state"
        )
        return PassiveResult(UNVERIFIED, detail, **base)

    assert trust is not None
    anchor, chain_problems = _find_issuer(dsc, trust, at, at_label)
    failures.extend(chain_problems)
    if anchor is not None:
        base["csca_subject"] = anchor.subject
        revoked = trust.revocation(dsc, anchor)
        if revoked is not None:
            failures.append(
                f"DSC serial {revoked.serial:X} revoked on {format_time(revoked.revoked_at)} "
                f"by the CRL of {revoked.crl_issuer} ({revoked.crl_source.name})"
            )
    if failures:
        return PassiveResult(INVALID, "; ".join(failures), failures=tuple(failures), **base)

    assert anchor is not None
    note = ""
    if anchor.from_master_list and not anchor.master_list_verified:
        note = f" (CSCA taken from master list {anchor.source.name}, whose signer is unverified)"
    unchecked_note = f"; not read: {_dg_list(unchecked)}" if unchecked else ""
    detail = (
        f"{_dg_list(checked) or 'no data group'} hashes match EF.SOD signed by {dsc_subject} at "
        f"{format_time(at)} under CSCA {anchor.subject}{note}{unchecked_note}"
    )
    return PassiveResult(VALID, detail, **base)


def _signer_certificate(sod: Sod) -> x509.Certificate | None:
    for der in sod.certificates:
        try:
            certificate = load_certificate(der)
        except X509_ERRORS:
            continue
        try:
            if sod.signer_id.matches(certificate):
                return certificate
        except X509_ERRORS:
            continue
    return None


def _find_issuer(
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
        problems = issued_by_problems(dsc, anchor, at, at_label, role="DSC")
        if not problems:
            return anchor, []
        if first is None or (_signature_ok(first[1]) is False and _signature_ok(problems)):
            first = (anchor, problems)
    assert first is not None
    anchor, problems = first
    # an anchor whose signature verified is the issuer even if another check failed
    return (anchor if _signature_ok(problems) else None), problems


def _signature_ok(problems: list[str]) -> bool:
    return not any(p.startswith("DSC signature") for p in problems)
