"""Build a virtual CCCD from a citizen record and a portrait: every file, signed, plus its keys.

The fault options model what the reader code must survive or detect: a data group changed after
signing (Passive Authentication must fail), a cloned chip whose Active Authentication key is not the one
in DG15, a chip whose Chip Authentication key is not the one in DG14, and a BAC-only card without
EF.CardAccess.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from nfc.access import CanKey
from nfc.lds import EF_CARD_ACCESS, EF_COM, EF_SOD, file_by_name, file_for_data_group
from nfc.lds.com import Com
from nfc.lds.dg1 import Dg1
from nfc.lds.dg2 import Dg2, FaceImage
from nfc.lds.dg13 import CitizenInfo
from nfc.lds.dg15 import Dg15
from nfc.lds.mrz import Mrz
from nfc.lds.security_infos import (
    ActiveAuthenticationInfo,
    CardAccess,
    ChipAuthenticationInfo,
    Dg14,
    PaceInfo,
    SecurityInfo,
)
from nfc.oids import ID_CA_ECDH_AES_128, PACE_ECDH_GM_AES_128
from nfc.sim.active_auth import AaKey
from nfc.sim.card import AnnouncedFile, ChipFile, VirtualCccd
from nfc.sim.chip_auth_chip import ca_public_key_info, generate_ca_key
from nfc.sim.pki import Algorithm, TestPki

# What CCCD chips announce in EF.CardAccess: PACE-ECDH-GM-AES-128 on brainpoolP256r1 (parameter id 13).
CCCD_PACE_INFO = PaceInfo(PACE_ECDH_GM_AES_128, version=2, parameter_id=13)


@dataclass(frozen=True)
class CardOptions:
    """How to build the card. ``aa`` is an :class:`AaKey` kind ("ec-p256", "rsa-1024", …) or None.

    ``chip_auth`` puts a Chip Authentication key (ECDH on ``ca_curve``) in DG14 with a ChipAuthenticationInfo
    for ``ca_protocol`` (version 1, keyId ``ca_key_id`` when not None), repeats that info in EF.CardAccess as
    CCCD chips do, and makes the chip answer the protocol. ``ca_key_mismatch`` gives the chip another private
    key than DG14's (a cloned chip: Chip Authentication must come out invalid).

    Hostile cards: ``raw_files`` puts the given bytes in place of files by name ("EF.CardAccess", "DG13" …,
    after EF.SOD was signed); ``announced_files`` makes files announce that many value bytes (served as zeros);
    ``aa_empty_extended`` makes the chip answer INTERNAL AUTHENTICATE with extended Le without a signature.
    """

    bac_only: bool = False
    pace_infos: tuple[PaceInfo, ...] = (CCCD_PACE_INFO,)
    aa: str | None = "ec-p256"
    clone: bool = False
    tamper_dg: int | None = None
    pki_algorithm: Algorithm = "ecdsa-p256"
    sod: str = "genuine"  # or "expired_dsc", "foreign_csca", "bad_signature": how EF.SOD is (mis)signed
    chip_auth: bool = True
    ca_protocol: str = ID_CA_ECDH_AES_128
    ca_curve: str = "brainpoolP256r1"
    ca_key_id: int | None = None
    ca_key_mismatch: bool = False
    raw_files: tuple[tuple[str, bytes], ...] = ()
    announced_files: tuple[tuple[str, int], ...] = ()
    aa_empty_extended: bool = False


@dataclass(frozen=True)
class BuiltCard:
    card: VirtualCccd
    pki: TestPki
    mrz: Mrz


def build_card(citizen: CitizenInfo, portrait: FaceImage, options: CardOptions = CardOptions(), *,
               pki: TestPki | None = None, aa_key: AaKey | None = None,
               ca_key: ec.EllipticCurvePrivateKey | None = None,
               rng: Callable[[int], bytes] = os.urandom) -> BuiltCard:
    """A card holding ``citizen`` (DG13, and DG1 derived from it) and ``portrait`` (DG2).

    ``aa_key`` / ``ca_key`` reuse given Active / Chip Authentication keys instead of generating them.
    """
    if citizen.id_number is None or citizen.full_name is None or citizen.date_of_birth is None:
        raise ValueError("a CCCD needs at least the ID number, full name and date of birth")
    mrz = Mrz.build_cccd(id_number=citizen.id_number, full_name=citizen.full_name,
                         date_of_birth=citizen.date_of_birth, sex=citizen.sex_code,
                         date_of_expiry=citizen.expiry_date)
    groups: dict[int, bytes] = {1: Dg1(mrz).encode(), 2: Dg2.build(portrait.image, portrait.width,
                                                                    portrait.height, portrait.format).encode()}
    groups[13] = citizen.encode()
    dg14_infos: list[SecurityInfo] = []
    ca_info: ChipAuthenticationInfo | None = None
    chip_ca_key: ec.EllipticCurvePrivateKey | None = None
    if options.chip_auth:
        ca_key = ca_key or generate_ca_key(options.ca_curve)
        ca_info = ChipAuthenticationInfo(options.ca_protocol, 1, options.ca_key_id)
        dg14_infos += [ca_public_key_info(ca_key, options.ca_key_id), ca_info]
        chip_ca_key = generate_ca_key(ca_key.curve.name) if options.ca_key_mismatch else ca_key
    if options.aa is not None:
        aa_key = aa_key or AaKey.generate(options.aa)
        if not aa_key.is_rsa:
            dg14_infos.append(ActiveAuthenticationInfo(aa_key.signature_algorithm_oid))
        groups[15] = Dg15(aa_key.public_key_info()).encode()
    if dg14_infos:
        groups[14] = Dg14(tuple(dg14_infos)).encode()
    pki = pki or TestPki.generate(algorithm=options.pki_algorithm)
    sod = _signing_pki(pki, options).sign_sod(groups, corrupt_signature=options.sod == "bad_signature")
    if options.tamper_dg is not None:
        groups[options.tamper_dg] = _flip_last_byte(groups[options.tamper_dg])
    chip_key = AaKey.generate(options.aa) if options.clone and options.aa else aa_key
    files = {file_for_data_group(n).fid: data for n, data in groups.items()}
    files[EF_COM.fid] = Com.for_data_groups(sorted(groups)).encode()
    files[EF_SOD.fid] = sod
    pace_infos = [] if options.bac_only else list(options.pace_infos)
    if pace_infos:
        files[EF_CARD_ACCESS.fid] = CardAccess((*pace_infos, *([ca_info] if ca_info else []))).encode()
    card = VirtualCccd(_hostile(files, options), can=CanKey(citizen.id_number[-6:]), mrz_key=mrz.access_key(),
                       pace_infos=pace_infos, aa_key=chip_key, ca_key=chip_ca_key,
                       ca_infos=[ca_info] if ca_info else [], rng=rng)
    card.aa_empty_extended = options.aa_empty_extended
    return BuiltCard(card, pki, mrz)


def _hostile(files: dict[int, bytes], options: CardOptions) -> dict[int, ChipFile]:
    """``files`` with the raw and announced-length files of ``options`` in place (KeyError for an unknown name)."""
    out: dict[int, ChipFile] = dict(files)
    for name, data in options.raw_files:
        out[file_by_name(name).fid] = bytes(data)
    for name, length in options.announced_files:
        lds_file = file_by_name(name)
        out[lds_file.fid] = AnnouncedFile(lds_file.tag if lds_file.tag is not None else 0x31, length)
    return out


SOD_VARIANTS = ("genuine", "expired_dsc", "foreign_csca", "bad_signature")


def _signing_pki(pki: TestPki, options: CardOptions) -> TestPki:
    """The PKI that signs EF.SOD: the card's own, or for the fault variants a Document Signer that was
    already expired at signing time, or one issued by another CSCA of the same name."""
    if options.sod not in SOD_VARIANTS:
        raise ValueError(f"unknown EF.SOD variant {options.sod!r}; one of {', '.join(SOD_VARIANTS)}")
    if options.sod == "expired_dsc":
        return TestPki.generate(algorithm=options.pki_algorithm, csca_key=pki.csca_key, dsc_expired=True)
    if options.sod == "foreign_csca":
        return TestPki.generate(algorithm=options.pki_algorithm, csca_key=pki.csca_key, foreign_csca=True)
    return pki


def _flip_last_byte(data: bytes) -> bytes:
    """Change one byte of the value (the last) the way a forger would: a digit or letter for another,
    so the file still parses and only the hash gives it away."""
    last = data[-1]
    if last == ord("<"):
        changed = ord("K")
    elif ord("0") <= last <= ord("9"):
        changed = ord("0") + (last - ord("0") + 1) % 10
    elif ord("A") <= last <= ord("Z"):
        changed = ord("A") + (last - ord("A") + 1) % 26
    else:
        changed = last ^ 0x01
    return data[:-1] + bytes([changed])
