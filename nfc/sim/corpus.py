"""Every parser of the chip library, with genuine inputs to start from: the fuzzing corpus.

Each :class:`FuzzTarget` names one parser (or a parser and what is done next with its result, such as
finding the signer of a parsed EF.SOD), the genuine inputs it is fuzzed from, and the errors it may raise
(``NfcError``: a typed error). The inputs come from a virtual card built here (its files, EF.SOD, secure
messaging answers, AA signatures), its test PKI (a master list, a CRL) and a few passport-style samples,
so mutations start from what real chips send. Used by the fuzz tests and ``python -m kiosk bench fuzz``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from nfc.apdu import CommandApdu, ResponseApdu
from nfc.errors import NfcError
from nfc.general_authenticate import parse_dynamic_auth
from nfc.lds import EF_CARD_ACCESS, EF_COM, EF_SOD, file_for_data_group
from nfc.lds.com import Com
from nfc.lds.dg1 import Dg1
from nfc.lds.dg2 import Dg2, FaceImage
from nfc.lds.dg11 import Dg11
from nfc.lds.dg12 import Dg12
from nfc.lds.dg13 import CitizenInfo
from nfc.lds.dg15 import Dg15
from nfc.lds.mrz import Mrz
from nfc.lds.security_infos import CardAccess, Dg14
from nfc.lds.sod import parse_sod
from nfc.lds.tlv import parse_all
from nfc.pki.crl import parse_crl
from nfc.pki.masterlist import parse_master_list
from nfc.sim.active_auth import AaKey
from nfc.sim.builder import build_card
from nfc.sim.citizen import demo_citizen
from nfc.sim.pki import TestPki
from nfc.sm import SecureMessaging
from nfc.trust.active import load_public_key, verify_active_authentication
from nfc.trust.chip import chip_authentication_parameters
from nfc.trust.passive import verify_passive_authentication
from nfc.trust.store import TrustStore

TYPED: tuple[type[BaseException], ...] = (NfcError,)
CHALLENGE = bytes(range(8))


@dataclass(frozen=True)
class FuzzTarget:
    """One parser: ``run`` takes an input (bytes), ``seeds`` are genuine inputs, ``typed`` what may be raised."""

    name: str
    seeds: tuple[bytes, ...]
    run: Callable[[bytes], object]
    typed: tuple[type[BaseException], ...] = TYPED


def synthetic_portrait(size: int = 4_000) -> FaceImage:
    """A JPEG-marked portrait of ``size`` bytes (DG2 parsing never decodes the image)."""
    return FaceImage(b"\xff\xd8" + hashlib.shake_256(b"portrait").digest(size) + b"\xff\xd9", "jpeg", 240, 320)


@dataclass(frozen=True)
class _Card:
    files: dict[int, bytes]
    pki: TestPki
    aa_rsa: AaKey
    aa_ec: AaKey


@functools.cache
def _card(portrait: FaceImage) -> _Card:
    pki = TestPki.generate()
    built = build_card(demo_citizen(), portrait, pki=pki)
    return _Card(dict(built.card.files), pki, AaKey.generate("rsa-1024"), AaKey.generate("ec-p256"))


def _sod(data: bytes) -> object:
    sod = parse_sod(data)
    sod.signed.signer_certificate()
    return sod.signed.pss_parameters()


def _passive(card: _Card, store: TrustStore) -> Callable[[bytes], object]:
    groups = {n: card.files[file_for_data_group(n).fid] for n in (1, 2, 13, 14, 15)}
    return lambda data: verify_passive_authentication(parse_sod(data), groups, store)


def _master_list(data: bytes) -> object:
    ml = parse_master_list(data)
    signer = ml.signer_certificate()
    return ml.signature_problem(signer) if signer is not None else None


def _crl(pki: TestPki) -> Callable[[bytes], object]:
    return lambda data: TrustStore.from_certificates([pki.csca_certificate], crls=[parse_crl(data)]).describe()


def _dg15(data: bytes) -> object:
    return load_public_key(Dg15.parse(data).public_key_info)  # named or explicit curve parameters


def _aa_signature(key: AaKey) -> Callable[[bytes], object]:
    info = key.public_key_info()
    return lambda data: verify_active_authentication(info, CHALLENGE, data, key.effective_hash_name)


_SM_KEYS = (bytes(range(16)), bytes(range(16, 32)))


def _protected_exchange() -> tuple[bytes, bytes]:
    """A READ BINARY protected by the terminal and the chip's protected answer (AES, SSC 0 then 1)."""
    terminal, chip = SecureMessaging("AES", *_SM_KEYS), SecureMessaging("AES", *_SM_KEYS)
    command = terminal.protect(CommandApdu(0x00, 0xB0, 0x81, 0x00, le=256))
    chip.unprotect_command(command)
    return command.encode(), chip.protect_response(ResponseApdu(b"\x61\x03abc", 0x9000)).encode()


