"""Name folding and boarding-pass name matching (docs/boarding-pass.md)."""

from __future__ import annotations

import unicodedata

import pytest

from kiosk.names import (
    NameMatchKind,
    fold,
    fold_compact,
    iata_name_for,
    match_boarding_pass_name,
    parse_iata_name,
    same_name,
    split_cccd_name,
)


@pytest.mark.parametrize(("text", "folded"), [
    ("NGUYỄN VĂN AN", "NGUYEN VAN AN"),
    ("Đặng Thị Ngọc Đào", "DANG THI NGOC DAO"),
    ("  trần\u00a0 thị   thu\u200bhương ", "TRAN THI THU HUONG"),
    ("ÐỖ ÐỨC", "DO DUC"),  # the Icelandic eth that legacy encodings use for Đ
    ("Lê-Hoàng Phúc", "LE HOANG PHUC"),
    ("O'Brien", "OBRIEN"),
    ("Nguyễn Hoà", "NGUYEN HOA"),
    ("", ""),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_is_the_same_for_composed_and_decomposed_text() -> None:
    name = "Phạm Thị Quỳnh Hương"
    assert fold(unicodedata.normalize("NFD", name)) == fold(unicodedata.normalize("NFC", name))


def test_split_cccd_name_takes_the_first_word_as_surname() -> None:
    name = split_cccd_name("NGUYỄN VĂN AN")
    assert (name.surname, name.given) == ("NGUYEN", ("VAN", "AN"))
    assert "NGUYEN" not in repr(name)
    assert iata_name_for("NGUYỄN VĂN AN") == "NGUYEN/VAN AN"
    assert iata_name_for("TÔN NỮ THỊ THANH HƯƠNG") == "TON/NU THI THANH HUON"[:20]


def test_same_name_ignores_spacing_marks_and_case() -> None:
    assert same_name("Nguyễn Thị Mỹ Duyên", "NGUYEN THI MYDUYEN")
    assert not same_name("Nguyễn Thị Mỹ Duyên", "Nguyễn Thị Mỹ")
    assert not same_name("", "")
    assert fold_compact("Văn An") == "VANAN"


def test_parse_iata_name_removes_titles() -> None:
    name = parse_iata_name("NGUYEN/VAN AN MR".ljust(20))
    assert (name.surname, name.given, name.titles, name.full) == (("NGUYEN",), ("VAN", "AN"), ("MR",), False)


@pytest.mark.parametrize(("chip", "bcbp", "kind"), [
    ("NGUYỄN VĂN AN", "NGUYEN/VAN AN", NameMatchKind.EXACT),
    ("NGUYỄN VĂN AN", "NGUYEN/VAN AN MR", NameMatchKind.EXACT),
    ("NGUYỄN VĂN AN", "NGUYEN/VANAN MR", NameMatchKind.EXACT),
    ("NGUYỄN VĂN AN", "NGUYEN/VANANMR", NameMatchKind.EXACT),
    ("ĐỖ THỊ HOA", "DO/THI HOA MS", NameMatchKind.EXACT),
    ("ĐỖ THỊ HOA", "DO/THI HOA MISS", NameMatchKind.EXACT),
    ("LÊ MINH KHÔI", "LE/MINH KHOI MSTR CHD", NameMatchKind.EXACT),
    ("NGUYỄN TRẦN MINH ANH", "NGUYEN TRAN/MINH ANH", NameMatchKind.EXACT),
    # cut to 20 characters
    ("TÔN NỮ THỊ THANH HƯƠNG", "TON/NU THI THANH HUO", NameMatchKind.TRUNCATED),
    ("NGUYỄN THỊ THANH HƯƠNG", "NGUYEN/THI THANH HUO", NameMatchKind.TRUNCATED),
    ("TRẦN THỊ THU HƯƠNG", "TRAN/THI THU HUONG M", NameMatchKind.EXACT),  # only the title was cut
    ("NGUYỄN THỊ THANH HƯƠNG", "NGUYEN/THITHANHHUONG", NameMatchKind.EXACT),
    # swapped order: staff must look
    ("NGUYỄN VĂN AN", "AN/NGUYEN VAN MR", NameMatchKind.SWAPPED),
    ("NGUYỄN VĂN AN", "VAN AN/NGUYEN", NameMatchKind.SWAPPED),
    ("NGUYỄN VĂN AN", "VANAN/NGUYEN MR", NameMatchKind.SWAPPED),
    # mismatches
    ("NGUYỄN VĂN AN", "NGUYEN/VAN ANH", NameMatchKind.MISMATCH),
    ("NGUYỄN VĂN AN", "NGUYEN/VAN", NameMatchKind.MISMATCH),  # not full: a missing name, not a cut
    ("NGUYỄN VĂN AN", "TRAN/VAN AN", NameMatchKind.MISMATCH),
    ("NGUYỄN VĂN AN", "", NameMatchKind.MISMATCH),
])
def test_match_boarding_pass_name(chip: str, bcbp: str, kind: NameMatchKind) -> None:
    result = match_boarding_pass_name(chip, bcbp.ljust(20))
    assert result.kind is kind, result.reasons
    assert result.ok == (kind in (NameMatchKind.EXACT, NameMatchKind.TRUNCATED))


def test_match_reasons_are_codes_without_names() -> None:
    result = match_boarding_pass_name("NGUYỄN VĂN AN", "TRAN/VAN AN")
    assert result.reasons == ("surname_differs",)
    swapped = match_boarding_pass_name("NGUYỄN VĂN AN", "AN/NGUYEN VAN MR")
    assert "surname_given_swapped" in swapped.reasons and "title_removed" in swapped.reasons
    for reason in swapped.reasons + result.reasons:
        assert "NGUYEN" not in reason and "AN/" not in reason


def test_truncated_name_needs_a_full_field() -> None:
    assert match_boarding_pass_name("NGUYỄN VĂN AN", "NGUYEN/VAN A").kind is NameMatchKind.MISMATCH
    cut = match_boarding_pass_name("NGUYỄN VĂN ANH TUẤN", "NGUYEN/VAN ANH TUA".ljust(20))
    assert cut.kind is NameMatchKind.MISMATCH
    # the cut fell just before a space: 19 visible characters
    assert match_boarding_pass_name("NGUYỄN VĂN ANH TUẤN KIỆT", "NGUYEN/VAN ANH TUAN ").kind is \
        NameMatchKind.TRUNCATED
    assert match_boarding_pass_name("NGUYỄN VĂN ANH TUẤN KIỆT", iata_name_for("NGUYỄN VĂN ANH TUẤN KIỆT")).kind \
        is NameMatchKind.TRUNCATED
    assert match_boarding_pass_name("NGUYỄN VĂN ANH", "NGUYEN/VAN ANH MR").kind is NameMatchKind.EXACT
