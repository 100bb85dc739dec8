"""Which PC/SC reader a kiosk reads the CCCD on, from the names real multi-slot readers expose."""

from __future__ import annotations

import pytest

from nfc.errors import ReaderPatternError
from nfc.pcsc import ReaderChoice, SkippedReader, SkipReason, choose_reader

ACR1252 = ["ACS ACR1252 1S CL Reader SAM 0", "ACS ACR1252 1S CL Reader PICC 1"]
ACR1281 = ["ACS ACR1281 1S Dual Reader ICC 0", "ACS ACR1281 1S Dual Reader PICC 1",
           "ACS ACR1281 1S Dual Reader SAM 2"]
PROX_DU = ["Gemalto Prox-DU [Prox-DU Contact_10800005] 00 00", "Gemalto Prox-DU [Prox-DU Contactless_10800005] 01 00"]
OMNIKEY = ["OMNIKEY CardMan 5x21 00 00", "OMNIKEY CardMan 5x21-CL 00 01"]


def test_the_sam_slot_listed_first_is_skipped() -> None:
    assert choose_reader(ACR1252) == ReaderChoice(
        "ACS ACR1252 1S CL Reader PICC 1", (SkippedReader(ACR1252[0], SkipReason.SAM_OR_CONTACT_SLOT),))


@pytest.mark.parametrize(("names", "chosen"), [(ACR1281, ACR1281[1]), (PROX_DU, PROX_DU[1]), (OMNIKEY, OMNIKEY[1])])
def test_contact_and_sam_slots_give_way_to_the_contactless_one(names: list[str], chosen: str) -> None:
    choice = choose_reader(names)
    assert choice.chosen == chosen
    assert {s.name for s in choice.skipped} | {chosen} <= set(names)


def test_a_single_reader_is_taken_whatever_its_name() -> None:
    assert choose_reader(["Virtual PCD 00 00"]) == ReaderChoice("Virtual PCD 00 00")


def test_no_reader_chooses_nothing() -> None:
    assert choose_reader([]) == ReaderChoice(None)
    assert choose_reader(["ACS ACR1252 1S CL Reader SAM 0"]).chosen is None


def test_a_pattern_keeps_only_the_readers_it_matches() -> None:
    names = ["Virtual PCD 00 00", *ACR1252]
    choice = choose_reader(names, "acr1252")
    assert choice.chosen == ACR1252[1]
    assert choice.skipped == (SkippedReader(names[0], SkipReason.NOT_MATCHING),
                              SkippedReader(ACR1252[0], SkipReason.SAM_OR_CONTACT_SLOT))
    assert choose_reader(names, "Virtual").chosen == "Virtual PCD 00 00"
    assert choose_reader(names, "nothing like it").chosen is None


def test_a_pattern_naming_only_a_sam_slot_is_obeyed() -> None:
    assert choose_reader(ACR1252, r"SAM \d").chosen == ACR1252[0]


def test_a_pattern_that_is_not_a_regular_expression_is_a_typed_error() -> None:
    with pytest.raises(ReaderPatternError):
        choose_reader(ACR1252, "PICC (")
