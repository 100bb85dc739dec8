from datetime import date

import pytest

from nfc.errors import ParseError
from nfc.lds.dg1 import Dg1
from nfc.lds.mrz import Mrz
from nfc.lds.tlv import encode_tlv

TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<" "7408122F1204159UTO<<<<<<<<<<<6" "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
DG1_TD1 = bytes.fromhex("615D5F1F5A") + TD1.encode()


def test_parse_td1_dg1():
    dg1 = Dg1.parse(DG1_TD1, today=date(2024, 1, 1))
    assert dg1.mrz.document_number == "D23145890"
    assert dg1.mrz.date_of_birth == date(1974, 8, 12)
    assert dg1.encode() == DG1_TD1


def test_cccd_dg1_round_trip():
    mrz = Mrz.build_cccd(id_number="079203001234", full_name="Trần Thị Bích Ngọc", date_of_birth=date(2003, 4, 5),
                         sex="F", date_of_expiry=date(2028, 4, 5))
    data = Dg1(mrz).encode()
    assert data[:5] == bytes.fromhex("615D5F1F5A")
    parsed = Dg1.parse(data)
    assert parsed.mrz.national_id_number == "079203001234"
    assert parsed.mrz.primary_identifier == "TRAN"
    assert parsed == Dg1(mrz)


@pytest.mark.parametrize("data", [
    DG1_TD1[:-1],
    b"\x62" + DG1_TD1[1:],
    encode_tlv(0x61, encode_tlv(0x5F20, TD1.encode())),
    encode_tlv(0x61, encode_tlv(0x5F1F, (TD1[:59] + "5" + TD1[60:]).encode())),  # composite check fails
    encode_tlv(0x61, encode_tlv(0x5F1F, TD1.encode()[:60])),
    b"",
])
def test_malformed(data):
    with pytest.raises(ParseError):
        Dg1.parse(data)
