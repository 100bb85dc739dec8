"""A throw-away test PKI for the virtual CCCD card: a country signing CA (CSCA), a Document Signer, EF.SOD.

Everything is generated in memory; nothing is cached on disk. A card simulator running in another process
hands its trust anchor to the reader side with :meth:`TestPki.write_csca` (a PEM file), or keeps the whole
PKI across restarts with :meth:`TestPki.to_pem` / :meth:`TestPki.from_pem`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID

from nfc.lds.cms import SignerKey, build_signed_data
from nfc.lds.sod import build_sod, hash_data_groups, parse_sod
from nfc.lds.tlv import encode_tlv
from nfc.oids import ID_CSCA_MASTER_LIST

Algorithm = Literal["ecdsa-p256", "ecdsa-p384", "ecdsa-brainpoolP256r1", "rsa-2048", "rsa-3072", "rsa-4096"]
RsaPadding = Literal["pkcs1v15", "pss"]

_CURVES: dict[str, ec.EllipticCurve] = {
    "ecdsa-p256": ec.SECP256R1(),
    "ecdsa-p384": ec.SECP384R1(),
    "ecdsa-brainpoolP256r1": ec.BrainpoolP256R1(),
}
_RSA_BITS = {"rsa-2048": 2048, "rsa-3072": 3072, "rsa-4096": 4096}


def generate_key(algorithm: Algorithm) -> SignerKey:
    """A fresh private key for ``algorithm`` (RSA generation takes a noticeable fraction of a second)."""
    if algorithm in _CURVES:
        return ec.generate_private_key(_CURVES[algorithm])
    if algorithm in _RSA_BITS:
        return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS[algorithm])
    raise ValueError(f"unknown algorithm {algorithm!r}")


def _name(country: str, organization: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _sign_kwargs(key: SignerKey, rsa_padding: RsaPadding) -> dict:
    kwargs: dict = {"private_key": key, "algorithm": hashes.SHA256()}
    if isinstance(key, rsa.RSAPrivateKey) and rsa_padding == "pss":
        kwargs["rsa_padding"] = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return kwargs


def _key_usage(
    *, digital_signature: bool = False, key_cert_sign: bool = False, crl_sign: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    validity: tuple[_dt.datetime, _dt.datetime],
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
    signing_key: SignerKey,
    rsa_padding: RsaPadding,
) -> x509.Certificate:
    """A certificate with a random serial number; ``extensions`` are (extension, critical) pairs, in order."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(**_sign_kwargs(signing_key, rsa_padding))


def _csca_certificate(key: SignerKey, name: x509.Name, now: _dt.datetime, rsa_padding: RsaPadding) -> x509.Certificate:
    public = key.public_key()
    extensions = [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (_key_usage(key_cert_sign=True, crl_sign=True), True),
        (x509.SubjectKeyIdentifier.from_public_key(public), False),
    ]
    validity = (now - _dt.timedelta(days=365), now + _dt.timedelta(days=15 * 365))
    return _certificate(name, name, public, validity, extensions, key, rsa_padding)


def _signer_certificate(
    subject: x509.Name,
    public: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    validity: tuple[_dt.datetime, _dt.datetime],
    issuer: x509.Certificate,
    issuer_key: SignerKey,
    rsa_padding: RsaPadding,
) -> x509.Certificate:
    """A signer (DSC, master list signer) certificate: digitalSignature only, SKI and AKI, issued by ``issuer``."""
    extensions = [
        (_key_usage(digital_signature=True), True),
        (x509.SubjectKeyIdentifier.from_public_key(public), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False),
    ]
    return _certificate(subject, issuer.subject, public, validity, extensions, issuer_key, rsa_padding)


