"""Profiles: the shipped ones load; any other file, whatever its bytes or shape, is a SettingsError."""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import settings as kiosk_settings
from kiosk.settings import PROFILES, SettingsError, config_dir, load_profile, parse_profile, profile_from_mapping

MINIMAL = '[profile]\nname = "lane-1"\nsite = "S"\n'


@pytest.mark.parametrize("name", PROFILES)
def test_the_shipped_profiles_load(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name and profile.adapter["kind"]


def test_a_minimal_profile_gets_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_OUTBOX_KEY_FILE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    path = tmp_path / "lane.toml"
    path.write_text(MINIMAL, "utf-8")
    profile = load_profile(str(path))
    assert profile.adapter == {"kind": "local"} and profile.retries == 2 and profile.face.enabled
    assert profile.outbox_key_file == profile.data_dir / "outbox.key" and profile.configured_key_file is None


def _file(tmp_path: Path, case: str) -> Path:
    path = tmp_path / "p.toml"
    if case == "folder":
        path.mkdir()
    elif case == "binary":
        path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    elif case == "latin-1":
        path.write_bytes(MINIMAL.replace('"S"', '"Café"').encode("latin-1"))
    elif case == "huge":
        path.write_bytes(b"#" * (kiosk_settings.MAX_PROFILE_BYTES + 1))
    elif case == "empty":
        path.write_bytes(b"")
    return path


@pytest.mark.parametrize(("case", "reason"), [
    ("missing", "no profile"), ("folder", "not a file"), ("binary", "binary file"), ("latin-1", "not UTF-8"),
    ("huge", "larger than 256 KB"), ("empty", "needs name"),
])
def test_a_profile_that_is_not_a_profile_file_says_why(tmp_path: Path, case: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        load_profile(str(_file(tmp_path, case)))


def test_an_unreadable_profile_is_a_settings_error(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(MINIMAL, "utf-8")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as root: a mode-000 file is still readable (tests/kiosk/test_cli_hostile.py "
                    "covers it without root's file-access capabilities)")
    with pytest.raises(SettingsError, match="cannot be read"):
        load_profile(str(path))


@pytest.mark.parametrize(("text", "reason"), [
    ("profile = 3", r"\[profile\] must be a table"),
    ("trust = 'csca'\n" + MINIMAL, r"\[trust\] must be a table"),
    (MINIMAL + "[trust]\ncsca = 'csca'", "csca must be list"),
    (MINIMAL + "[trust]\ncsca = [1]", "list of paths"),
    (MINIMAL + "[face]\nenabled = 'yes'", "enabled must be bool"),
    (MINIMAL + "[face]\nmax_frames = true", "max_frames must be int or float"),
    (MINIMAL + "[face]\ntimeout_s = nan", "between"),
    (MINIMAL + "[face]\nsmile = true", "unknown setting 'smile'"),
    (MINIMAL + "[policy]\npassive_authentication = 'maybe'", "passive_authentication must be"),
    (MINIMAL + "[policy]\nstrict = true", "strict"),
    (MINIMAL + "[outbox]\nretention_hours = -1", "between 0"),
    (MINIMAL.replace('site = "S"', 'site = "S"\nretries = 1' + "0" * 400), "between 0 and 10"),
    (MINIMAL + "[outbox]\nkey_file = 7", "key_file must be str"),
    (MINIMAL + "[adapter]\nkind = 3", "kind must be text"),
    (MINIMAL + "[screen]\nlanguage = 'fr'", "language must be one of vi, en"),
    (MINIMAL + "[reader]\npattern = '(('", "not a regular expression"), ("reader = 3\n" + MINIMAL, "must be a table"),
    (MINIMAL + "[reader]\npattern = '" + "(" * 2000 + ")" * 2000 + "'", "too large"),
    (MINIMAL + "[screen]\nresult_seconds = 0", "between 1"), (MINIMAL + "[screen]\nblink = 1", "unknown setting"),
    ('[profile]\nname = "../../etc"\nsite = "S"', "name must be 1 to 64 letters"),
    ('[profile]\nname = "x"', "needs site"),
    ("[profile]\nname = " + "[" * 5000 + "]" * 5000, "TOML|nested"),
])
def test_wrong_shapes_and_values_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        parse_profile(text.encode(), Path("/etc/kiosk/p.toml"))


def test_the_key_file_is_relative_to_the_profile_and_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_OUTBOX_KEY_FILE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    profile = parse_profile(MINIMAL + '[outbox]\nkey_file = "secrets/outbox.key"', Path("/etc/kiosk/p.toml"))
    assert profile.outbox_key_file == Path("/etc/kiosk/secrets/outbox.key") == profile.configured_key_file
    monkeypatch.setenv("KIOSK_OUTBOX_KEY_FILE", "/run/credentials/kiosk.service/outbox.key")
    assert profile.outbox_key_file == Path("/run/credentials/kiosk.service/outbox.key")


# -- whatever the bytes --------------------------------------------------------------------------------

SHIPPED = [(config_dir() / f"{name}.toml").read_bytes() for name in PROFILES]


def _parse(data: bytes) -> None:
    with contextlib.suppress(SettingsError):
        parse_profile(data, Path("/etc/kiosk/p.toml"))


@given(st.binary(max_size=600))
@settings(max_examples=300, deadline=None)
def test_any_bytes_are_a_profile_or_a_settings_error(data: bytes) -> None:
    _parse(data)


@given(st.sampled_from(SHIPPED), st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 8),
                                                    st.sampled_from(["", "=", "[", "]", "\"", "'", "\n", "[[x]]",
                                                                     "true", "-1", "nan", "1979-05-27", "{}", "[]",
                                                                     "\x00", "é", "\\u0000"])), max_size=6))
@settings(max_examples=300, deadline=None)
def test_mutated_shipped_profiles_are_a_profile_or_a_settings_error(text: bytes, edits) -> None:
    data = bytearray(text)
    for at, cut, insert in edits:
        at = min(at, len(data))
        data[at:at + cut] = insert.encode()
    _parse(bytes(data))


_VALUES = st.recursive(
    st.one_of(st.booleans(), st.integers(), st.sampled_from([10**400, -(10**400), 2**63]), st.floats(),
              st.text(max_size=8), st.datetimes(),
              st.just(time(8, 30)), st.just(datetime(2025, 1, 1).date())),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=10)
_TABLES = st.sampled_from(["profile", "policy", "face", "trust", "outbox", "adapter", "site", "screen", "reader"])
_KEYS = st.sampled_from(["name", "site", "retries", "enabled", "liveness", "timeout_s", "max_frames", "csca",
                         "retention_hours", "key_file", "kind", "passive_authentication", "store", "kiosk",
                         "result_seconds", "staff_idle_seconds", "language", "pattern", "x"])


@given(st.dictionaries(_TABLES, st.one_of(_VALUES, st.dictionaries(_KEYS, _VALUES, max_size=6)), max_size=6))
@settings(max_examples=400, deadline=None)
def test_any_toml_shape_is_a_profile_or_a_settings_error(raw: dict) -> None:
    base = {"profile": {"name": "lane", "site": "S"}}
    for document in (raw, {**base, **raw}):
        with contextlib.suppress(SettingsError):
            profile_from_mapping(document, Path("/etc/kiosk/p.toml"))
