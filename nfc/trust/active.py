"""Active Authentication, terminal side (ICAO 9303-11 §6.1): is the chip holding the private key of DG15?

The terminal sends an 8-byte challenge with INTERNAL AUTHENTICATE; the chip answers with either an RSA
signature under ISO/IEC 9796-2 digital signature scheme 1 (partial message recovery: the recovered part M1 is
a chip nonce, the non-recoverable part M2 is the challenge) or an ECDSA signature in plain ``r || s`` form.
A signature that does not verify (a clone, a wrong key, tampering) gives ``False``; a key or signature that
cannot even be read raises :class:`ActiveAuthenticationError`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from pyasn1_modules import rfc3279, rfc5280

from nfc.crypto import EC_CURVES, HASHES
from nfc.decoding import X509_ERRORS, decode_asn1, decoding
from nfc.errors import ParseError

_STEP = "active_authentication"


class ActiveAuthenticationError(ParseError):
    """The DG15 public key or the chip's INTERNAL AUTHENTICATE answer is malformed or unsupported."""

    message_key = "chip.active_auth_malformed"


#: ISO/IEC 10118-3 hash identifiers, as in the two-byte 9796-2 trailer ``<id> CC``.
ISO9796_HASH_IDS: dict[str, int] = {
    "sha1": 0x33,
    "sha256": 0x34,
    "sha512": 0x35,
    "sha384": 0x36,
    "sha224": 0x38,
}
_HASH_BY_ID = {value: name for name, value in ISO9796_HASH_IDS.items()}
TRAILER_IMPLICIT = 0xBC

#: ActiveAuthenticationInfo.signatureAlgorithm (DG14) -> hash name (BSI TR-03111 ecdsa-plain-signatures).
AA_SIGNATURE_ALGORITHMS: dict[str, str] = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1",
    "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512",
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}

_IMPLICIT_CANDIDATES = ("sha1", "sha256", "sha224", "sha384", "sha512")

ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
ID_PRIME_FIELD = "1.2.840.10045.1.1"


@dataclass(frozen=True)
class CurveParameters:
    """Domain parameters of a prime curve, to recognise DG15 keys given with explicit parameters."""

    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int


_Curve = CurveParameters

#: Curves this library recognises in explicit form, by cryptography's curve name.
EXPLICIT_CURVES: dict[str, CurveParameters] = {
    "secp224r1": _Curve(
        p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001,
        a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE,
        b=0xB4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4,
        gx=0xB70E0CBD6BB4BF7F321390B94A03C1D356C21122343280D6115C1D21,
        gy=0xBD376388B5F723FB4C22DFE6CD4375A05A07476444D5819985007E34,
        n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D,
    ),
    "secp256r1": _Curve(
        p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
        a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
        b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
        gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
        n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    ),
    "secp384r1": _Curve(
        p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF,
        a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC,
        b=0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
        gx=0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
        gy=0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
        n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    ),
    "secp521r1": _Curve(
        p=0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
        a=0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC,
        b=0x51953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
        gx=0xC6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66,
        gy=0x11839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650,
        n=0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
    ),
    "brainpoolP256r1": _Curve(
        p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
        a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
        b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
        gx=0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
        gy=0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
        n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
    ),
    "brainpoolP384r1": _Curve(
        p=0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53,
        a=0x7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826,
        b=0x4A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11,
        gx=0x1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E,
        gy=0x8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315,
        n=0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565,
    ),
    "brainpoolP512r1": _Curve(
        p=0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3,
        a=0x7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA,
        b=0x3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723,
        gx=0x81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822,
        gy=0x7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892,
        n=0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069,
    ),
}



def normalize_hash_name(name: str) -> str:
    """``"SHA-256"``, ``"SHA256"``, ``"sha256"`` or a DG14 signature algorithm OID -> ``"sha256"``."""
    if name in AA_SIGNATURE_ALGORITHMS:
        return AA_SIGNATURE_ALGORITHMS[name]
    normalized = name.lower().replace("-", "").replace("_", "")
    if normalized not in HASHES:
        raise ActiveAuthenticationError(f"unsupported hash algorithm {name!r}", step=_STEP)
    return normalized


def load_public_key(public_key_info: bytes) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    """Read DG15's SubjectPublicKeyInfo: RSA, or EC with a named curve or explicit (known) parameters."""
    try:
        key = serialization.load_der_public_key(bytes(public_key_info))
    except X509_ERRORS:
        return _load_explicit_ec_key(bytes(public_key_info))
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ActiveAuthenticationError("Active Authentication key is neither RSA nor EC", step=_STEP)
    return key


def _load_explicit_ec_key(data: bytes) -> ec.EllipticCurvePublicKey:
    try:
        with decoding("Active Authentication public key", step=_STEP):
            return _explicit_ec_key(data)
    except ActiveAuthenticationError:
        raise
    except ParseError:
        raise ActiveAuthenticationError("unreadable Active Authentication public key", step=_STEP) from None


