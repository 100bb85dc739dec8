"""Every object identifier the chip library knows, in one table, with what it means.

Sources: ICAO Doc 9303 part 10 (LDS content types) and part 11 (PACE, Chip and Active Authentication),
BSI TR-03110 part 3 (protocol OIDs), BSI TR-03111 (plain ECDSA signatures), RFC 5652 (CMS attributes),
RFC 5754 / RFC 3279 / RFC 5758 / RFC 4055 (digest and signature algorithms), RFC 5280 (X.509 extensions),
ISO/IEC 10646 (the UTF-8 character set the Vietnamese DG13 announces).
"""

from __future__ import annotations

# --- BSI TR-03110 protocols (bsi-de 0.4.0.127.0.7) --------------------------------------------------------

BSI_DE = "0.4.0.127.0.7"
ID_PK = BSI_DE + ".2.2.1"
ID_PK_DH = ID_PK + ".1"
ID_PK_ECDH = ID_PK + ".2"
ID_TA = BSI_DE + ".2.2.2"
ID_CA = BSI_DE + ".2.2.3"
ID_PACE = BSI_DE + ".2.2.4"

ID_CA_DH = ID_CA + ".1"
ID_CA_ECDH = ID_CA + ".2"
ID_CA_DH_3DES = ID_CA_DH + ".1"
ID_CA_ECDH_3DES = ID_CA_ECDH + ".1"
ID_CA_ECDH_AES_128 = ID_CA_ECDH + ".2"
ID_CA_ECDH_AES_192 = ID_CA_ECDH + ".3"
ID_CA_ECDH_AES_256 = ID_CA_ECDH + ".4"

#: The last two arcs of id-PACE-* and id-CA-*: key agreement and mapping, then cipher and key length.
_MAPPINGS = {"1": ("DH", "GM"), "2": ("ECDH", "GM"), "3": ("DH", "IM"), "4": ("ECDH", "IM"), "6": ("ECDH", "CAM")}
_AGREEMENTS = {"1": "DH", "2": "ECDH"}
_CIPHERS = {"1": ("DESede", 16), "2": ("AES", 16), "3": ("AES", 24), "4": ("AES", 32)}
_CIPHER_NAMES = {"1": "3DES-CBC-CBC", "2": "AES-CBC-CMAC-128", "3": "AES-CBC-CMAC-192", "4": "AES-CBC-CMAC-256"}

#: ICAO 9303-11 table 6 / TR-03110 standardized domain parameters: id -> curve name (modp… for DH groups).
STANDARDIZED_DOMAIN_PARAMETERS: dict[int, str] = {
    0: "modp1024_160", 1: "modp2048_224", 2: "modp2048_256",
    8: "secp192r1", 9: "brainpoolP192r1", 10: "secp224r1", 11: "brainpoolP224r1", 12: "secp256r1",
    13: "brainpoolP256r1", 14: "brainpoolP320r1", 15: "secp384r1", 16: "brainpoolP384r1",
    17: "brainpoolP512r1", 18: "secp521r1",
}


def _tail(oid: str, base: str) -> list[str]:
    if not oid.startswith(base + "."):
        raise ValueError(f"not an OID under {base}: {oid}")
    return oid[len(base) + 1 :].split(".")


def pace_parts(oid: str) -> tuple[str, str, str, int]:
    """(agreement, mapping, cipher, key length) of an id-PACE-* protocol OID; ValueError for any other."""
    tail = _tail(oid, ID_PACE)
    if len(tail) != 2 or tail[0] not in _MAPPINGS or tail[1] not in _CIPHERS:
        raise ValueError(f"unknown PACE protocol OID: {oid}")
    return (*_MAPPINGS[tail[0]], *_CIPHERS[tail[1]])


def pace_oid(agreement: str, mapping: str, cipher: str, key_length: int) -> str:
    """The PACE protocol OID for a combination, e.g. ("ECDH", "GM", "AES", 16) -> id-PACE-ECDH-GM-AES-CBC-CMAC-128."""
    m = next(k for k, v in _MAPPINGS.items() if v == (agreement, mapping))
    c = next(k for k, v in _CIPHERS.items() if v == (cipher, key_length))
    return f"{ID_PACE}.{m}.{c}"


def ca_parts(oid: str) -> tuple[str, str, int]:
    """(agreement, cipher, key length) of an id-CA-DH-* / id-CA-ECDH-* protocol OID; ValueError for any other."""
    tail = _tail(oid, ID_CA)
    if len(tail) != 2 or tail[0] not in _AGREEMENTS or tail[1] not in _CIPHERS:
        raise ValueError(f"unknown Chip Authentication protocol OID: {oid}")
    return (_AGREEMENTS[tail[0]], *_CIPHERS[tail[1]])


def ca_protocol_name(oid: str) -> str:
    """"id-CA-ECDH-AES-CBC-CMAC-128" for its OID (the OID itself when it is not a CA protocol)."""
    try:
        agreement = ca_parts(oid)[0]
    except ValueError:
        return oid
    return f"id-CA-{agreement}-{_CIPHER_NAMES[oid.rsplit('.', 1)[1]]}"


PACE_ECDH_GM_AES_128 = pace_oid("ECDH", "GM", "AES", 16)

# --- ICAO (2.23.136.1.1) and ISO/IEC 10646 ----------------------------------------------------------------