def _unprotect_command(data: bytes) -> object:
    return SecureMessaging("AES", *_SM_KEYS, ssc=0).unprotect_command(CommandApdu.decode(data))


def _unprotect_response(data: bytes) -> object:
    return SecureMessaging("AES", *_SM_KEYS, ssc=1).unprotect(ResponseApdu.decode(data))


def _td3() -> bytes:
    return Mrz.build_td3(document_code="P", issuing_state="UTO", document_number="L898902C3",
                         date_of_birth=date(1974, 8, 12), sex="F", date_of_expiry=date(2032, 4, 15),
                         nationality="UTO", primary_identifier="ERIKSSON", secondary_identifier="ANNA MARIA",
                         personal_number="ZE184226B").encode()


def _samples() -> dict[str, bytes]:
    dg11 = Dg11(full_name="ERIKSSON<<ANNA<MARIA", other_names=("ANNA", "MARIA"), personal_number="123456",
                full_date_of_birth="19740812", telephone="+84 24 1234", unknown={0x5F50: b"x"}).encode()
    dg12 = Dg12(issuing_authority="Cục Cảnh sát", date_of_issue="20210410", other_persons=("A", "B"),
                image_of_front=b"\xff\xd8\xff\xd9").encode()
    return {"dg11": dg11, "dg12": dg12, "td3": _td3()}


def fuzz_targets(portrait: FaceImage | None = None) -> tuple[FuzzTarget, ...]:
    """The chip library's parsers, seeded from a virtual card holding ``portrait`` (a synthetic one by default)."""
    card = _card(portrait or synthetic_portrait())
    files, pki = card.files, card.pki
    dg = {n: files[file_for_data_group(n).fid] for n in (1, 2, 13, 14, 15)}
    sod, card_access, com = files[EF_SOD.fid], files[EF_CARD_ACCESS.fid], files[EF_COM.fid]
    store = TrustStore.from_certificates([pki.csca_certificate])
    samples = _samples()
    command, response = _protected_exchange()
    rsa_signature, ec_signature = card.aa_rsa.sign(CHALLENGE), card.aa_ec.sign(CHALLENGE)
    nonce = bytes.fromhex("7c12" "8010") + bytes(range(16))
    return (
        FuzzTarget("tlv", (dg[13], sod, com), parse_all),
        FuzzTarget("mrz", (Dg1.parse(dg[1]).mrz.encode(), samples["td3"]), Mrz.parse),
        FuzzTarget("ef_com", (com,), Com.parse),
        FuzzTarget("ef_cardaccess", (card_access,), CardAccess.parse),
        FuzzTarget("dg1", (dg[1],), Dg1.parse),
        FuzzTarget("dg2", (dg[2],), Dg2.parse),
        FuzzTarget("dg11", (samples["dg11"],), Dg11.parse),
        FuzzTarget("dg12", (samples["dg12"],), Dg12.parse),
        FuzzTarget("dg13", (dg[13], CitizenInfo.parse(dg[13]).encode(parents_shape="nested")), CitizenInfo.parse),
        FuzzTarget("dg14", (dg[14],), Dg14.parse),
        FuzzTarget("dg14_chip_authentication", (dg[14],), lambda d: chip_authentication_parameters(Dg14.parse(d))),
        FuzzTarget("dg15_active_authentication_key", (dg[15], Dg15(card.aa_rsa.public_key_info()).encode(),
                                                      Dg15(card.aa_ec.public_key_info(explicit_parameters=True))
                                                      .encode()), _dg15),
        FuzzTarget("aa_signature_rsa", (rsa_signature,), _aa_signature(card.aa_rsa)),
        FuzzTarget("aa_signature_ecdsa", (ec_signature,), _aa_signature(card.aa_ec)),
        FuzzTarget("ef_sod", (sod,), _sod),
        FuzzTarget("passive_authentication", (sod,), _passive(card, store)),
        FuzzTarget("master_list", (pki.master_list(),), _master_list),
        FuzzTarget("crl", (pki.crl([pki.dsc_certificate.serial_number]),), _crl(pki)),
        FuzzTarget("sm_response", (response,), _unprotect_response),
        FuzzTarget("sm_command", (command,), _unprotect_command),
        FuzzTarget("command_apdu", (command, bytes.fromhex("00B08100001000")), CommandApdu.decode),
        FuzzTarget("dynamic_authentication_data", (nonce, bytes.fromhex("7c00")), parse_dynamic_auth),
    )

