"""Reading the virtual CCCD in-process: access control choice, file reads, fallbacks and faults."""

from __future__ import annotations

import hashlib

import pytest

from nfc.access import CanKey
from nfc.document import read_document
from nfc.errors import AccessDeniedError, AccessKeyError, TransportError
from nfc.lds.dg2 import FaceImage
from nfc.lds.security_infos import PaceInfo
from nfc.oids import pace_oid
from nfc.reader import ChipSession
from nfc.sim.builder import BuiltCard, CardOptions, build_card
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from nfc.sim.link import LinkModel, ReaderFaults, SimulatedReader
from nfc.sim.pki import TestPki
from nfc.transport import InProcessConnection
from nfc.trust.store import TrustStore

CAN = CanKey(DEMO_ID_NUMBER[-6:])


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki.generate()


def portrait(size: int = 20_000) -> FaceImage:
    body = hashlib.shake_256(b"portrait").digest(size)
    return FaceImage(b"\xff\xd8" + body + b"\xff\xd9", "jpeg", 240, 320)


def card(pki: TestPki, image: FaceImage | None = None, **options: object) -> BuiltCard:
    return build_card(demo_citizen(), image or portrait(), CardOptions(**options), pki=pki)


class Recorder:
    """Counts the instructions the card sees (the header stays readable under secure messaging)."""

    def __init__(self, inner: SimulatedReader) -> None:
        self.inner = inner
        self.ins: list[int] = []

    def process(self, raw: bytes) -> bytes:
        self.ins.append(raw[1])
        return self.inner.process(raw)


def read(built: BuiltCard, key=CAN, faults: ReaderFaults | None = None, trust: TrustStore | None = None,
         **session: object):
    reader = SimulatedReader(built.card, LinkModel(), faults or ReaderFaults())
    data = read_document(ChipSession(InProcessConnection(reader), **session), key, trust=trust)
    return data, reader


def test_pace_read_returns_every_data_group(pki: TestPki) -> None:
    built = card(pki)
    data, reader = read(built)
    assert data.access == "PACE"
    assert data.citizen == demo_citizen()
    assert data.mrz.national_id_number == DEMO_ID_NUMBER
    assert data.portrait.image == portrait().image
    assert sorted(k for k in data.raw if k) == [1, 2, 13, 14, 15]
    assert data.raw[0] == built.card.files[0x011D]
    assert data.active_authentication.status == "valid"
    assert data.stats.extended_length is True
    assert data.stats.apdu_count == reader.apdus < 25
    assert "Nguy" not in repr(data) and DEMO_ID_NUMBER not in repr(data)


def test_full_read_is_within_1_3x_of_the_link_lower_bound(pki: TestPki) -> None:
    data, reader = read(card(pki))
    file_bytes = sum(len(v) for v in data.raw.values())
    assert reader.modelled_s <= 1.3 * LinkModel().lower_bound(file_bytes)


def test_bac_only_card_is_opened_with_bac(pki: TestPki) -> None:
    built = card(pki, bac_only=True)
    data, _ = read(built, key=built.mrz.access_key())
    assert data.access == "BAC"
    assert data.citizen.id_number == DEMO_ID_NUMBER


def test_bac_only_card_refuses_a_can_with_a_clear_reason(pki: TestPki) -> None:
    with pytest.raises(AccessKeyError, match="only BAC"):
        read(card(pki, bac_only=True))


def test_pace_also_accepts_the_mrz_password(pki: TestPki) -> None:
    built = card(pki)
    assert read(built, key=built.mrz.access_key())[0].access == "PACE"


def test_wrong_can_is_access_denied(pki: TestPki) -> None:
    with pytest.raises(AccessDeniedError):
        read(card(pki), key=CanKey("123456"))


@pytest.mark.parametrize(("mapping_curve", "cipher", "length"), [
    (12, "AES", 16), (15, "AES", 24), (17, "AES", 32), (13, "DESede", 16), (18, "AES", 32)])
def test_pace_variants_announced_in_card_access(pki: TestPki, mapping_curve: int, cipher: str, length: int) -> None:
    info = PaceInfo(pace_oid("ECDH", "GM", cipher, length), 2, mapping_curve)
    data, _ = read(card(pki, pace_infos=(info,)))
    assert data.access == "PACE" and data.citizen.id_number == DEMO_ID_NUMBER