@dataclass(frozen=True)
class TestPki:
    """A CSCA and a Document Signer (DSC) for one test country, able to sign EF.SOD."""

    __test__ = False  # not a pytest test class

    csca_key: SignerKey
    csca_certificate: x509.Certificate
    dsc_key: SignerKey
    dsc_certificate: x509.Certificate
    #: The certificate that actually signed the DSC: ``csca_certificate`` unless generated with
    #: ``foreign_csca=True`` (then a CSCA with the same name but another key, not exported as trust anchor).
    dsc_issuer_certificate: x509.Certificate
    rsa_padding: RsaPadding = "pkcs1v15"

    @classmethod
    def generate(
        cls,
        country: str = "VN",
        algorithm: Algorithm = "ecdsa-p256",
        *,
        organization: str = "Test",
        csca_key: SignerKey | None = None,
        dsc_key: SignerKey | None = None,
        rsa_padding: RsaPadding = "pkcs1v15",
        now: _dt.datetime | None = None,
        dsc_expired: bool = False,
        foreign_csca: bool = False,
        foreign_csca_key: SignerKey | None = None,
    ) -> TestPki:
        """Make a self-signed CSCA and a DSC signed by it; pass keys to skip slow RSA generation.

        ``dsc_expired``: the DSC's validity ended a day before ``now``, so SODs signed "now" come from an
        expired signer. ``foreign_csca``: the DSC is signed by another CSCA with the same name, so it will
        not verify under the exported :attr:`csca_certificate`.
        """
        now = (now or _dt.datetime.now(_dt.UTC)).astimezone(_dt.UTC)
        csca_key = csca_key or generate_key(algorithm)
        dsc_key = dsc_key or generate_key(algorithm)
        csca_name = _name(country, organization, "Test CSCA")
        csca = _csca_certificate(csca_key, csca_name, now, rsa_padding)
        issuer_key, issuer = csca_key, csca
        if foreign_csca:
            issuer_key = foreign_csca_key or generate_key(algorithm)
            issuer = _csca_certificate(issuer_key, csca_name, now, rsa_padding)

        if dsc_expired:
            not_before, not_after = now - _dt.timedelta(days=3 * 365), now - _dt.timedelta(days=1)
        else:
            not_before, not_after = now - _dt.timedelta(days=30), now + _dt.timedelta(days=10 * 365)
        dsc = _signer_certificate(
            _name(country, organization, "Test Document Signer"),
            dsc_key.public_key(),
            (not_before, not_after),
            issuer,
            issuer_key,
            rsa_padding,
        )
        return cls(csca_key, csca, dsc_key, dsc, issuer, rsa_padding)

    def sign_sod(
        self,
        data_groups: Mapping[int, bytes],
        *,
        digest_algorithm: str = "sha256",
        signing_time: _dt.datetime | None = None,
        include_signing_time: bool = True,
        signer_id: Literal["issuer_serial", "ski"] = "issuer_serial",
        lds_version_info: tuple[str, str] | None = None,
        corrupt_signature: bool = False,
    ) -> bytes:
        """EF.SOD over the complete bytes of each data group (number -> file content), signed by the DSC.

        ``corrupt_signature``: flip one bit of the signature (still well-formed), so Passive Authentication
        must find the SOD's signature wrong while everything else holds.
        """
        if include_signing_time and signing_time is None:
            signing_time = _dt.datetime.now(_dt.UTC)
        sod = build_sod(
            hash_data_groups(data_groups, digest_algorithm),
            signer_key=self.dsc_key,
            signer_certificate=self.dsc_certificate,
            digest_algorithm=digest_algorithm,
            rsa_padding=self.rsa_padding,
            signing_time=signing_time if include_signing_time else None,
            signer_id=signer_id,
            lds_version_info=lds_version_info,
        )
        if corrupt_signature:
            sod = corrupt_sod_signature(sod)
        return sod

    # --- master lists and CRLs ------------------------------------------------------------------------------

    def master_list_signer(
        self, *, key: SignerKey | None = None, now: _dt.datetime | None = None
    ) -> MasterListSigner:
        """A master list signer certificate issued by this CSCA (as national master lists are signed)."""
        now = (now or _dt.datetime.now(_dt.UTC)).astimezone(_dt.UTC)
        key = key or generate_key("ecdsa-p256")
        country = self.csca_certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
        organization = self.csca_certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
        certificate = _signer_certificate(
            _name(str(country), str(organization), "Test Master List Signer"),
            key.public_key(),
            (now - _dt.timedelta(days=30), now + _dt.timedelta(days=3 * 365)),
            self.csca_certificate,
            self.csca_key,
            self.rsa_padding,
        )
        return MasterListSigner(key, certificate)

    def master_list(
        self,
        *,
        signer: MasterListSigner | None = None,
        certificates: Sequence[x509.Certificate] | None = None,
        include_signer_certificate: bool = True,
        signing_time: _dt.datetime | None = None,
        corrupt_signature: bool = False,
    ) -> bytes:
        """A CMS CSCA master list (ICAO / BSI format) holding ``certificates`` (default: this CSCA), signed by
        ``signer`` (default: a fresh master list signer issued by this CSCA)."""
        signer = signer or self.master_list_signer()
        data = build_master_list(
            certificates if certificates is not None else (self.csca_certificate,),
            signer_key=signer.key,
            signer_certificate=signer.certificate,
            include_signer_certificate=include_signer_certificate,
            signing_time=signing_time or _dt.datetime.now(_dt.UTC),
        )
        return data[:-1] + bytes([data[-1] ^ 0x01]) if corrupt_signature else data

    def crl(
        self,
        revoked_serials: Iterable[int] = (),
        *,
        now: _dt.datetime | None = None,
        signer_key: SignerKey | None = None,
    ) -> bytes:
        """A DER CRL from this CSCA revoking ``revoked_serials`` (e.g. ``[pki.dsc_certificate.serial_number]``).

        ``signer_key``: sign with another key instead (a CRL no CSCA in the store verifies).
        """
        now = (now or _dt.datetime.now(_dt.UTC)).astimezone(_dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.csca_certificate.subject)
            .last_update(now - _dt.timedelta(hours=1))
            .next_update(now + _dt.timedelta(days=90))
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.csca_key.public_key()), critical=False
            )
        )
        for serial in revoked_serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - _dt.timedelta(minutes=30))
                .build()
            )
        crl = builder.sign(**_sign_kwargs(signer_key or self.csca_key, self.rsa_padding))
        return crl.public_bytes(serialization.Encoding.DER)

    # --- export ---------------------------------------------------------------------------------------------

    def csca_pem(self) -> bytes:
        """The trust anchor a reader needs, as PEM."""
        return self.csca_certificate.public_bytes(serialization.Encoding.PEM)

    def csca_der(self) -> bytes:
        """The trust anchor a reader needs, as DER."""
        return self.csca_certificate.public_bytes(serialization.Encoding.DER)

    def write_csca(self, path: str | Path) -> Path:
        """Write the CSCA certificate as a PEM file for a reader in another process; returns the path."""
        path = Path(path)
        path.write_bytes(self.csca_pem())
        return path

    def to_pem(self) -> bytes:
        """The whole PKI (certificates and unencrypted private keys) as concatenated PEM. Test use only."""
        blocks = [
            self.csca_certificate.public_bytes(serialization.Encoding.PEM),
            self.dsc_certificate.public_bytes(serialization.Encoding.PEM),
            self.dsc_issuer_certificate.public_bytes(serialization.Encoding.PEM),
        ]
        for key in (self.csca_key, self.dsc_key):
            blocks.append(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        return b"".join(blocks)

    @classmethod
    def from_pem(cls, data: bytes, *, rsa_padding: RsaPadding | None = None) -> TestPki:
        """Reload a PKI written by :meth:`to_pem` (RSA padding inferred from the DSC unless given)."""
        certificates = x509.load_pem_x509_certificates(data)
        marker = b"-----BEGIN PRIVATE KEY-----"
        keys = [serialization.load_pem_private_key(marker + chunk, password=None) for chunk in data.split(marker)[1:]]
        if len(certificates) != 3 or len(keys) != 2:
            raise ValueError("expected 3 certificates and 2 private keys")
        for key in keys:
            if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
                raise ValueError("unsupported private key type")
        if rsa_padding is None:
            pss = certificates[1].signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS
            rsa_padding = "pss" if pss else "pkcs1v15"
        return cls(keys[0], certificates[0], keys[1], certificates[1], certificates[2], rsa_padding)


@dataclass(frozen=True)
class MasterListSigner:
    """A master list signer's key and certificate."""

    key: SignerKey
    certificate: x509.Certificate


def corrupt_sod_signature(sod: bytes) -> bytes:
    """EF.SOD with one bit of its signature flipped (the signature is the last field of the encoding)."""
    signature = parse_sod(sod).signed.signature
    if not sod.endswith(signature):
        raise ValueError("EF.SOD does not end with its signature")
    return sod[:-1] + bytes([sod[-1] ^ 0x01])


def build_master_list(
    certificates: Sequence[x509.Certificate],
    *,
    signer_key: SignerKey,
    signer_certificate: x509.Certificate,
    include_signer_certificate: bool = True,
    signing_time: _dt.datetime | None = None,
) -> bytes:
    """DER ContentInfo of a CSCA master list: SignedData (SHA-256, ECDSA or RSA PKCS#1 v1.5) whose eContent
    (id-icao-cscaMasterList) is ``CscaMasterList { version 0, certList }``."""
    cert_list = b"".join(c.public_bytes(serialization.Encoding.DER) for c in certificates)
    econtent = encode_tlv(0x30, b"\x02\x01\x00" + encode_tlv(0x31, cert_list))
    return build_signed_data(
        ID_CSCA_MASTER_LIST,
        econtent,
        signer_key=signer_key,
        signer_certificate=signer_certificate,
        signing_time=signing_time,
        certificates=(signer_certificate,) if include_signer_certificate else (),
    )


def load_csca(path: str | Path) -> x509.Certificate:
    """Read a CSCA certificate written by :meth:`TestPki.write_csca` (PEM or DER)."""
    data = Path(path).read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)
