"""Demo sites: a profile wired to local stand-ins of its place's systems, and what a demo person brings.

Used by the screen's demo (``python -m kiosk ui --demo``) and the check-in benchmark, so both run the
real adapters in their real protocols:
- the hospital talks to a BHYT gateway and a hospital system served on 127.0.0.1 (:mod:`kiosk.fakes`);
- the airport gets a boarding pass for today's flight from Hà Nội;
- the exam room gets a roster holding the demo citizen and a fresh exam session each time.
The stand-ins' secrets (the BHYT password, the staff identity) are set in the environment variables the
profile names, for the life of the site only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from kiosk.settings import Profile
from nfc.sim.citizen import DEMO_ID_NUMBER, demo_citizen

DEMO_BHYT_PASSWORD = "demo-password"
DEMO_STAFF = ("Lê Thị Tiếp Đón", "079090001111")  # a fictional reception clerk
DEMO_ROSTER = ("STT;Số báo danh;Họ đệm;Tên;Ngày sinh;Phòng thi;Số CCCD\n"
               f"1;01000123;Nguyễn Thị;An;14/05/2003;012;{DEMO_ID_NUMBER}\n"
               "2;01000124;Trần Văn;Bình;02/09/2003;012;001203001111\n")


def demo_boarding_pass(now: datetime) -> str:
    """An IATA BCBP for the demo citizen (Nguyễn Thị An) on the day of ``now``, from Hà Nội."""
    return f"M1{'NGUYEN/THI AN MS':<20}EDEMO01 HANSGNVN 0213 {now.timetuple().tm_yday:03d}Y012C0042 100"


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def demo_site(profile: Profile, folder: Path, *,
              still_camera: bool = True) -> Iterator[tuple[Profile, dict[str, str]]]:
    """``profile`` with its data in ``folder`` and its upstream played locally, and the person's context.

    With the still demo face as camera the liveness challenge is left out: a picture cannot turn its head,
    so the challenge could only (rightly) fail."""
    from kiosk.fakes.bhyt_server import FakeBhytGateway
    from kiosk.fakes.hospital_server import FakeHospital

    folder.mkdir(parents=True, exist_ok=True)
    table = dict(profile.adapter)
    context: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        kind = table.get("kind", "local")
        if kind == "hospital":
            bhyt_table, registration = dict(table["bhyt"]), dict(table["registration"])
            bhyt = stack.enter_context(FakeBhytGateway(facility=str(bhyt_table.get("facility_code", "79001")),
                                                       password=DEMO_BHYT_PASSWORD,
                                                       staff={DEMO_STAFF[1]: DEMO_STAFF[0]}))
            bhyt.add_card(DEMO_ID_NUMBER, "000", name=demo_citizen().full_name, birth="14/05/2003")
            hospital = stack.enter_context(FakeHospital(department="Khoa Khám bệnh – Phòng 105"))
            stack.enter_context(_environment({
                str(bhyt_table.get("password_env", "BHYT_PASSWORD")): DEMO_BHYT_PASSWORD,
                str(bhyt_table.get("staff_name_env", "BHYT_STAFF_NAME")): DEMO_STAFF[0],
                str(bhyt_table.get("staff_cccd_env", "BHYT_STAFF_CCCD")): DEMO_STAFF[1]}))
            table["bhyt"] = {**bhyt_table, "base_url": bhyt.url}
            table["registration"] = {**registration, "mode": "json", "url": hospital.url}
            table["allow_insecure_http"] = True  # the stand-ins speak plain http on 127.0.0.1
        elif kind == "airport":
            zone = ZoneInfo(str(table.get("timezone", "Asia/Ho_Chi_Minh")))
            context["boarding_pass"] = demo_boarding_pass(datetime.now(zone))
        elif kind == "exam":
            (folder / "demo-roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
            table.update(roster="demo-roster.csv", room="012",
                         session=f"demo-{datetime.now():%Y%m%d-%H%M%S-%f}")  # a fresh exam session each time
        face = replace(profile.face, liveness=False) if still_camera else profile.face
        yield replace(profile, data_dir=folder, adapter=MappingProxyType(table), face=face), context
