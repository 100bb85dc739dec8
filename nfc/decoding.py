"""The third-party decoders behind one door, so hostile bytes only ever raise :class:`~nfc.errors.ParseError`.

pyasn1 raises more than ``PyAsn1Error`` on hostile input: ``OverflowError`` for a length field of eight bytes
(``0688ffffffffffffffff``), ``RecursionError`` for deep nesting, ``ValueError``/``TypeError``/``IndexError``
from inside its codecs and when a decoded value is read. `cryptography` parses certificates lazily, so the
errors of a malformed name or extension come when the field is first read. Every call into either library
on bytes from a chip or an anchor file goes through :func:`decode_asn1` or :func:`decoding`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from pyasn1.codec.ber import decoder as ber_decoder
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type.base import Asn1Item

from nfc.errors import ParseError

#: What pyasn1 (and reading what it decoded) raises for malformed input.
DECODE_ERRORS = (PyAsn1Error, ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError,
                 RecursionError)

#: What `cryptography` raises for certificates, CRLs and keys it cannot read (it parses most parts lazily).
X509_ERRORS = (ValueError, TypeError, OverflowError, UnsupportedAlgorithm, x509.InvalidVersion,
               x509.DuplicateExtension, x509.UnsupportedGeneralNameType)


def decode_asn1(substrate: bytes, spec: Asn1Item, what: str, *, step: str | None = None, der: bool = False) -> Asn1Item:
    """``substrate`` decoded against ``spec`` (BER, or strict DER), with nothing after it.

    Raises :class:`ParseError` naming ``what`` for anything malformed, whatever pyasn1 raised.
    """
    codec = der_decoder if der else ber_decoder
    try:
        value, rest = codec.decode(bytes(substrate), asn1Spec=spec)
    except DECODE_ERRORS as exc:
        raise ParseError(f"{what} is not valid {'DER' if der else 'BER'} ({type(exc).__name__})", step=step) from None
    if rest:
        raise ParseError(f"{what} has {len(rest)} trailing bytes", step=step)
    return value


@contextmanager
def decoding(what: str, *, step: str | None = None) -> Iterator[None]:
    """Turn what pyasn1 or `cryptography` raise inside the block into :class:`ParseError` (ParseError passes)."""
    try:
        yield
    except ParseError:
        raise
    except (*DECODE_ERRORS, *X509_ERRORS) as exc:
        raise ParseError(f"malformed {what} ({type(exc).__name__})", step=step) from None
