"""A throw-away test PKI for the virtual CCCD card: a country signing CA (CSCA), a Document Signer, EF.SOD.

Everything is generated in memory; nothing is cached on disk. A card simulator running in another process
hands its trust anchor to the reader side with :meth:`TestPki.write_csca` (a PEM file), or keeps the whole
PKI across restarts with :meth:`TestPki.to_pem` / :meth:`TestPki.from_pem`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import univ, useful
from pyasn1_modules import rfc5280, rfc5652

from nfc.lds.sod import (
    ECDSA_SIGNATURE_OIDS,
    RSA_PKCS1_SIGNATURE_OIDS,
    SignerKey,
    build_sod,
    hash_data_groups,
    parse_sod,
)

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
        public = key.public_key()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(str(country), str(organization), "Test Master List Signer"))
            .issuer_name(self.csca_certificate.subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(days=30))
            .not_valid_after(now + _dt.timedelta(days=3 * 365))
            .add_extension(_digital_signature_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.csca_key.public_key()), critical=False
            )
            .sign(**_sign_kwargs(self.csca_key, self.rsa_padding))
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


def _digital_signature_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def corrupt_sod_signature(sod: bytes) -> bytes:
    """EF.SOD with one bit of its signature flipped (the signature is the last field of the encoding)."""
    signature = parse_sod(sod).signature
    if not sod.endswith(signature):
        raise ValueError("EF.SOD does not end with its signature")
    return sod[:-1] + bytes([sod[-1] ^ 0x01])


ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
ID_CSCA_MASTER_LIST = "2.23.136.1.1.2"
_ID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_ID_SIGNING_TIME = "1.2.840.113549.1.9.5"
_ID_SHA256 = "2.16.840.1.101.3.4.2.1"


def _algorithm_identifier(oid: str, null_parameters: bool = False) -> rfc5280.AlgorithmIdentifier:
    algorithm = rfc5280.AlgorithmIdentifier()
    algorithm["algorithm"] = univ.ObjectIdentifier(oid)
    if null_parameters:
        algorithm["parameters"] = der_encoder.encode(univ.Null(""))
    return algorithm


def _signed_attribute(oid: str, value: univ.Asn1Item) -> rfc5652.Attribute:
    attribute = rfc5652.Attribute()
    attribute["attrType"] = univ.ObjectIdentifier(oid)
    attribute["attrValues"].append(der_encoder.encode(value))
    return attribute


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
    econtent = _der_tlv(0x30, b"\x02\x01\x00" + _der_tlv(0x31, cert_list))

    signer = rfc5652.SignerInfo()
    signer["version"] = 1
    issuer_serial = signer["sid"]["issuerAndSerialNumber"]
    issuer_serial["issuer"] = der_decoder.decode(signer_certificate.issuer.public_bytes(), asn1Spec=rfc5280.Name())[0]
    issuer_serial["serialNumber"] = signer_certificate.serial_number
    signer["digestAlgorithm"] = _algorithm_identifier(_ID_SHA256)
    attrs = signer["signedAttrs"]
    attrs.append(_signed_attribute(_ID_CONTENT_TYPE, univ.ObjectIdentifier(ID_CSCA_MASTER_LIST)))
    attrs.append(_signed_attribute(_ID_MESSAGE_DIGEST, univ.OctetString(hashlib.sha256(econtent).digest())))
    if signing_time is not None:
        time = rfc5280.Time()
        time["utcTime"] = useful.UTCTime(signing_time.astimezone(_dt.UTC).strftime("%y%m%d%H%M%SZ"))
        attrs.append(_signed_attribute(_ID_SIGNING_TIME, time))
    to_sign = b"\x31" + der_encoder.encode(attrs)[1:]
    if isinstance(signer_key, ec.EllipticCurvePrivateKey):
        signer["signature"] = signer_key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
        signer["signatureAlgorithm"] = _algorithm_identifier(ECDSA_SIGNATURE_OIDS["sha256"])
    else:
        signer["signature"] = signer_key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
        signer["signatureAlgorithm"] = _algorithm_identifier(RSA_PKCS1_SIGNATURE_OIDS["sha256"], True)

    signed_data = rfc5652.SignedData()
    signed_data["version"] = 3
    signed_data["digestAlgorithms"].append(_algorithm_identifier(_ID_SHA256))
    encap = signed_data["encapContentInfo"]
    encap["eContentType"] = univ.ObjectIdentifier(ID_CSCA_MASTER_LIST)
    encap["eContent"] = econtent
    if include_signer_certificate:
        choice = rfc5652.CertificateChoices()
        choice["certificate"] = der_decoder.decode(
            signer_certificate.public_bytes(serialization.Encoding.DER), asn1Spec=rfc5280.Certificate()
        )[0]
        signed_data["certificates"].append(choice)
    signed_data["signerInfos"].append(signer)
    content_info = rfc5652.ContentInfo()
    content_info["contentType"] = univ.ObjectIdentifier(ID_SIGNED_DATA)
    content_info["content"] = der_encoder.encode(signed_data)
    return der_encoder.encode(content_info)


def _der_tlv(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        return bytes([tag, length]) + value
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(body)]) + body + value


def load_csca(path: str | Path) -> x509.Certificate:
    """Read a CSCA certificate written by :meth:`TestPki.write_csca` (PEM or DER)."""
    data = Path(path).read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)