def _explicit_ec_key(data: bytes) -> ec.EllipticCurvePublicKey:
    spki = decode_asn1(data, rfc5280.SubjectPublicKeyInfo(), "the public key", der=True)
    algorithm = spki["algorithm"]
    if str(algorithm["algorithm"]) != ID_EC_PUBLIC_KEY or not algorithm["parameters"].isValue:
        raise ActiveAuthenticationError("unreadable Active Authentication public key", step=_STEP)
    params = decode_asn1(bytes(algorithm["parameters"]), rfc3279.ECParameters(), "EC parameters", der=True)
    if str(params["fieldID"]["fieldType"]) != ID_PRIME_FIELD:
        raise ActiveAuthenticationError("unsupported EC domain parameters", step=_STEP)
    prime = decode_asn1(bytes(params["fieldID"]["parameters"]), rfc3279.Prime_p(), "EC prime", der=True)
    found = (
        int(prime),
        int.from_bytes(bytes(params["curve"]["a"]), "big"),
        int.from_bytes(bytes(params["curve"]["b"]), "big"),
        int(params["order"]),
    )
    point = spki["subjectPublicKey"].asOctets()
    for name, curve in EXPLICIT_CURVES.items():
        if (curve.p, curve.a, curve.b, curve.n) == found:
            try:
                return ec.EllipticCurvePublicKey.from_encoded_point(EC_CURVES[name](), point)
            except ValueError as exc:
                raise ActiveAuthenticationError("EC public point is not on its curve", step=_STEP) from exc
    raise ActiveAuthenticationError("EC domain parameters of an unknown curve", step=_STEP)


def verify_active_authentication(
    public_key_info: bytes, challenge: bytes, signature: bytes, hash_name: str | None = None
) -> bool:
    """Whether ``signature`` is the chip's answer to ``challenge`` under the DG15 key ``public_key_info``.

    ``hash_name`` comes from DG14's ActiveAuthenticationInfo: it selects the ECDSA hash (default SHA-256)
    and, for RSA with the implicit trailer ``BC``, the hash (default: SHA-1, then the SHA-2 family are
    tried). An explicit 9796-2 trailer names its own hash.
    """
    key = load_public_key(public_key_info)
    wanted = normalize_hash_name(hash_name) if hash_name is not None else None
    if isinstance(key, rsa.RSAPublicKey):
        return _verify_rsa(key, bytes(challenge), bytes(signature), wanted)
    return _verify_ecdsa(key, bytes(challenge), bytes(signature), wanted or "sha256")


def _verify_ecdsa(key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes, hash_name: str) -> bool:
    size = (key.curve.key_size + 7) // 8
    if len(signature) == 2 * size:
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
    elif signature[:1] == b"\x30":  # some chips answer with a DER ECDSA-Sig-Value
        try:
            r, s = decode_dss_signature(signature)
        except ValueError as exc:
            raise ActiveAuthenticationError("malformed ECDSA signature", step=_STEP) from exc
    else:
        raise ActiveAuthenticationError(f"ECDSA signature is {len(signature)} bytes, expected {2 * size}", step=_STEP)
    if r <= 0 or s <= 0:
        return False
    try:
        key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(HASHES[hash_name]()))
    except InvalidSignature:
        return False
    return True


def _verify_rsa(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes, hash_name: str | None) -> bool:
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        raise ActiveAuthenticationError(f"RSA signature is {len(signature)} bytes, expected {k}", step=_STEP)
    s = int.from_bytes(signature, "big")
    if not 0 < s < n:
        return False
    j = pow(s, e, n)
    # ISO/IEC 9796-2 lets the chip send min(J, n - J); the right representative ends in nibble C.
    return any(
        candidate & 0x0F == 0x0C and _check_9796_2_representative(candidate.to_bytes(k, "big"), challenge, hash_name)
        for candidate in (j, n - j)
    )


def _check_9796_2_representative(f: bytes, challenge: bytes, hash_name: str | None) -> bool:
    k = len(f)
    if f[0] & 0xC0 != 0x40:  # header '01'
        return False
    partial = bool(f[0] & 0x20)  # ICAO chips use partial recovery: M2 (the challenge) is not in F
    if f[-1] == TRAILER_IMPLICIT:
        trailer_length = 1
        candidates: tuple[str, ...] = (hash_name,) if hash_name is not None else _IMPLICIT_CANDIDATES
    elif f[-1] == 0xCC and f[-2] in _HASH_BY_ID:
        trailer_length = 2
        candidates = (_HASH_BY_ID[f[-2]],)
    else:
        return False
    low = f[0] & 0x0F
    if low == 0x0A:
        start = 1
    elif low == 0x0B:  # padding nibbles B...B A before M1
        start = 1
        while start < k and f[start] == 0xBB:
            start += 1
        if start >= k or f[start] != 0xBA:
            return False
        start += 1
    else:
        return False
    for name in candidates:
        digest_size = hashlib.new(name).digest_size
        end = k - trailer_length - digest_size
        if end < start:
            continue
        m1 = f[start:end]
        if not partial and not hmac.compare_digest(m1, challenge):
            continue
        expected = hashlib.new(name, m1 + challenge if partial else m1).digest()
        if hmac.compare_digest(expected, f[end : k - trailer_length]):
            return True
    return False