@pytest.mark.parametrize("mode", ["sw", "error"])
def test_reader_refusing_extended_apdus_falls_back_to_0xdf_chunks(pki: TestPki, mode: str) -> None:
    data, reader = read(card(pki), faults=ReaderFaults(refuse_extended=mode))
    assert data.portrait.image == portrait().image
    assert data.stats.extended_length is False
    dg2_reads = -(-len(data.raw[2]) // 0xDF)
    assert reader.apdus <= 30 + dg2_reads


def test_never_extended_when_told_so(pki: TestPki) -> None:
    data, reader = read(card(pki), prefer_extended=False)
    assert data.stats.extended_length is False and data.portrait.image == portrait().image


def test_offsets_past_0x7fff_are_read_with_odd_ins_b1(pki: TestPki) -> None:
    big = portrait(70_000)
    built = card(pki, image=big)
    recorder = Recorder(SimulatedReader(built.card))
    data = read_document(ChipSession(InProcessConnection(recorder)), CAN)
    assert data.portrait.image == big.image
    assert 0xB1 in recorder.ins


def test_chip_without_short_ef_reads_is_read_with_select(pki: TestPki) -> None:
    built = card(pki)
    built.card.sfi_reads = False
    data, _ = read(built)
    assert data.citizen == demo_citizen()


def test_cloned_chip_fails_active_authentication(pki: TestPki) -> None:
    data, _ = read(card(pki, clone=True))
    assert data.active_authentication.status == "invalid"


@pytest.mark.parametrize("kind", ["rsa-1024", "ec-brainpoolP256r1"])
def test_active_authentication_with_other_keys(pki: TestPki, kind: str) -> None:
    assert read(card(pki, aa=kind))[0].active_authentication.status == "valid"


def test_card_without_dg15_reports_aa_not_supported(pki: TestPki) -> None:
    data, _ = read(card(pki, aa=None))
    assert data.active_authentication.status == "not_supported"
    assert 15 not in data.raw


def test_card_pulled_away_at_every_step_raises_a_transport_error(pki: TestPki) -> None:
    built = card(pki)
    total = read(built)[1].apdus
    for after in range(total):
        built.card.reset()
        with pytest.raises(TransportError):
            read(built, faults=ReaderFaults(remove_after=after))



class _ShortSigner:
    def sign(self, challenge: bytes) -> bytes:
        return b"\x01\x02\x03"


def test_chip_answering_aa_with_garbage_is_invalid_not_a_crash(pki: TestPki) -> None:
    built = card(pki)
    built.card.aa_key = _ShortSigner()
    assert read(built)[0].active_authentication.status == "invalid"


def test_chip_with_dg15_refusing_internal_authenticate_is_invalid(pki: TestPki) -> None:
    built = card(pki)
    built.card.aa_key = None  # answers 6D00 to INTERNAL AUTHENTICATE
    result = read(built)[0].active_authentication
    assert result.status == "invalid" and "refused" in result.detail


def test_chip_authentication_runs_after_dg14_and_the_rest_is_read_on_its_keys(pki: TestPki) -> None:
    data, reader = read(card(pki))
    assert data.chip_authentication.status == "valid"
    assert data.citizen == demo_citizen() and data.portrait.image == portrait().image


def test_chip_whose_ca_key_does_not_match_dg14_is_invalid_and_still_read(pki: TestPki) -> None:
    data, _ = read(card(pki, ca_key_mismatch=True))
    assert data.chip_authentication.status == "invalid"
    assert "possible clone" in data.chip_authentication.detail
    assert data.citizen == demo_citizen()


def test_chip_without_chip_authentication_is_not_supported(pki: TestPki) -> None:
    data, _ = read(card(pki, chip_auth=False))
    assert data.chip_authentication.status == "not_supported"


def trusted(pki: TestPki) -> TrustStore:
    return TrustStore.from_certificates([pki.csca_certificate])


def test_genuine_card_passes_passive_authentication(pki: TestPki) -> None:
    data, _ = read(card(pki), trust=trusted(pki))
    assert data.passive_authentication.status == "valid"
    assert "DG1, DG2, DG13, DG14, DG15 hashes match" in data.passive_authentication.detail


def test_without_a_csca_for_vietnam_passive_authentication_is_unverified(pki: TestPki) -> None:
    other = TestPki.generate(country="DE")
    assert read(card(pki), trust=trusted(other))[0].passive_authentication.status == "unverified"
    assert read(card(pki))[0].passive_authentication.status == "unverified"


@pytest.mark.parametrize("number", [1, 2, 13])
def test_a_data_group_changed_after_signing_is_named(pki: TestPki, number: int) -> None:
    result = read(card(pki, tamper_dg=number), trust=trusted(pki))[0].passive_authentication
    assert result.status == "invalid" and f"DG{number} hash does not match" in result.detail


def test_a_changed_dg15_voids_active_authentication(pki: TestPki) -> None:
    data, _ = read(card(pki, tamper_dg=15), trust=trusted(pki))
    assert data.passive_authentication.status == "invalid"
    assert data.active_authentication.status == "invalid" and "DG15" in data.active_authentication.detail


@pytest.mark.parametrize(("variant", "words"), [
    ("expired_dsc", "expired at signing time"), ("foreign_csca", "CSCA"), ("bad_signature", "does not verify")])
def test_badly_signed_sod_is_invalid(pki: TestPki, variant: str, words: str) -> None:
    result = read(card(pki, sod=variant), trust=trusted(pki))[0].passive_authentication
    assert result.status == "invalid" and words in result.detail, result.detail
