"""Secrets at rest and in transit: the outbox key written whole or not at all, kept where the profile or
the environment says; the outbox database, WAL and SHM private from their creation; upstream URLs https
unless a test profile allows plain http (with a warning)."""

from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.adapters.registry import build_adapter
from kiosk.checkin import CheckIn, Evidence, Person
from kiosk.cli import main
from kiosk.outbox import Outbox, OutboxKeyError, create_key_file, load_key
from kiosk.settings import SettingsError, load_profile, parse_profile

ENV = {"BHYT_PASSWORD": "pw", "BHYT_STAFF_NAME": "Lê Thị Tiếp Đón", "BHYT_STAFF_CCCD": "079090001111"}


@pytest.fixture(autouse=True)
def _no_key_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KIOSK_OUTBOX_KEY", raising=False)
    monkeypatch.delenv("KIOSK_OUTBOX_KEY_FILE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the outbox key ------------------------------------------------------------------------------------

def test_a_new_key_is_fsynced_then_linked_into_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd)))
    key_file = tmp_path / "keys" / "outbox.key"
    key = load_key(key_file, create=True)
    assert len(key) == 32 and _mode(key_file) == 0o600
    assert synced[-1] == str(key_file.parent) and ".outbox.key." in synced[0]  # the data, then the folder
    assert [p.name for p in key_file.parent.iterdir()] == ["outbox.key"]  # no temporary file is left


def test_a_crash_before_the_key_is_in_place_leaves_no_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def power_cut(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "link", power_cut)
    key_file = tmp_path / "outbox.key"
    with pytest.raises(OutboxKeyError, match="cannot be read or created"):
        load_key(key_file, create=True)
    assert not key_file.exists() and not list(tmp_path.iterdir())
    monkeypatch.undo()
    assert len(load_key(key_file, create=True)) == 32  # the next start makes a whole key


def test_a_key_made_meanwhile_by_another_process_wins(tmp_path: Path) -> None:
    key_file = tmp_path / "outbox.key"
    first = load_key(key_file, create=True)
    create_key_file(key_file)  # a second process that lost the race
    assert load_key(key_file) == first


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "is empty"), (b"\n", "is empty"), (b"\x00\xff" * 20, "base64"), (b"c2hvcnQ=", "32 bytes"),
])
def test_a_damaged_key_file_says_what_to_do(tmp_path: Path, content: bytes, reason: str) -> None:
    key_file = tmp_path / "outbox.key"
    key_file.write_bytes(content)
    key_file.chmod(0o600)
    with pytest.raises(OutboxKeyError, match=reason):
        load_key(key_file, create=True)


def test_a_key_file_that_is_a_folder_is_a_key_error(tmp_path: Path) -> None:
    (tmp_path / "outbox.key").mkdir()
    with pytest.raises(OutboxKeyError, match="not a file"):
        load_key(tmp_path / "outbox.key", create=True)


def _profile(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "lane.toml"
    path.write_text(f'[profile]\nname = "lane"\nsite = "S"\n{extra}', "utf-8")
    return path


def test_a_key_file_named_by_the_profile_is_used_and_never_created(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    profile_path = _profile(tmp_path, '[outbox]\nkey_file = "secrets/outbox.key"\n')
    assert main(["check", "--simulator", "--profile", str(profile_path), "--can", "004567"]) == 2
    assert "no outbox key" in capsys.readouterr().err
    assert not (tmp_path / "secrets").exists()  # a missing credential is an error, not a fresh key
    create_key_file(tmp_path / "secrets" / "outbox.key")
    profile = load_profile(str(profile_path))
    assert load_key(profile.outbox_key_file) == load_key(tmp_path / "secrets" / "outbox.key")
    assert not (profile.data_dir / "outbox.key").exists()


def test_a_systemd_credential_is_the_key_and_kiosk_outbox_key_file_wins(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "run" / "credentials" / "cccd-kiosk.service"  # LoadCredential=outbox.key:…
    create_key_file(credentials / "outbox.key")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    path = _profile(tmp_path, '[outbox]\nkey_file = "elsewhere.key"\n')
    profile = load_profile(str(path))
    assert profile.outbox_key_file == credentials / "outbox.key" == profile.configured_key_file
    assert main(["outbox", "status", "--profile", str(path)]) == 0
    monkeypatch.setenv("KIOSK_OUTBOX_KEY_FILE", str(tmp_path / "env.key"))
    assert profile.outbox_key_file == tmp_path / "env.key"
    monkeypatch.delenv("KIOSK_OUTBOX_KEY_FILE")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "no-credential-here"))
    assert profile.outbox_key_file == tmp_path / "elsewhere.key"


# -- the outbox database -------------------------------------------------------------------------------

def test_database_wal_and_shm_are_created_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.umask(previous := os.umask(0o022))
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)  # no chmod afterwards: the files must be born 0600
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path, b"k" * 32)
    try:
        box.enqueue(CheckIn("demo", "S1", Person("001303004567", "Nguyễn Thị An", None, "F"),
                            Evidence("PACE", "valid", "valid"), datetime.now(UTC), checkin_id="c-1"))
        for suffix in ("", "-wal", "-shm"):
            assert _mode(Path(f"{path}{suffix}")) == 0o600, suffix
    finally:
        box.close()
    assert os.umask(previous) == previous  # the process umask is given back


