"""A fake BHXH gateway that behaves like the real one (docs/bhyt-gateway.md).

* ``POST /api/token/take`` (JSON or form body): ``username`` must be the facility code + ``_BV`` and
  ``password`` the MD5 hex of the configured password; issues an ``access_token`` / ``id_token`` pair that
  expires after ``expires_in`` seconds of the server's clock (stated as seconds, or as an ISO time like the
  production gateway when ``iso_expiry``).
* ``POST /api/egw/KQNhanLichSuKCB2024?token=…&id_token=…&username=…&password=…``: the token must be live
  and match the account, else ``401`` (in the body, or as HTTP 401 when ``http_401``); the body must be
  form-encoded with ``maThe, hoTen, ngaySinh, hoTenCb, cccdCb`` in the right formats, else ``205``; the
  staff member must be registered (``054``) under that name (``055``). Then the card: unknown → ``050``
  (CCCD number) / ``051`` (card code); a configured code is answered as configured; a card configured
  ``000`` with a name or birth date answers ``060`` / ``070`` when the request differs.

Faults come from :class:`~kiosk.fakes.LocalServer` (slow, fail with 500, drop connections) plus
:meth:`FakeBhytGateway.expire_tokens` (tokens die before their announced expiry).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
import unicodedata
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from kiosk.fakes import LocalServer, Recorded, Response

TOKEN_PATH = "/api/token/take"
CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
VIETNAM = timezone(timedelta(hours=7))

REMARKS = {  # ghiChu texts in the gateway's style
    "000": "Thẻ còn giá trị sử dụng!", "001": "Thẻ do BQP quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
    "002": "Thẻ do BCA quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
    "003": "Thẻ cũ hết giá trị sử dụng, được cấp thẻ mới!", "004": "Thẻ cũ còn giá trị sử dụng, được cấp thẻ mới!",
    "010": "Thẻ hết giá trị sử dụng!", "050": "Không thấy thông tin thẻ này!", "051": "Mã thẻ không đúng!",
    "052": "Mã tỉnh cấp thẻ không đúng!", "053": "Mức hưởng không đúng!",
    "054": "Thông tin cán bộ tra cứu chưa được đăng ký!", "055": "Họ tên cán bộ không khớp với số CCCD!",
    "060": "Họ tên không đúng!", "061": "Họ tên đúng nhưng sai ký tự!", "070": "Ngày sinh không đúng!",
    "080": "Giới tính không đúng!", "100": "Lỗi khi lấy dữ liệu số thẻ!", "101": "Lỗi server!",
    "110": "Thẻ đã thu hồi!", "120": "Thẻ đã báo giảm!", "121": "Thẻ đã báo giảm chuyển ngoại tỉnh!",
    "122": "Thẻ đã báo giảm chuyển nội tỉnh!", "123": "Thẻ đã báo giảm do tăng lại cùng đơn vị!",
    "124": "Thẻ đã báo giảm ngừng tham gia!", "130": "Trẻ em không xuất trình thẻ!",
    "205": "Lỗi sai định dạng tham số!", "401": "Lỗi xác thực tài khoản!", "500": "Lỗi không xác định!",
}


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _same_name(a: str, b: str) -> bool:
    return " ".join(unicodedata.normalize("NFC", a).split()).casefold() == \
        " ".join(unicodedata.normalize("NFC", b).split()).casefold()


@dataclass
class Card:
    """One card the gateway knows, by ``maThe`` (a CCCD number or a 15-character card code)."""

    code: str = "000"  # the answer; "000" with ``name`` / ``birth`` set also checks them
    name: str | None = None
    birth: str | None = None  # dd/MM/yyyy
    fields: dict[str, str] = field(default_factory=dict)  # extra reply fields (maTheMoi, gtTheDen …)


@dataclass
class _Issued:
    username: str
    id_token: str
    expires_at: float


class FakeBhytGateway(LocalServer):
    def __init__(self, *, facility: str = "79001", password: str = "mat-khau-thu", expires_in: float = 1800,
                 iso_expiry: bool = False, http_401: bool = False, clock: Callable[[], float] = time.time,
                 staff: dict[str, str] | None = None) -> None:
        super().__init__()
        self.username = f"{facility}_BV"
        self.password_md5 = md5_hex(password)
        self.expires_in = expires_in
        self.iso_expiry = iso_expiry
        self.http_401 = http_401
        self.clock = clock
        self.staff = dict(staff or {})  # cccdCb -> hoTenCb registered for the facility
        self.cards: dict[str, Card] = {}
        self.tokens: dict[str, _Issued] = {}
        self.logins = 0
        self.checks: list[dict[str, str]] = []  # every well-formed card check's form

    def add_card(self, number: str, code: str = "000", *, name: str | None = None, birth: str | None = None,
                 **fields: str) -> None:
        self.cards[number] = Card(code, name, birth, dict(fields))

    def expire_tokens(self) -> None:
        """Every token issued so far stops working now, whatever its announced expiry."""
        with self.lock:
            for issued in self.tokens.values():
                issued.expires_at = float("-inf")

    # ------------------------------------------------------------------------------------- handlers

    def handle(self, request: Recorded) -> Response:
        if request.method != "POST":
            return Response(405)
        if request.path == TOKEN_PATH:
            return self._login(request)
        if request.path == CHECK_PATH:
            return self._check(request)
        return Response(404, b"Not Found")

    def _login(self, request: Recorded) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                given = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return Response.json(200, {"maKetQua": "205", "APIKey": None})
        else:
            given = request.form()
        if given.get("username") != self.username or given.get("password") != self.password_md5:
            return Response.json(200, {"maKetQua": "401", "APIKey": None})
        self.logins += 1
        access, id_token = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
        expires_at = self.clock() + self.expires_in
        self.tokens[access] = _Issued(self.username, id_token, expires_at)
        expires: object = self.expires_in
        if self.iso_expiry:
            expires = datetime.fromtimestamp(expires_at, VIETNAM).isoformat(timespec="microseconds")
        return Response.json(200, {"maKetQua": "200", "APIKey": {
            "access_token": access, "id_token": id_token, "token_type": "Bearer", "username": self.username,
            "expires_in": expires}})

    def _unauthorised(self) -> Response:
        if self.http_401:
            return Response(401, b"Unauthorized", {"Content-Type": "text/plain"})
        return Response.json(200, {"maKetQua": "401", "ghiChu": REMARKS["401"]})

    def _check(self, request: Recorded) -> Response:
        query = request.query
        issued = self.tokens.get(query.get("token", ""))
        if (issued is None or issued.id_token != query.get("id_token") or issued.username != query.get("username")
                or query.get("password") != self.password_md5 or self.clock() >= issued.expires_at):
            return self._unauthorised()
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return self._answer("205")
        form = request.form()
        card, name, birth = form.get("maThe", ""), form.get("hoTen", ""), form.get("ngaySinh", "")
        staff_name, staff_cccd = form.get("hoTenCb", ""), form.get("cccdCb", "")
        if (not (re.fullmatch(r"\d{12}", card) or re.fullmatch(r"[A-Z]{2}\d{13}", card)) or not name.strip()
                or not re.fullmatch(r"\d{2}/\d{2}/\d{4}|\d{4}", birth) or not staff_name.strip()
                or not re.fullmatch(r"\d{12}", staff_cccd)):
            return self._answer("205")
        self.checks.append(form)
        if staff_cccd not in self.staff:
            return self._answer("054")
        if not _same_name(self.staff[staff_cccd], staff_name):
            return self._answer("055")
        known = self.cards.get(card)
        if known is None:
            return self._answer("050" if card.isdigit() else "051")
        code = known.code
        if code == "000" and known.name is not None and not _same_name(known.name, name):
            code = "060"
        elif code == "000" and known.birth is not None and birth not in (known.birth, known.birth[-4:]):
            code = "070"
        return self._answer(code, card=card, known=known)

    def _answer(self, code: str, *, card: str = "", known: Card | None = None) -> Response:
        remark = REMARKS.get(code, "")
        reply: dict[str, object] = {"maKetQua": code, "ghiChu": remark}
        if known is not None:
            if code == "060" and known.name:  # like the real gateway: the remark gives the right value
                reply["ghiChu"] = f"{remark} Họ tên đúng: {known.name}"
            reply.update({
                "maThe": known.fields.get("maThe", "GD4797912345678" if card.isdigit() else card),
                "hoTen": known.name or "", "ngaySinh": known.birth or "", "gioiTinh": "Nam", "diaChi": "",
                "maDKBD": "79001", "cqBHXH": "BHXH TP Hồ Chí Minh", "gtTheTu": "01/01/2025",
                "gtTheDen": "31/12/2025", "maKV": "", "ngayDu5Nam": "", "maSoBHXH": "7912345678",
                "maTheCu": None, "maTheMoi": None, "gtTheTuMoi": None, "gtTheDenMoi": None})
            reply.update(known.fields)
        return Response.json(200, reply)


def form_encoded(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode("ascii")
