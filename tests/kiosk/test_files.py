"""kiosk.files.read_at_most: the one bounded reader of the profile and roster files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.files import FileMissing, FileRefused, read_at_most


def test_a_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"x" * 1024)
    assert read_at_most(path, 1024) == b"x" * 1024


@pytest.mark.parametrize(("make", "error", "reason"), [
    (lambda tmp: tmp / "absent.toml", FileMissing, "no such file"),
    (lambda tmp: tmp, FileRefused, "not a file"),
    (lambda tmp: Path("/dev/zero"), FileRefused, "not a file"),  # endless: never read
    (lambda tmp: Path("bad\0name"), FileMissing, "no such file"),  # a NUL: no file can have this name
])
def test_what_is_not_a_readable_file_is_refused_with_why(tmp_path: Path, make, error, reason: str) -> None:
    with pytest.raises(error, match=reason):
        read_at_most(make(tmp_path), 1024)


def test_a_file_over_the_limit_is_refused_after_one_byte_more(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_bytes(b"x" * (256 * 1024 + 1))
    with pytest.raises(FileRefused, match="larger than 256 KB"):
        read_at_most(path, 256 * 1024)
