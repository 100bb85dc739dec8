"""``kiosk doctor`` checks that need no reader: camera, trust, clock, disk, site store and upstreams (real
sockets and a real TLS server on 127.0.0.1), the typed results and the command's JSON and exit status.
The reader chain through pcscd + vpcd is in tests/e2e/test_doctor_pcsc.py."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

import kiosk.doctor
from kiosk.doctor import CheckName, CheckStatus, DoctorConfig, FrameSize, all_ok, run_checks
from kiosk.doctor.card import reader_choice
from kiosk.doctor.media import camera_check
from kiosk.doctor.network import probe_http, site_store_check, upstream_checks, upstream_urls
from kiosk.doctor.result import failed, passed
from kiosk.doctor.system import MAX_CLOCK_ERROR_US, clock_check, disk_check, trust_check
from kiosk.messages import _catalogue
from kiosk.settings import load_profile
from kiosk.simulator import demo_pki
from nfc.trust.store import TrustStore

KIOSK = [sys.executable, "-m", "kiosk"]


# -- results -------------------------------------------------------------------------------------------
def test_every_fix_key_the_doctor_can_name_has_both_languages() -> None:
    sources = "".join(p.read_text("utf-8") for p in Path(kiosk.doctor.__file__).parent.glob("*.py"))
    keys = set(re.findall(r'"(doctor\.[a-z_]+)"', sources))
    assert len(keys) > 15
    for key in keys:
        assert key in _catalogue(), key
        text = _catalogue()[key]
        assert text.vi.strip() and text.en.strip() and text.vi != text.en


def test_a_result_serialises_with_its_fix_in_both_languages() -> None:
    result = failed(CheckName.CLOCK, "not synchronized", "doctor.clock_unsynced", max_error_s=16.0)
    out = result.as_json()
    assert out["status"] == "fail" and out["name"] == "clock"
    assert out["fix"]["en"].startswith("The clock") and "đồng bộ" in out["fix"]["vi"]
    assert out["facts"] == {"max_error_s": 16.0}
    assert not all_ok([passed(CheckName.DISK, "fine"), result])
    assert all_ok([passed(CheckName.DISK, "fine")])


# -- camera --------------------------------------------------------------------------------------------
def _folder(tmp_path: Path, width: int, height: int) -> Path:
    folder = tmp_path / f"frames-{width}x{height}"
    folder.mkdir()
    for i in range(2):
        Image.fromarray(np.full((height, width, 3), 90 + i, np.uint8)).save(folder / f"{i}.png")
    return folder


def test_camera_missing_names_the_fix() -> None:
    result = camera_check("9", FrameSize())
    assert result.status is CheckStatus.FAIL and result.fix_key == "doctor.camera_missing"


def test_camera_frames_at_or_above_the_configured_size_pass(tmp_path: Path) -> None:
    result = camera_check(str(_folder(tmp_path, 640, 480)), FrameSize(640, 480))
    assert result.status is CheckStatus.PASS and (result.facts["width"], result.facts["height"]) == (640, 480)


def test_camera_frames_below_the_configured_size_fail(tmp_path: Path) -> None:
    result = camera_check(str(_folder(tmp_path, 320, 240)), FrameSize.parse("640x480"))
    assert result.status is CheckStatus.FAIL and result.fix_key == "doctor.camera_small"


def test_no_camera_is_a_failure_except_in_the_demo() -> None:
    assert camera_check(None, FrameSize()).fix_key == "doctor.camera_not_configured"
    assert camera_check(None, FrameSize(), demo=True).status is CheckStatus.PASS


# -- trust, clock, disk --------------------------------------------------------------------------------
def test_trust_counts_days_to_the_earliest_expiry() -> None:
    csca = demo_pki().csca_certificate
    store = TrustStore.from_certificates([csca])
    expiry = csca.not_valid_after_utc
    ok = trust_check(store, now=expiry - dt.timedelta(days=400))
    assert ok.status is CheckStatus.PASS and ok.facts["days_to_expiry"] == 400
    soon = trust_check(store, now=expiry - dt.timedelta(days=30))
    assert soon.status is CheckStatus.WARN and soon.fix_key == "doctor.trust_expiring"
    gone = trust_check(store, now=expiry + dt.timedelta(days=1))
    assert gone.status is CheckStatus.FAIL and gone.fix_key == "doctor.trust_expired"


def test_no_trust_anchor_fails() -> None:
    assert trust_check(TrustStore.from_certificates([])).fix_key == "doctor.trust_missing"


def test_clock_follows_the_kernels_error_estimate() -> None:
    assert clock_check(lambda: 40_000).status is CheckStatus.PASS
    assert clock_check(lambda: MAX_CLOCK_ERROR_US).status is CheckStatus.FAIL
    assert clock_check(lambda: None).status is CheckStatus.WARN


def test_disk_looks_at_the_nearest_existing_folder(tmp_path: Path) -> None:
    result = disk_check(tmp_path / "not" / "yet")
    assert result.status is CheckStatus.PASS and result.facts["free_bytes"] > 0


# -- upstreams -----------------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Head(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_HEAD(self) -> None:
        _Head.seen.append(f"{self.command} {self.path} auth={self.headers.get('Authorization')}")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _server(tls: ssl.SSLContext | None = None) -> Iterator[int]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Head)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "doctor test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def _tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_upstream_urls_are_found_in_nested_adapter_tables() -> None:
    adapter = load_profile("hospital").adapter
    assert dict(upstream_urls(adapter)) == {"bhyt.base_url": "https://egw.baohiemxahoi.gov.vn",
                                            "registration.url": "https://his.hospital.example/api/kiosk"}


def test_unreachable_upstream_fails_with_its_fix() -> None:
    result = probe_http("url", f"https://127.0.0.1:{_closed_port()}/checkins", 2.0)
    assert result.status is CheckStatus.FAIL and result.fix_key == "doctor.upstream_unreachable"


def test_untrusted_tls_certificate_fails(self_signed: tuple[Path, Path]) -> None:
    with _server(_tls(*self_signed)) as port:
        result = probe_http("url", f"https://127.0.0.1:{port}/api", 5.0)
    assert result.status is CheckStatus.FAIL and result.fix_key == "doctor.upstream_tls"


def test_trusted_tls_upstream_passes_with_one_credential_free_head(self_signed: tuple[Path, Path],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(self_signed[0]))
    _Head.seen.clear()
    with _server(_tls(*self_signed)) as port:
        result = probe_http("url", f"https://user:secret@127.0.0.1:{port}/api/kiosk?x=1", 5.0)
    assert result.status is CheckStatus.PASS and result.facts["tls"].startswith("TLS")
    assert _Head.seen == ["HEAD /api/kiosk auth=None"]
    assert "secret" not in result.detail and "secret" not in json.dumps(result.as_json())


def test_plain_http_on_this_machine_passes() -> None:
    with _server() as port:
        result = probe_http("url", f"http://127.0.0.1:{port}/", 5.0)
    assert result.status is CheckStatus.PASS


def test_demo_and_local_adapters_have_no_upstream_to_check() -> None:
    assert upstream_checks({"kind": "local"})[0].status is CheckStatus.SKIP
    assert upstream_checks({"kind": "webhook", "url": "https://x.invalid"}, demo=True)[0].status is CheckStatus.SKIP


# -- site store ----------------------------------------------------------------------------------------
def test_site_store_unset_is_skipped() -> None:
    assert site_store_check(None).status is CheckStatus.SKIP


def test_site_store_down_or_misnamed(tmp_path: Path) -> None:
    down = site_store_check(f"postgresql://kiosk@/site?host={tmp_path}&port=6543", timeout_s=2.0)
    assert down.status is CheckStatus.FAIL and down.fix_key == "doctor.site_store_down"
    assert site_store_check("mysql://x/y").fix_key == "doctor.site_store_config"


def test_reader_choice_skips_sam_and_contact_slots() -> None:
    names = ["ACS ACR1252 Dual Reader SAM 00 00", "ACS ACR1252 Dual Reader PICC 00 01"]
    chosen, skipped_readers = reader_choice(names, None)
    assert chosen == names[1]
    assert skipped_readers == [{"name": names[0], "reason": "sam_or_contact_slot"}]
    assert reader_choice(names, "ACS ACR1252 Dual Reader SAM") == (names[0], [{"name": names[1],
                                                                              "reason": "not_the_configured_reader"}])
    assert reader_choice(names, "OMNIKEY") == (None, [])
    chosen, skipped_readers = reader_choice(names, None, "SAM")  # the profile's [reader] pattern names the slot
    assert chosen == names[0] and skipped_readers == [{"name": names[1], "reason": "does_not_match_pattern"}]


# -- the whole run and the command ---------------------------------------------------------------------
def test_run_checks_only_runs_what_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    config = DoctorConfig(load_profile("demo"), demo=True, only=frozenset({CheckName.DISK, CheckName.CARD}))
    results = run_checks(config)
    assert [r.name for r in results] == [CheckName.CARD, CheckName.DISK]
    assert [r.status for r in results] == [CheckStatus.SKIP, CheckStatus.PASS]


def _doctor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path), "PYTHONUTF8": "1"}
    return subprocess.run([*KIOSK, "doctor", *args], capture_output=True, text=True, timeout=120, env=env)


def test_doctor_json_and_exit_status(tmp_path: Path) -> None:
    profile = tmp_path / "webhook.toml"
    profile.write_text(f'[profile]\nname = "w"\nsite = "W-1"\n[face]\nenabled = false\n'
                       f'[adapter]\nkind = "webhook"\nurl = "https://127.0.0.1:{_closed_port()}/in"\n')
    bad = _doctor(tmp_path, "--profile", str(profile), "--check", "upstream", "--check", "disk", "--json")
    assert bad.returncode == 1, bad.stderr
    out = json.loads(bad.stdout)
    assert out["ok"] is False
    assert {c["name"]: c["status"] for c in out["checks"]} == {"upstream": "fail", "disk": "pass"}
    good = _doctor(tmp_path, "--profile", str(profile), "--check", "disk")
    assert good.returncode == 0 and "all checks passed" in good.stdout
    usage = _doctor(tmp_path, "--profile", str(tmp_path / "none.toml"))
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_trust_check_uses_the_check_ins_own_trust_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    only = frozenset({CheckName.TRUST})
    demo = run_checks(DoctorConfig(load_profile("demo"), demo=True, only=only))
    assert [r.status for r in demo] == [CheckStatus.PASS]  # the virtual card's test CSCA
    real = run_checks(DoctorConfig(load_profile("demo"), only=only))
    assert [(r.status, r.fix_key) for r in real] == [(CheckStatus.FAIL, "doctor.trust_missing")]
