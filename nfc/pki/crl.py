"""Certificate revocation lists (RFC 5280 §5) as CSCAs publish them for their Document Signers."""

from __future__ import annotations

from cryptography import x509

from nfc.decoding import decoding
from nfc.pki.keys import PublicKey
from nfc.pki.signatures import verify_x509_signature


def parse_crl(der: bytes) -> x509.CertificateRevocationList:
    """A DER CRL with every field read once (`cryptography` parses lazily); ParseError when malformed."""
    with decoding("CRL", step="trust_store"):
        crl = x509.load_der_x509_crl(bytes(der))
        crl.issuer.rfc4514_string()
        list(crl.extensions)
        _ = crl.last_update_utc, crl.next_update_utc, [entry.revocation_date_utc for entry in crl]
        return crl


def crl_signature_problem(crl: x509.CertificateRevocationList, issuer_key: PublicKey) -> str | None:
    """None when ``issuer_key`` verifies the CRL's signature, else what is wrong."""
    return verify_x509_signature(issuer_key, crl.signature, crl.tbs_certlist_bytes, crl)
