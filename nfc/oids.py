"""Object identifiers of ICAO 9303-11 / BSI TR-03110 security protocols, and what each one means."""

from __future__ import annotations

from dataclasses import dataclass

BSI_DE = "0.4.0.127.0.7"
ID_PK = BSI_DE + ".2.2.1"
ID_PK_DH = ID_PK + ".1"
ID_PK_ECDH = ID_PK + ".2"
ID_CA = BSI_DE + ".2.2.3"
ID_PACE = BSI_DE + ".2.2.4"
ID_TA = BSI_DE + ".2.2.2"
ID_ACTIVE_AUTHENTICATION = "2.23.136.1.1.5"
ID_ICAO_MRTD_SECURITY = "2.23.136.1.1"
ID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"

_MAPPINGS = {"1": ("DH", "GM"), "2": ("ECDH", "GM"), "3": ("DH", "IM"), "4": ("ECDH", "IM"), "6": ("ECDH", "CAM")}
_CIPHERS = {"1": ("DESede", 16), "2": ("AES", 16), "3": ("AES", 24), "4": ("AES", 32)}

# ICAO 9303-11 table 6 / TR-03110 standardized domain parameters: id -> curve name (None for DH groups).
STANDARDIZED_DOMAIN_PARAMETERS: dict[int, str] = {
    0: "modp1024_160", 1: "modp2048_224", 2: "modp2048_256",
    8: "secp192r1", 9: "brainpoolP192r1", 10: "secp224r1", 11: "brainpoolP224r1", 12: "secp256r1",
    13: "brainpoolP256r1", 14: "brainpoolP320r1", 15: "secp384r1", 16: "brainpoolP384r1",
    17: "brainpoolP512r1", 18: "secp521r1",
}


def pace_oid(agreement: str, mapping: str, cipher: str, key_length: int) -> str:
    """The PACE protocol OID for a combination, e.g. ("ECDH", "GM", "AES", 16) -> id-PACE-ECDH-GM-AES-CBC-CMAC-128."""
    m = next(k for k, v in _MAPPINGS.items() if v == (agreement, mapping))
    c = next(k for k, v in _CIPHERS.items() if v == (cipher, key_length))
    return f"{ID_PACE}.{m}.{c}"


@dataclass(frozen=True)
class PaceInfo:
    """One PACEInfo from EF.CardAccess: which PACE variant the chip offers."""

    protocol: str
    version: int = 2
    parameter_id: int | None = None

    def _parts(self) -> tuple[str, str]:
        if not self.protocol.startswith(ID_PACE + "."):
            raise ValueError(f"not a PACE protocol OID: {self.protocol}")
        tail = self.protocol[len(ID_PACE) + 1 :].split(".")
        if len(tail) != 2 or tail[0] not in _MAPPINGS or tail[1] not in _CIPHERS:
            raise ValueError(f"unknown PACE protocol OID: {self.protocol}")
        return tail[0], tail[1]

    @property
    def agreement(self) -> str:
        """"ECDH" or "DH"."""
        return _MAPPINGS[self._parts()[0]][0]

    @property
    def mapping(self) -> str:
        """"GM" (generic), "IM" (integrated) or "CAM" (chip authentication mapping)."""
        return _MAPPINGS[self._parts()[0]][1]

    @property
    def cipher(self) -> str:
        """"DESede" or "AES"."""
        return _CIPHERS[self._parts()[1]][0]

    @property
    def key_length(self) -> int:
        """Session key length in bytes: 16, 24 or 32."""
        return _CIPHERS[self._parts()[1]][1]

    @property
    def curve(self) -> str | None:
        """Curve name of the standardized domain parameters, None when unknown or DH."""
        if self.parameter_id is None:
            return None
        name = STANDARDIZED_DOMAIN_PARAMETERS.get(self.parameter_id)
        return None if name is None or name.startswith("modp") else name

    @property
    def supported(self) -> bool:
        """Whether this library can run this variant (ECDH generic mapping on a standardized curve)."""
        try:
            return self.agreement == "ECDH" and self.mapping == "GM" and self.curve is not None
        except ValueError:
            return False


PACE_ECDH_GM_AES_128 = pace_oid("ECDH", "GM", "AES", 16)
