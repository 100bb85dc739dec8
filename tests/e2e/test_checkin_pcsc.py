"""Whole check-ins per profile through the real PC/SC stack: ``python -m kiosk check --reader "Virtual PCD
00 00"`` against the virtual card served by ``python -m kiosk sim``, an image-folder camera, and the
local stand-ins of each place's system on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import pytest

from biometrics.portrait import demo_face_rgb
from kiosk.fakes.bhyt_server import FakeBhytGateway
from kiosk.fakes.hospital_server import FakeHospital
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen
from tests.e2e.test_read_pcsc import KIOSK, served_card

pytestmark = pytest.mark.e2e

COMMON = """
[trust]
csca = ["{csca}"]

[policy]
passive_authentication = "required"
active_authentication = "if_supported"
chip_authentication = "if_supported"

[face]
enabled = true
timeout_s = 10
max_frames = 6
"""


@pytest.fixture
def site(tmp_path: Path) -> dict:
    camera = tmp_path / "camera"
    camera.mkdir()
    cv2.imwrite(str(camera / "frame.png"), cv2.cvtColor(demo_face_rgb(), cv2.COLOR_RGB2BGR))
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")}
    return {"dir": tmp_path, "camera": str(camera), "csca": str(tmp_path / "csca.pem"), "env": env}


def profile(site: dict, name: str, adapter: str) -> str:
    path = site["dir"] / f"{name}.toml"
    path.write_text(f'[profile]\nname = "{name}"\nsite = "E2E"\n' + COMMON.format(csca=site["csca"]) + adapter,
                    encoding="utf-8")
    return str(path)


def check(reader: str, site: dict, profile_path: str, *extra: str) -> tuple[int, dict]:
    with served_card(reader, "--csca-out", site["csca"]):
        result = subprocess.run([*KIOSK, "check", "--profile", profile_path, "--reader", reader, "--wait", "10",
                                 "--id", DEMO_ID_NUMBER, "--camera", site["camera"], "--json", *extra],
                                capture_output=True, text=True, timeout=120, env=site["env"])
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_hospital_check_in_asks_bhyt_and_registers_the_visit_once(pcscd: str, site: dict) -> None:
    citizen = demo_citizen()
    with FakeBhytGateway(facility="79001", password="mk-e2e", staff={"079090001111": "Lê Thị Tiếp Đón"}) as bhyt, \
            FakeHospital() as hospital:
        bhyt.add_card(DEMO_ID_NUMBER, "000", name=citizen.full_name, birth="14/05/2003")
        site["env"].update(BHYT_PASSWORD="mk-e2e", BHYT_STAFF_NAME="Lê Thị Tiếp Đón", BHYT_STAFF_CCCD="079090001111")
        path = profile(site, "hospital", f"""
[adapter]
kind = "hospital"
allow_insecure_http = true
[adapter.bhyt]
base_url = "{bhyt.url}"
facility_code = "79001"
password_env = "BHYT_PASSWORD"
staff_name_env = "BHYT_STAFF_NAME"
staff_cccd_env = "BHYT_STAFF_CCCD"
[adapter.registration]
mode = "json"
url = "{hospital.url}"
""")
        status, out = check(pcscd, site, path)
        assert status == 0, out
        assert out["outcome"] == "checked_in" and out["receipt"]["display"]["queue_number"]
        assert hospital.count(out["checkin_id"]) == 1
        assert len(bhyt.checks) == 1 and bhyt.checks[0]["maThe"] == DEMO_ID_NUMBER


def test_hospital_gateway_down_still_records_the_visit_for_staff(pcscd: str, site: dict) -> None:
    with FakeHospital() as hospital:
        site["env"].update(BHYT_PASSWORD="x", BHYT_STAFF_NAME="A", BHYT_STAFF_CCCD="079090001111")
        path = profile(site, "hospital", f"""
[adapter]
kind = "hospital"
allow_insecure_http = true
[adapter.bhyt]
base_url = "http://127.0.0.1:9"
facility_code = "79001"
password_env = "BHYT_PASSWORD"
staff_name_env = "BHYT_STAFF_NAME"
staff_cccd_env = "BHYT_STAFF_CCCD"
timeout_s = 2
[adapter.registration]
url = "{hospital.url}"
""")
        status, out = check(pcscd, site, path)
        assert out["outcome"] == "refer" and out["decision"]["status"] == "refer", out
        assert hospital.count(out["checkin_id"]) == 1


def boarding_pass(day_of_year: int, origin: str = "HAN") -> str:
    return f"M1{'NGUYEN/THI AN':<20}EABC123 {origin}SGNVN 0213 {day_of_year:03d}Y012A0001 100"


def test_airport_clears_the_matching_boarding_pass(pcscd: str, site: dict) -> None:
    path = profile(site, "airport", '[adapter]\nkind = "airport"\nairport_code = "HAN"\n')
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).timetuple().tm_yday
    status, out = check(pcscd, site, path, "--boarding-pass", boarding_pass(today))
    assert status == 0 and out["outcome"] == "checked_in", out
    assert out["receipt"]["display"]["decision"] == "cleared"


def test_airport_refers_a_pass_from_another_airport(pcscd: str, site: dict) -> None:
    path = profile(site, "airport", '[adapter]\nkind = "airport"\nairport_code = "HAN"\n')
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).timetuple().tm_yday
    status, out = check(pcscd, site, path, "--boarding-pass", boarding_pass(today, origin="DAD"))
    assert status == 1 and out["outcome"] == "refer", out
    assert "airport.wrong_airport" in out["decision"]["reasons"]


def test_exam_candidate_checks_in_once_and_a_second_attempt_is_flagged(pcscd: str, site: dict) -> None:
    roster = site["dir"] / "roster.csv"
    roster.write_text("STT,SBD,Họ đệm,Tên,Ngày sinh,Phòng thi,CCCD\n"
                      f"1,01000123,Nguyễn Thị,An,14/05/2003,012,{DEMO_ID_NUMBER}\n", encoding="utf-8")
    path = profile(site, "exam", f'[adapter]\nkind = "exam"\nroster = "{roster}"\nroom = "012"\n'
                                 'session = "e2e-session"\ndatabase = "attendance.sqlite3"\n')
    status, out = check(pcscd, site, path)
    assert status == 0 and out["outcome"] == "checked_in", out
    status, again = check(pcscd, site, path)
    assert status == 1 and again["outcome"] == "refer", again
    assert again["message_key"] == "exam.already_checked_in" and again["failure"]["kind"] == "staff"
    assert again["message"]["vi"].count(":") >= 1 and "{time}" not in again["message"]["vi"]


def test_no_csca_means_the_kiosk_refuses(pcscd: str, site: dict) -> None:
    path = profile(site, "demo", '[adapter]\nkind = "local"\n')
    Path(path).write_text(Path(path).read_text().replace(f'csca = ["{site["csca"]}"]', "csca = []"))
    status, out = check(pcscd, site, path)
    assert status == 1 and out["message_key"] == "trust.refused"
    assert "passive_authentication: unverified" in out["detail"]
