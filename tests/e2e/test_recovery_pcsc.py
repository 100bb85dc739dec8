"""The kiosk survives its reader unplugged and plugged back and pcscd restarting, idle and with a card on the
reader, without being restarted itself (real pcscd + vpcd; the tests stop and start the pcscd they started).

A reader unplugged is modelled by pcscd running without the vpcd reader, plugged back by pcscd with it.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.messages import message
from nfc.access import CanKey
from nfc.document import read_document
from nfc.errors import ReaderNotConnected
from nfc.pcsc import open_reader
from nfc.reader import ChipSession
from nfc.sim.citizen import DEMO_ID_NUMBER
from tests.e2e.conftest import READER, Pcscd
from tests.e2e.test_read_pcsc import KIOSK

pytestmark = pytest.mark.e2e

KEY = CanKey(DEMO_ID_NUMBER[-6:])
SELECT_EF_COM = bytes.fromhex("00A4020C02011E")


@contextmanager
def card_left_on_the_reader() -> Iterator[subprocess.Popen]:
    """The demo card served over vpcd for as long as the block runs, back on the reader after pcscd restarts."""
    sim = subprocess.Popen([*KIOSK, "sim"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "ready" in sim.stdout.readline()
        yield sim
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def test_a_kiosk_waiting_for_a_card_rides_out_pcscd_down_reader_unplugged_and_plugged_back(
        pcscd_control: Pcscd) -> None:
    pcscd_control.stop()
    waiting = subprocess.Popen([*KIOSK, "read", "--reader", READER, "--wait", "90", "--id", DEMO_ID_NUMBER, "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # the kiosk now retries a PC/SC service that is not there
        pcscd_control.start(reader=False)  # the service is back, the reader is unplugged
        time.sleep(1.0)
        pcscd_control.stop()
        pcscd_control.start()  # the reader is plugged back
        assert waiting.poll() is None, waiting.communicate()
        with card_left_on_the_reader():
            out, err = waiting.communicate(timeout=60)
    finally:
        if waiting.poll() is None:
            waiting.kill()
    assert waiting.returncode == 0, err
    assert json.loads(out)["citizen"]["id_number"] == DEMO_ID_NUMBER


def test_pcscd_restarting_under_a_card_on_the_reader_is_a_typed_error_then_recovered(pcscd_control: Pcscd) -> None:
    with card_left_on_the_reader():
        first = read_document(ChipSession(open_reader(READER, wait_s=10)), KEY)
        assert first.citizen.id_number == DEMO_ID_NUMBER
        connection = open_reader(READER, wait_s=10)
        pcscd_control.stop()
        pcscd_control.start()
        with pytest.raises(ReaderNotConnected):
            connection.transmit(SELECT_EF_COM)  # the old handle died with the old pcscd
        connection.close()
        again = open_reader(READER, wait_s=30)  # the same card, still on the reader, through the new pcscd
        with again:
            data = read_document(ChipSession(again), KEY)
    assert data.citizen.id_number == DEMO_ID_NUMBER
    assert data.active_authentication.status == "valid"


def test_a_reader_unplugged_is_reader_not_connected_and_found_again(pcscd_control: Pcscd) -> None:
    pcscd_control.stop()
    pcscd_control.start(reader=False)
    with pytest.raises(ReaderNotConnected):
        open_reader(READER, wait_s=0.5)
    result = subprocess.run([*KIOSK, "read", "--reader", READER, "--wait", "1", "--id", DEMO_ID_NUMBER],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert message("chip.reader_not_connected").en in result.stderr
    pcscd_control.stop()
    pcscd_control.start()
    with card_left_on_the_reader(), open_reader(READER, wait_s=10) as connection:
        assert read_document(ChipSession(connection), KEY).citizen.id_number == DEMO_ID_NUMBER
