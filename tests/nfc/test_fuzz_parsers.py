"""Every parser of the chip library fuzzed from the virtual card's real files (nfc.sim.corpus): whatever the
mutation, only typed errors (NfcError) come out. FUZZ_EXAMPLES=5000 for a longer run; ``python -m kiosk bench
fuzz`` runs a million."""

from __future__ import annotations

import contextlib
import functools
import os
import random
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfc.errors import ParseError
from nfc.lds.tlv import parse_all, unwrap
from nfc.sim.corpus import FuzzTarget, fuzz_targets
from nfc.sim.mutate import mutate

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@functools.cache
def targets() -> dict[str, FuzzTarget]:
    return {target.name: target for target in fuzz_targets()}


NAMES = sorted(targets())


@pytest.mark.parametrize("name", NAMES)
def test_the_genuine_inputs_parse(name: str) -> None:
    target = targets()[name]
    for seed in target.seeds:
        target.run(seed)


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(data=st.data())
def test_mutated_inputs_raise_only_typed_errors(name: str, data: st.DataObject) -> None:
    target = targets()[name]
    seed = data.draw(st.sampled_from(target.seeds), label="seed")
    mutated = mutate(seed, data.draw(st.randoms(use_true_random=False), label="rng"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography warns about negative serial numbers it still parses
        with contextlib.suppress(*target.typed):
            target.run(mutated)


def test_structure_edits_keep_the_enclosing_lengths_right() -> None:
    """Most single edits leave the outer SET of EF.CardAccess well-formed, so the edit reaches the decoder."""
    rng = random.Random(3)
    seed = targets()["ef_cardaccess"].seeds[0]
    intact = 0
    for _ in range(500):
        try:
            parse_all(unwrap(mutate(seed, rng, max_edits=1), 0x31))
            intact += 1
        except ParseError:
            pass
    assert intact > 150