def test_older_outbox_files_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    Outbox(path, b"k" * 32).close()
    path.chmod(0o644)
    Outbox(path, b"k" * 32).close()
    assert _mode(path) == 0o600


def test_an_outbox_that_cannot_be_opened_is_a_typed_error(tmp_path: Path) -> None:
    from kiosk.outbox import OutboxError

    (tmp_path / "outbox.sqlite3").mkdir()
    with pytest.raises(OutboxError, match="cannot be opened"):
        Outbox(tmp_path / "outbox.sqlite3", b"k" * 32)


# -- upstream URLs -------------------------------------------------------------------------------------

HOSPITAL = """
[adapter]
kind = "hospital"
{flag}
[adapter.bhyt]
base_url = "{bhyt}"
facility_code = "79001"
[adapter.registration]
url = "{his}"
"""


def _hospital(bhyt: str, his: str, flag: str = ""):
    text = '[profile]\nname = "h"\nsite = "S"\n' + HOSPITAL.format(bhyt=bhyt, his=his, flag=flag)
    return parse_profile(text.encode(), Path("/etc/cccd-kiosk/h.toml"))


@pytest.fixture
def staff_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(("bhyt", "his", "what"), [
    ("http://egw.baohiemxahoi.gov.vn", "https://his.example/api", r"\[bhyt\] base_url must use https"),
    ("https://egw.baohiemxahoi.gov.vn", "http://his.example/api", r"\[registration\] url must use https"),
    ("ftp://egw.baohiemxahoi.gov.vn", "https://his.example/api", "https:// URL with a host"),
    ("https://", "https://his.example/api", "with a host"),
])
def test_upstream_urls_must_be_https(staff_env: None, bhyt: str, his: str, what: str) -> None:
    with pytest.raises(SettingsError, match=what):
        build_adapter(_hospital(bhyt, his))


def test_a_test_profile_may_allow_plain_http_and_is_logged(staff_env: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.adapters.urls"):
        adapter = build_adapter(_hospital("http://127.0.0.1:9", "http://127.0.0.1:8", "allow_insecure_http = true"))
    assert adapter.bhyt.config.base_url == "http://127.0.0.1:9"
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert all("allow_insecure_http" in r.getMessage() for r in caplog.records)


def test_the_flag_is_a_boolean_and_webhooks_follow_the_same_rule(staff_env: None) -> None:
    with pytest.raises(SettingsError, match="true or false"):
        build_adapter(_hospital("http://127.0.0.1:9", "http://127.0.0.1:8", 'allow_insecure_http = "yes"'))
    webhook = parse_profile(b'[profile]\nname = "w"\nsite = "S"\n[adapter]\nkind = "webhook"\nurl = "http://x.example"\n')
    with pytest.raises(SettingsError, match="must use https"):
        build_adapter(webhook)


def test_the_shipped_hospital_profile_uses_https(staff_env: None) -> None:
    adapter = build_adapter(load_profile("hospital"))
    assert adapter.bhyt.config.base_url.startswith("https://") and adapter.config.url.startswith("https://")