ID_ICAO_MRTD_SECURITY = "2.23.136.1.1"
ID_LDS_SECURITY_OBJECT = ID_ICAO_MRTD_SECURITY + ".1"
ID_CSCA_MASTER_LIST = ID_ICAO_MRTD_SECURITY + ".2"
ID_ACTIVE_AUTHENTICATION = ID_ICAO_MRTD_SECURITY + ".5"
ID_ICAO_NAME_CHANGE = ID_ICAO_MRTD_SECURITY + ".6.1"
ID_ICAO_DOCUMENT_TYPE_LIST = ID_ICAO_MRTD_SECURITY + ".6.2"
ID_UTF8 = "1.0.10646.1.0.8"

# --- CMS (RFC 5652) -----------------------------------------------------------------------------------------

ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
ID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
ID_SIGNING_TIME = "1.2.840.113549.1.9.5"

# --- digests and signatures -----------------------------------------------------------------------------------

#: Digest algorithm OID -> hashlib / cryptography name.
DIGEST_ALGORITHMS: dict[str, str] = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
#: hashlib / cryptography name -> digest algorithm OID.
DIGEST_OIDS: dict[str, str] = {name: oid for oid, name in DIGEST_ALGORITHMS.items()}

ID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
ID_MGF1 = "1.2.840.113549.1.1.8"
ID_RSASSA_PSS = "1.2.840.113549.1.1.10"
ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
ID_PRIME_FIELD = "1.2.840.10045.1.1"

#: Hash name -> sha*WithRSAEncryption (RSA PKCS#1 v1.5).
RSA_PKCS1_SIGNATURE_OIDS: dict[str, str] = {
    "sha1": "1.2.840.113549.1.1.5",
    "sha224": "1.2.840.113549.1.1.14",
    "sha256": "1.2.840.113549.1.1.11",
    "sha384": "1.2.840.113549.1.1.12",
    "sha512": "1.2.840.113549.1.1.13",
}
#: Hash name -> ecdsa-with-SHA* (a DER ECDSA-Sig-Value).
ECDSA_SIGNATURE_OIDS: dict[str, str] = {
    "sha1": "1.2.840.10045.4.1",
    "sha224": "1.2.840.10045.4.3.1",
    "sha256": "1.2.840.10045.4.3.2",
    "sha384": "1.2.840.10045.4.3.3",
    "sha512": "1.2.840.10045.4.3.4",
}
#: Hash name -> BSI TR-03111 ecdsa-plain-SHA* (the signature is r || s).
ECDSA_PLAIN_SIGNATURE_OIDS: dict[str, str] = {
    "sha1": BSI_DE + ".1.1.4.1.1",
    "sha224": BSI_DE + ".1.1.4.1.2",
    "sha256": BSI_DE + ".1.1.4.1.3",
    "sha384": BSI_DE + ".1.1.4.1.4",
    "sha512": BSI_DE + ".1.1.4.1.5",
}
#: ecdsa-plain-SHA* OID -> hash name.
ECDSA_PLAIN_OIDS: dict[str, str] = {oid: name for name, oid in ECDSA_PLAIN_SIGNATURE_OIDS.items()}

#: CMS SignerInfo.signatureAlgorithm -> (scheme, hash); hash None means "the SignerInfo's digest algorithm".
#: rsaEncryption and id-ecPublicKey (a key OID where a signature OID belongs) are seen in many SODs.
SIGNATURE_ALGORITHMS: dict[str, tuple[str, str | None]] = {
    ID_RSA_ENCRYPTION: ("pkcs1", None),
    **{oid: ("pkcs1", name) for name, oid in RSA_PKCS1_SIGNATURE_OIDS.items()},
    ID_RSASSA_PSS: ("pss", None),
    ID_EC_PUBLIC_KEY: ("ecdsa", None),
    **{oid: ("ecdsa", name) for name, oid in ECDSA_SIGNATURE_OIDS.items()},
    **{oid: ("ecdsa", name) for oid, name in ECDSA_PLAIN_OIDS.items()},
}

#: ActiveAuthenticationInfo.signatureAlgorithm (DG14) -> hash name: plain or DER ECDSA.
AA_SIGNATURE_ALGORITHMS: dict[str, str] = {
    **ECDSA_PLAIN_OIDS, **{oid: name for name, oid in ECDSA_SIGNATURE_OIDS.items()},
}

# --- X.509 extensions (RFC 5280 §4.2, ICAO 9303-12) ---------------------------------------------------------

#: Extensions a certificate check understands, or that carry no constraint it must enforce; any other one
#: marked critical makes a certificate unacceptable.
KNOWN_EXTENSIONS = frozenset({
    "2.5.29.14",  # subjectKeyIdentifier
    "2.5.29.35",  # authorityKeyIdentifier
    "2.5.29.15",  # keyUsage
    "2.5.29.19",  # basicConstraints
    "2.5.29.16",  # privateKeyUsagePeriod
    "2.5.29.32",  # certificatePolicies
    "2.5.29.17",  # subjectAltName
    "2.5.29.18",  # issuerAltName
    "2.5.29.31",  # cRLDistributionPoints
    "2.5.29.37",  # extKeyUsage
    "1.3.6.1.5.5.7.1.1",  # authorityInfoAccess
    ID_ICAO_NAME_CHANGE,
    ID_ICAO_DOCUMENT_TYPE_LIST,
})


def oid_bytes(oid: str) -> bytes:
    """DER content octets of an OBJECT IDENTIFIER (no tag, no length), as PACE and CA data objects carry it."""
    arcs = [int(a) for a in oid.split(".")]
    if len(arcs) < 2 or arcs[0] > 2:
        raise ValueError(f"bad OID {oid!r}")
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)
