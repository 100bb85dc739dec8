"""CSCA master lists (ICAO 9303-12 §9, BSI TR-03129): CMS SignedData around
``CscaMasterList ::= SEQUENCE { version INTEGER (0), certList SET OF Certificate }``, content type
id-icao-cscaMasterList. The certificates are kept as found; who signed the list, and whether that signer is
trusted, is checked with :func:`~nfc.pki.signatures.signed_data_problems` and the trust store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509

from nfc.decoding import decoding
from nfc.errors import ParseError
from nfc.lds.cms import SignedData, parse_signed_data
from nfc.lds.tlv import encode_tlv, parse_all, read_tlv
from nfc.oids import ID_CSCA_MASTER_LIST
from nfc.pki.signatures import signed_data_problems
from nfc.pki.x509 import certificate_malformation

_STEP = "master_list"


@dataclass(frozen=True)
class MasterList:
    """A parsed CSCA master list: its certificates (DER each, as found) and the SignedData around them."""

    version: int
    certificates: tuple[bytes, ...]
    signed: SignedData

    def signer_certificate(self, others: Iterable[x509.Certificate] = ()) -> x509.Certificate | None:
        """The list signer's certificate, embedded in the list or among ``others``, when it is usable."""
        signer = self.signed.signer_certificate(others)
        return signer if signer is not None and certificate_malformation(signer) is None else None

    def signature_problem(self, signer: x509.Certificate) -> str | None:
        """None when the CMS signature of the list verifies under ``signer``, else what is wrong."""
        problems = signed_data_problems(self.signed, signer, document="the master list", content="the list content",
                                        signer_role="its signer")
        return "; ".join(problems) or None


def parse_master_list(data: bytes) -> MasterList:
    """Parse a CSCA master list (DER ContentInfo). Malformed input raises :class:`ParseError`."""
    try:
        with decoding("master list", step=_STEP):
            return _parse(bytes(data))
    except ParseError as exc:
        if exc.step == _STEP:
            raise
        raise ParseError(f"malformed master list: {exc}", step=_STEP) from exc


def _parse(data: bytes) -> MasterList:
    tag, _, end = read_tlv(data, 0)
    if tag != 0x30 or end != len(data):
        raise ParseError("a master list is one DER SEQUENCE (ContentInfo)", step=_STEP)
    signed = parse_signed_data(data, content_type=ID_CSCA_MASTER_LIST, content_name="id-icao-cscaMasterList",
                               what="master list", step=_STEP)
    version, certificates = _parse_csca_master_list(signed.content)
    if signed.signer_count != 1:
        raise ParseError(f"the master list has {signed.signer_count} SignerInfos, expected 1", step=_STEP)
    return MasterList(version, certificates, signed)


def _parse_csca_master_list(econtent: bytes) -> tuple[int, tuple[bytes, ...]]:
    """CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }, certificates kept raw."""
    tag, body, end = read_tlv(econtent, 0)
    if tag != 0x30 or end != len(econtent):
        raise ParseError("CscaMasterList is not one SEQUENCE", step=_STEP)
    items = parse_all(body)
    if len(items) != 2 or items[0][0] != 0x02 or items[1][0] != 0x31:
        raise ParseError("CscaMasterList must be SEQUENCE { version INTEGER, certList SET OF Certificate }",
                         step=_STEP)
    version = int.from_bytes(items[0][1], "big", signed=True) if items[0][1] else 0
    if version != 0:
        raise ParseError(f"unsupported CscaMasterList version {version}", step=_STEP)
    certificates = []
    for cert_tag, value in parse_all(items[1][1]):
        if cert_tag != 0x30:
            raise ParseError("certList holds something other than certificates", step=_STEP)
        certificates.append(encode_tlv(cert_tag, value))
    return version, tuple(certificates)
