"""A throw-away test PKI for the virtual CCCD card: a country signing CA (CSCA), a Document Signer, EF.SOD.

Everything is generated in memory; nothing is cached on disk. A card simulator running in another process
hands its trust anchor to the reader side with :meth:`TestPki.write_csca` (a PEM file), or keeps the whole
PKI across restarts with :meth:`TestPki.to_pem` / :meth:`TestPki.from_pem`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID

from nfc.lds.sod import SignerKey, build_sod, hash_data_groups

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


def _csca_certificate(key: SignerKey, name: x509.Name, now: _dt.datetime, rsa_padding: RsaPadding) -> x509.Certificate:
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=365))
        .not_valid_after(now + _dt.timedelta(days=15 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(**_sign_kwargs(key, rsa_padding))
    )


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
        public = dsc_key.public_key()
        dsc = (
            x509.CertificateBuilder()
            .subject_name(_name(country, organization, "Test Document Signer"))
            .issuer_name(issuer.subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
            .sign(**_sign_kwargs(issuer_key, rsa_padding))
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
    ) -> bytes:
        """EF.SOD over the complete bytes of each data group (number -> file content), signed by the DSC."""
        if include_signing_time and signing_time is None:
            signing_time = _dt.datetime.now(_dt.UTC)
        return build_sod(
            hash_data_groups(data_groups, digest_algorithm),
            signer_key=self.dsc_key,
            signer_certificate=self.dsc_certificate,
            digest_algorithm=digest_algorithm,
            rsa_padding=self.rsa_padding,
            signing_time=signing_time if include_signing_time else None,
            signer_id=signer_id,
            lds_version_info=lds_version_info,
        )

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


def load_csca(path: str | Path) -> x509.Certificate:
    """Read a CSCA certificate written by :meth:`TestPki.write_csca` (PEM or DER)."""
    data = Path(path).read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)
