"""scripts/install-kiosk.sh and uninstall-kiosk.sh against a temporary root (DESTDIR): the expected files,
owners and modes, an idempotent second run that keeps the administrator's changes, units that pass
``systemd-analyze verify``, and an uninstall that keeps (or, with --purge, removes) configuration and data."""

from __future__ import annotations

import base64
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "scripts" / "install-kiosk.sh"
UNINSTALL = ROOT / "scripts" / "uninstall-kiosk.sh"
UNITS = "usr/local/lib/systemd/system"

needs_systemd = pytest.mark.skipif(
    not (shutil.which("systemd-sysusers") and shutil.which("systemd-tmpfiles") and shutil.which("systemctl")),
    reason="systemd's tools are not installed (apt-get install systemd)")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the staged files are owned by the kiosk's user: root only")


def run(script: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["bash", str(script), *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "DESTDIR": str(root)})
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def install(root: Path, profile: str = "hospital") -> subprocess.CompletedProcess[str]:
    return run(INSTALL, root, "--python", sys.executable, profile)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def kiosk_ids(root: Path) -> tuple[int, int]:
    for line in (root / "etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == "cccd-kiosk":
            assert fields[5] == "/var/lib/cccd-kiosk" and fields[6] == "/usr/sbin/nologin"
            return int(fields[2]), int(fields[3])
    raise AssertionError("no cccd-kiosk user in the staged /etc/passwd")


@pytest.fixture
def staged(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    install(root)
    return root


@needs_systemd
@needs_root
def test_install_stages_files_with_their_owners_and_modes(staged: Path) -> None:
    uid, gid = kiosk_ids(staged)
    data = staged / "var/lib/cccd-kiosk"
    assert mode(data) == 0o700 and (data.stat().st_uid, data.stat().st_gid) == (uid, gid)
    conf = staged / "etc/cccd-kiosk"
    expected = {conf: 0o755, conf / "csca": 0o755, conf / "profile.toml": 0o644, conf / "kiosk.env": 0o644,
                conf / "secrets.env": 0o600, conf / "outbox.key": 0o600,
                staged / "usr/local/lib/cccd-kiosk/kiosk-session": 0o755,
                staged / "usr/local/lib/cccd-kiosk/x-server": 0o755,
                staged / "usr/local/sbin/cccd-kiosk": 0o755, staged / UNITS / "cccd-kiosk.service": 0o644,
                staged / UNITS / "cccd-kiosk-site.service": 0o644,
                staged / "etc/X11/xorg.conf.d/10-cccd-kiosk.conf": 0o644}
    assert {p: mode(p) for p in expected} == expected
    assert (conf / "secrets.env").stat().st_uid == 0 and (conf / "outbox.key").stat().st_uid == 0
    assert len(base64.b64decode((conf / "outbox.key").read_text().strip(), validate=True)) == 32
    assert (conf / "profile.toml").read_text() == (ROOT / "config/hospital.toml").read_text()
    env = (conf / "kiosk.env").read_text()
    assert "KIOSK_DEMO=0" in env and "KIOSK_CAMERA=0" in env and "KIOSK_PROFILE=/etc/cccd-kiosk/profile.toml" in env
    secrets = dict(line.split("=", 1) for line in (conf / "secrets.env").read_text().splitlines() if "=" in line)
    assert len(secrets["KIOSK_OPERATOR_PIN"]) == 6  # a random PIN for a real profile
    unit = (staged / UNITS / "cccd-kiosk.service").read_text()
    assert "@" not in unit.replace("getty@tty7", "")  # every placeholder filled
    assert f"KIOSK_PYTHON={sys.executable}" in unit
    assert "LoadCredential=outbox.key:/etc/cccd-kiosk/outbox.key" in unit
    wants = staged / "etc/systemd/system/multi-user.target.wants"
    assert (wants / "cccd-kiosk.service").is_symlink()
    assert not (wants / "cccd-kiosk-site.service").exists()  # no site store configured


@needs_systemd
@needs_root
def test_second_run_keeps_what_the_administrator_changed(staged: Path) -> None:
    conf = staged / "etc/cccd-kiosk"
    (conf / "kiosk.env").write_text((conf / "kiosk.env").read_text() + "KIOSK_X_ARGS=-nocursor\n")
    secrets = (conf / "secrets.env").read_text().replace("KIOSK_SITE_STORE=\n",
                                                          "KIOSK_SITE_STORE=postgresql://kiosk@/site\n")
    (conf / "secrets.env").write_text(secrets)
    (conf / "secrets.env").chmod(0o644)  # a careless edit
    key = (conf / "outbox.key").read_text()
    result = install(staged, "exam")
    assert "keeping /etc/cccd-kiosk/profile.toml" in result.stdout
    assert (conf / "profile.toml").read_text() == (ROOT / "config/hospital.toml").read_text()
    assert "KIOSK_X_ARGS=-nocursor" in (conf / "kiosk.env").read_text()
    assert (conf / "secrets.env").read_text() == secrets and mode(conf / "secrets.env") == 0o600
    assert (conf / "outbox.key").read_text() == key  # the queued check-ins stay readable
    assert (staged / "etc/systemd/system/multi-user.target.wants/cccd-kiosk-site.service").is_symlink()
    assert [line.split(":")[0] for line in (staged / "etc/passwd").read_text().splitlines()] == ["cccd-kiosk"]


@needs_systemd
@needs_root
def test_a_site_store_in_the_profile_enables_the_site_page(staged: Path) -> None:
    profile = staged / "etc/cccd-kiosk/profile.toml"
    profile.write_text(profile.read_text() + '\n[site]\nstore = "postgresql://kiosk@/site?host=/run/postgresql"\n')
    install(staged)
    assert (staged / "etc/systemd/system/multi-user.target.wants/cccd-kiosk-site.service").is_symlink()


@needs_systemd
@needs_root
def test_a_key_left_in_the_data_folder_moves_to_the_credential(staged: Path) -> None:
    conf = staged / "etc/cccd-kiosk"
    (conf / "outbox.key").unlink()
    old = staged / "var/lib/cccd-kiosk/hospital/outbox.key"  # where an earlier kiosk made it
    old.parent.mkdir()
    old.write_text(base64.b64encode(b"k" * 32).decode() + "\n")
    old.chmod(0o600)
    result = install(staged)
    assert "moved the outbox key" in result.stdout
    assert (conf / "outbox.key").read_text().strip() == base64.b64encode(b"k" * 32).decode()
    assert not old.exists() and mode(conf / "outbox.key") == 0o600


@needs_systemd
@needs_root
def test_demo_install_runs_the_virtual_card_and_the_demo_face(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root, "demo")
    env = (root / "etc/cccd-kiosk/kiosk.env").read_text()
    assert "KIOSK_DEMO=1" in env and "KIOSK_CAMERA=\n" in env
    assert "KIOSK_OPERATOR_PIN=\n" in (root / "etc/cccd-kiosk/secrets.env").read_text()  # the demo's 1234


@needs_systemd
@needs_root
@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
@pytest.mark.skipif(not shutil.which("xinit"), reason="xinit is not installed (apt-get install xinit)")
def test_staged_units_pass_systemd_analyze_verify(staged: Path) -> None:
    units = [str(staged / UNITS / name) for name in ("cccd-kiosk.service", "cccd-kiosk-site.service")]
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr


@needs_systemd
@needs_root
def test_uninstall_keeps_configuration_and_data_unless_purged(staged: Path) -> None:
    run(UNINSTALL, staged)
    assert not (staged / UNITS / "cccd-kiosk.service").exists()
    assert not (staged / "usr/local/lib/cccd-kiosk").exists() and not (staged / "usr/local/sbin/cccd-kiosk").exists()
    assert not (staged / "etc/systemd/system/multi-user.target.wants/cccd-kiosk.service").exists()
    assert (staged / "etc/cccd-kiosk/secrets.env").exists() and (staged / "var/lib/cccd-kiosk").is_dir()
    run(UNINSTALL, staged, "--purge")
    assert not (staged / "etc/cccd-kiosk").exists() and not (staged / "var/lib/cccd-kiosk").exists()
    assert "cccd-kiosk" not in (staged / "etc/passwd").read_text() + (staged / "etc/group").read_text()


def test_install_refuses_bad_arguments(tmp_path: Path) -> None:
    for args in ([], ["nosuchprofile"], ["demo", "--bogus"]):
        result = subprocess.run(["bash", str(INSTALL), *args], capture_output=True, text=True, timeout=60,
                                env={**os.environ, "DESTDIR": str(tmp_path)})
        assert result.returncode == 2, args
