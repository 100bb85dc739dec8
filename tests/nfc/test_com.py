import pytest

from nfc.errors import ParseError
from nfc.lds import EF_COM, data_group_for_tag, file_for_data_group, tag_for_data_group
from nfc.lds.com import Com

# ICAO 9303-10 shaped EF.COM of a CCCD: LDS 1.7, Unicode 4.0.0, DG1 DG2 DG13 DG14 DG15.
CCCD_COM = bytes.fromhex("6017" "5F0104" "30313037" "5F3606" "303430303030" "5C05" "61756D6E6F")


def test_parse_cccd_com():
    com = Com.parse(CCCD_COM)
    assert com.lds_version == "0107"
    assert com.unicode_version == "040000"
    assert com.tags == (0x61, 0x75, 0x6D, 0x6E, 0x6F)
    assert com.data_groups == (1, 2, 13, 14, 15)
    assert com.encode() == CCCD_COM


def test_for_data_groups_round_trip():
    com = Com.for_data_groups([1, 2, 13, 14, 15])
    assert com.encode() == CCCD_COM
    assert Com.parse(com.encode()) == com


def test_unknown_tag_kept_but_not_a_data_group():
    com = Com("0107", "040000", (0x61, 0x5F1F))
    assert Com.parse(com.encode()).tags == (0x61, 0x5F1F)
    assert com.data_groups == (1,)


def test_lds_map():
    assert EF_COM.fid == 0x011E and EF_COM.tag == 0x60
    assert file_for_data_group(13).fid == 0x010D and file_for_data_group(13).sfi == 13
    assert tag_for_data_group(2) == 0x75 and data_group_for_tag(0x6F) == 15 and data_group_for_tag(0x77) is None


@pytest.mark.parametrize("data", [
    CCCD_COM[:-1],                                    # truncated
    b"\x61" + CCCD_COM[1:],                           # wrong outer tag
    bytes.fromhex("600E5F3606303430303030" "5C0161"),  # LDS version missing
    bytes.fromhex("6010" "5F010430313037" "5F3606303430303030"),  # tag list missing
    bytes.fromhex("6017" "5F010430314141" "5F3606303430303030" "5C0561756D6E6F"),  # not digits
    bytes.fromhex("60165F0103303130" "5F3606303430303030" "5C0561756D6E6F"),  # 3-digit LDS version
    bytes.fromhex("6017" "5F0104" "FF313037" "5F3606303430303030" "5C0561756D6E6F"),  # not ASCII
    CCCD_COM + b"\x00",                               # trailing byte
])
def test_malformed(data):
    with pytest.raises(ParseError):
        Com.parse(data)
