"""The citizen record a virtual CCCD is built from. Fictional: no real person has this ID number."""

from __future__ import annotations

from datetime import date

from nfc.lds.dg13 import CitizenInfo

DEMO_ID_NUMBER = "001303004567"


def demo_citizen() -> CitizenInfo:
    """A plausible, fictional Hà Nội citizen woman born in 2003 (card valid until the age-25 renewal)."""
    return CitizenInfo(
        id_number=DEMO_ID_NUMBER,
        full_name="Nguyễn Thị An",
        date_of_birth=date(2003, 5, 14),
        sex="Nữ",
        nationality="Việt Nam",
        ethnicity="Kinh",
        religion="Không",
        hometown="Xã Đông Hội, Huyện Đông Anh, Hà Nội",
        residence="Số 12 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội",
        identifying_marks="Nốt ruồi C:1cm trên trước đuôi mắt trái",
        issue_date=date(2021, 4, 10),
        expiry_date=date(2028, 5, 14),
        father_name="Nguyễn Văn Bình",
        mother_name="Trần Thị Cúc",
        old_id_number="012345678",
    )
