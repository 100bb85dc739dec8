"""Client of the Vietnam Social Security (BHXH) gateway: is this health-insurance (BHYT) card usable today?

The protocol (docs/bhyt-gateway.md, with its sources):

* ``POST {base}/api/token/take`` with ``username`` (facility code + ``_BV``) and ``password`` (MD5 hex)
  answers ``{"maKetQua": "200", "APIKey": {access_token, id_token, token_type, username, expires_in}}``.
* ``POST {base}/api/egw/KQNhanLichSuKCB2024?token=…&id_token=…&username=…&password=…`` with a
  **form-encoded** body ``maThe, hoTen, ngaySinh, hoTenCb, cccdCb`` answers the card's state as ``maKetQua``
  plus the card fields.

:class:`BhytClient` logs in lazily, caches the token until shortly before ``expires_in`` (seconds, or an
ISO time as the production gateway sends it) by an injectable wall clock, logs in again when the gateway
says the token is no longer good (``401`` in the body or as HTTP status) and retries once. It refuses to
call without the staff identity (``hoTenCb``, ``cccdCb``) the gateway has required since mid-2024.

:func:`decide` turns a :class:`BhytResult` into a :class:`~kiosk.checkin.Decision`: every result code has a
patient-facing message key (``bhyt.<code>`` in ``messages.toml``), a staff action and a decision status
(:data:`OUTCOMES`). Gateway failures raise :class:`BhytUnavailable` (retry later) or :class:`BhytRejected`.

Logs carry a lookup reference, the result code and timings only: never names, ID or card numbers, nor the
request URL (its query string holds the token and the password hash).
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import logging
import re
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType

from kiosk.adapters.base import UpstreamRejected, UpstreamUnavailable
from kiosk.adapters.urls import upstream_url
from kiosk.checkin import Decision, Person
from kiosk.keys import birth_year_from_id

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/token/take"
CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
VIETNAM = timezone(timedelta(hours=7))  # the gateway's times without an offset are Vietnam time
_CARD_CODE = re.compile(r"^[A-Z]{2}\d{13}$")  # e.g. GD4790123456789: object, benefit level, province, number
_CCCD = re.compile(r"^\d{12}$")


# --------------------------------------------------------------------------------------------------- errors


class BhytUnavailable(UpstreamUnavailable):
    """The gateway could not be reached or answered a transient failure (100, 101, 500, HTTP 5xx, timeout)."""

    message_key = "bhyt.unavailable"


class BhytRejected(UpstreamRejected):
    """The gateway refused us for good (authentication failed after a fresh login, unusable endpoint)."""

    message_key = "bhyt.rejected"


class StaffIdentityMissing(BhytRejected):
    """No usable staff identity (``hoTenCb``, ``cccdCb``): the lookup is not made at all."""

    message_key = "bhyt.staff_missing"


# --------------------------------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == lowered), None)


Transport = Callable[[str, bytes, Mapping[str, str], float], HttpReply]
"""``transport(url, body, headers, timeout) -> HttpReply``; raises ``OSError`` / ``http.client.HTTPException``
when nothing usable came back. Any HTTP status is a reply, not an exception."""

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_ENVIRONMENT = urllib.request.build_opener()


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def urllib_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> HttpReply:
    """POST with the standard library; proxies from the environment except for loopback addresses."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    opener = _DIRECT if _is_loopback(url) else _ENVIRONMENT
    try:
        with opener.open(request, timeout=timeout) as response:
            return HttpReply(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpReply(error.code, dict(error.headers.items()) if error.headers else {}, error.read())


TRANSPORT_ERRORS = (OSError, http.client.HTTPException)  # timeouts, refused, reset, truncated replies


def describe_transport_error(error: BaseException) -> str:
    """A short reason for logs and messages that never includes the URL (the gateway's carries secrets)."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError | OSError) and "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError | http.client.RemoteDisconnected):
        return "connection dropped"
    if isinstance(reason, http.client.IncompleteRead):
        return "reply cut short"
    return type(reason).__name__


# --------------------------------------------------------------------------------------------------- config


def md5_hex(password: str) -> str:
    """The gateway wants the MD5 of the password, as lower-case hex."""
    return hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class StaffIdentity:
    """The staff member on whose behalf the lookup is made (``hoTenCb``, ``cccdCb``)."""

    name: str
    cccd: str

    def __repr__(self) -> str:
        return "StaffIdentity(******)"

    def problem(self) -> str | None:
        """Why this identity cannot be sent, or ``None`` when it can (never echoes the values)."""
        if not self.name.strip():
            return "the staff name (hoTenCb) is empty"
        if not _CCCD.match(self.cccd.strip()):
            return "the staff CCCD number (cccdCb) must have 12 digits"
        return None


StaffSource = StaffIdentity | Callable[[], StaffIdentity | None] | None


@dataclass(frozen=True)
class BhytConfig:
    """Where the gateway is and how we log in. ``password_md5`` is never shown by ``repr``."""

    base_url: str
    username: str  # facility code + "_BV"
    password_md5: str = field(repr=False)
    timeout_s: float = 10.0  # per HTTP request
    token_margin_s: float = 60.0  # renew this many seconds before the token's announced expiry

    @classmethod
    def from_table(cls, table: Mapping[str, object], environ: Mapping[str, str], *,
                   allow_insecure_http: bool = False) -> BhytConfig:
        """Build from the ``[hospital.bhyt]`` table: ``password_env`` names the variable with the plain password
        (``password_md5_env`` one with its MD5). The password itself never sits in a file of the repository.
        ``base_url`` must be https (:func:`~kiosk.adapters.urls.upstream_url`)."""
        facility = str(table.get("facility_code", ""))
        username = str(table.get("username") or (f"{facility}_BV" if facility else ""))
        if not username:
            raise ValueError("[bhyt] needs username or facility_code")
        if "password_md5_env" in table:
            variable = str(table["password_md5_env"])
            password_md5 = environ.get(variable, "").strip().lower()
            if not re.fullmatch(r"[0-9a-f]{32}", password_md5):
                raise ValueError(f"environment variable {variable} must hold the 32-character MD5 hex")
        else:
            variable = str(table.get("password_env", "BHYT_PASSWORD"))
            if not environ.get(variable):
                raise ValueError(f"environment variable {variable} (the gateway password) is not set")
            password_md5 = md5_hex(environ[variable])
        base_url = upstream_url(table["base_url"], "[bhyt] base_url", allow_insecure_http=allow_insecure_http)
        return cls(base_url=base_url, username=username, password_md5=password_md5,
                   timeout_s=float(table.get("timeout_s", 10.0)),
                   token_margin_s=float(table.get("token_margin_s", 60.0)))


def staff_from_table(table: Mapping[str, object], environ: Mapping[str, str]) -> Callable[[], StaffIdentity | None]:
    """The staff identity from the environment variables the table names (``staff_name_env``,
    ``staff_cccd_env``), read at each lookup so a shift change needs no restart."""
    name_var = str(table.get("staff_name_env", "BHYT_STAFF_NAME"))
    cccd_var = str(table.get("staff_cccd_env", "BHYT_STAFF_CCCD"))

    def current() -> StaffIdentity | None:
        name, cccd = environ.get(name_var, ""), environ.get(cccd_var, "")
        return StaffIdentity(name, cccd) if name or cccd else None

    return current


# --------------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class BhytResult:
    """The gateway's answer to one card check; ``fields`` holds the reply as given (personal data: no logs)."""

    code: str
    reference: str  # our lookup reference, for logs
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"BhytResult(code={self.code}, reference={self.reference})"

    def get(self, name: str) -> str:
        return self.fields.get(name) or ""


@dataclass(frozen=True)
class Outcome:
    """What one result code means: the decision, the patient's message key and what staff should do."""

    status: str  # Decision status, or "relogin" / "unavailable" for codes that are not about the card
    staff_vi: str
    staff_en: str

    def staff_note(self, code: str) -> str:
        return f"[BHYT {code}] {self.staff_vi} / {self.staff_en}"


_CLEARED, _REFER, _REFUSED = Decision.CLEARED, Decision.REFER, Decision.REFUSED
_LOST = ("Thẻ đã được báo mất; không dùng thẻ này. Hướng dẫn người bệnh khám không BHYT (tự chi trả) hoặc dùng "
         "thẻ được cấp lại.",
         "The card was reported lost; do not accept it. Register the patient as self-paying, or with a "
         "reissued card.")

OUTCOMES: Mapping[str, Outcome] = MappingProxyType({
    "000": Outcome(_CLEARED, "Thẻ hợp lệ.", "Card valid."),
    "001": Outcome(_REFER, "Thẻ do Bộ Quốc phòng quản lý: cổng không kiểm tra được; đối chiếu thẻ và giấy tờ "
                           "bằng tay.",
                   "Card managed by the Ministry of Defence; the gateway cannot check it: verify the card and "
                   "papers by hand."),
    "002": Outcome(_REFER, "Thẻ do Bộ Công an quản lý: cổng không kiểm tra được; đối chiếu thẻ và giấy tờ bằng "
                           "tay.",
                   "Card managed by the Ministry of Public Security; the gateway cannot check it: verify the "
                   "card and papers by hand."),
    "003": Outcome(_CLEARED, "Đã cấp thẻ mới, thẻ cũ hết giá trị: ghi nhận theo mã thẻ mới và hạn của thẻ mới.",
                   "A new card was issued and the old one has expired: record the new card code and its "
                   "validity."),
    "004": Outcome(_CLEARED, "Đã cấp thẻ mới, thẻ cũ còn giá trị: ghi nhận theo mã thẻ mới.",
                   "A new card was issued and the old one is still valid: record the new card code."),
    # An expired card does not turn a patient away: the hospital still sees them, as self-paying, unless they
    # show a renewed card the gateway does not know yet. That is a desk conversation, so refer, not refuse.
    "010": Outcome(_REFER, "Thẻ hết hạn: hỏi người bệnh có thẻ gia hạn (bản giấy hoặc VssID) không; nếu không, "
                           "đăng ký khám không BHYT (tự chi trả).",
                   "Card expired: ask for a renewed card (paper or VssID app); otherwise register the visit as "
                   "self-paying."),
    "050": Outcome(_REFER, "BHXH không có thông tin thẻ cho số CCCD này: hỏi thẻ BHYT/VssID và tra lại bằng mã "
                           "thẻ.",
                   "BHXH has no card for this CCCD number: ask for the BHYT card or VssID and look it up by "
                   "card code."),
    "051": Outcome(_REFER, "Mã thẻ không đúng: đối chiếu mã thẻ trên thẻ/VssID và tra lại.",
                   "Card code does not match: compare the code on the card or VssID and look it up again."),
    "052": Outcome(_REFER, "Mã tỉnh trên mã thẻ không đúng: đối chiếu mã thẻ và tra lại.",
                   "The province part of the card code is wrong: compare the card code and look it up again."),
    "053": Outcome(_REFER, "Mức hưởng trên mã thẻ không đúng: đối chiếu mức hưởng trên thẻ mới nhất.",
                   "The benefit level in the card code is wrong: compare the benefit level with the latest "
                   "card."),
    "054": Outcome(_REFER, "Cán bộ tra cứu (cccdCb) chưa được đăng ký với BHXH cho cơ sở này: đăng ký cán bộ "
                           "trên cổng BHXH hoặc sửa cấu hình nhân viên của máy; tra thẻ bằng tay.",
                   "The staff member (cccdCb) is not registered with BHXH for this facility: register them on "
                   "the BHXH portal or fix the kiosk's staff setting; check the card by hand."),
    "055": Outcome(_REFER, "Họ tên cán bộ (hoTenCb) không khớp số CCCD cán bộ đã đăng ký với BHXH: sửa cấu hình "
                           "nhân viên của máy; tra thẻ bằng tay.",
                   "The staff name (hoTenCb) does not match the staff CCCD registered with BHXH: fix the "
                   "kiosk's staff setting; check the card by hand."),
    "060": Outcome(_REFER, "Họ tên trên chip khác họ tên BHXH lưu cho thẻ: đối chiếu giấy tờ, hướng dẫn điều "
                           "chỉnh thông tin với BHXH.",
                   "The name on the chip differs from the name BHXH holds for the card: compare papers; the "
                   "patient should have BHXH correct it."),
    "061": Outcome(_REFER, "Họ tên đúng nhưng có ký tự/dấu khác với dữ liệu BHXH: đối chiếu giấy tờ.",
                   "The name differs from BHXH's in spelling or diacritics: compare papers."),
    "070": Outcome(_REFER, "Ngày sinh trên chip khác ngày sinh BHXH lưu cho thẻ: đối chiếu giấy tờ.",
                   "The birth date on the chip differs from the one BHXH holds for the card: compare papers."),
    "080": Outcome(_REFER, "Giới tính trên chip khác giới tính BHXH lưu cho thẻ: đối chiếu giấy tờ.",
                   "The sex on the chip differs from the one BHXH holds for the card: compare papers."),
    "100": Outcome("unavailable", "Cổng BHXH lỗi (100): thử lại sau hoặc tra bằng tay.",
                   "Gateway error (100): retry later or check by hand."),
    "101": Outcome("unavailable", "Cổng BHXH lỗi (101): thử lại sau hoặc tra bằng tay.",
                   "Gateway error (101): retry later or check by hand."),
    "110": Outcome(_REFUSED, "Thẻ đã bị thu hồi: không dùng thẻ này; khám không BHYT (tự chi trả).",
                   "The card has been revoked: do not accept it; register the visit as self-paying."),
    "120": Outcome(_REFUSED, *_LOST),
    "121": Outcome(_REFUSED, *_LOST),
    "122": Outcome(_REFUSED, *_LOST),
    "123": Outcome(_REFUSED, *_LOST),
    "124": Outcome(_REFUSED, *_LOST),
    "130": Outcome(_REFER, "Trẻ em chưa có thẻ: kiểm tra giấy khai sinh/giấy chứng sinh để hưởng BHYT trẻ em "
                           "dưới 6 tuổi.",
                   "Child without a card: check the birth certificate for the under-6 child benefit."),
    "205": Outcome(_REFER, "Lỗi định dạng tham số do máy kiosk gửi (lỗi phần mềm, đã ghi log): tra thẻ bằng tay.",
                   "The kiosk sent a badly formatted parameter (a software fault, logged): check the card by "
                   "hand."),
    "401": Outcome("relogin", "Xác thực với cổng BHXH thất bại: kiểm tra tài khoản/mật khẩu của cơ sở.",
                   "Gateway authentication failed: check the facility's username and password."),
    "500": Outcome("unavailable", "Cổng BHXH lỗi máy chủ (500): thử lại sau hoặc tra bằng tay.",
                   "Gateway server error (500): retry later or check by hand."),
})

_UNKNOWN = Outcome(_REFER, "Mã kết quả lạ từ cổng BHXH: tra thẻ bằng tay.",
                   "Unknown result code from the gateway: check the card by hand.")

_DETAIL_FIELDS = {  # Decision.details key -> reply field; read by the hospital registration
    "bhyt.card": "maThe", "bhyt.card_new": "maTheMoi", "bhyt.card_old": "maTheCu",
    "bhyt.valid_from": "gtTheTu", "bhyt.valid_to": "gtTheDen",
    "bhyt.valid_from_new": "gtTheTuMoi", "bhyt.valid_to_new": "gtTheDenMoi",
    "bhyt.facility": "maDKBD", "bhyt.office": "cqBHXH", "bhyt.area": "maKV", "bhyt.five_years": "ngayDu5Nam",
    "bhyt.social_number": "maSoBHXH", "bhyt.remark": "ghiChu",
}


def outcome(code: str) -> Outcome:
    return OUTCOMES.get(code, _UNKNOWN)


def message_key(code: str) -> str:
    return f"bhyt.{code}" if code in OUTCOMES else "bhyt.unknown"


def decide(result: BhytResult) -> Decision:
    """The kiosk's decision on a card check. ``details`` carries ``bhyt.code``, ``bhyt.ref`` and the card fields
    the hospital registration needs (``bhyt.card``, ``bhyt.valid_to`` …); they are personal data: no logs."""
    found = outcome(result.code)
    if found.status not in (_CLEARED, _REFER, _REFUSED):
        raise ValueError(f"result code {result.code} is not a decision about the card")
    details = {"bhyt.code": result.code, "bhyt.ref": result.reference}
    details.update({key: result.get(name) for key, name in _DETAIL_FIELDS.items() if result.get(name)})
    return Decision(status=found.status, reasons=(message_key(result.code),),
                    staff_notes=(found.staff_note(result.code),), details=MappingProxyType(details))


# --------------------------------------------------------------------------------------------------- client


@dataclass
class _Token:
    access_token: str
    id_token: str
    expires_at: float  # by the client's clock


def birth_field(person: Person) -> str:
    """``ngaySinh`` as the gateway wants it: ``dd/MM/yyyy``, or ``yyyy`` when only the year is known."""
    born = person.date_of_birth
    if born is None:  # the ID number encodes the birth year
        return f"{birth_year_from_id(person.id_number):04d}"
    if person.birth_year_only:
        return f"{born.year:04d}"
    return born.strftime("%d/%m/%Y")


def _clean_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


class BhytClient:
    """One facility's account on the gateway. Thread-safe; one instance per kiosk process.

    ``staff`` is a :class:`StaffIdentity`, or a callable giving the one on duty (``None`` when nobody is);
    ``clock`` gives wall-clock seconds since the epoch (the gateway may state expiry as a time of day);
    ``transport`` does the HTTP (tests and benchmarks may replace it).
    """

    def __init__(self, config: BhytConfig, *, staff: StaffSource, clock: Callable[[], float] = time.time,
                 transport: Transport = urllib_post) -> None:
        self.config = config
        self._staff = staff
        self._clock = clock
        self._transport = transport
        self._token: _Token | None = None
        self._lock = threading.Lock()
        self.logins = 0  # how many times we logged in (for status pages and tests)

    # -------------------------------------------------------------------------------------- public

    def check(self, card: str, name: str, birth: str) -> BhytResult:
        """Check one card: ``card`` is the 15-character BHYT code or the 12-digit CCCD number, ``birth`` is
        ``dd/MM/yyyy`` or ``yyyy``. Answers any result code that is about the card; raises
        :class:`BhytUnavailable`, :class:`BhytRejected` or :class:`StaffIdentityMissing` otherwise."""
        reference = uuid.uuid4().hex[:12]
        staff = self._current_staff(reference)
        card = card.strip().upper()
        form = {"maThe": card, "hoTen": _clean_name(name), "ngaySinh": birth.strip(),
                "hoTenCb": _clean_name(staff.name), "cccdCb": staff.cccd.strip()}
        started = self._clock()
        reply = self._check_with_token(form, reference)
        code = str(reply.get("maKetQua", ""))
        elapsed = int((self._clock() - started) * 1000)
        if code == "401":
            log.info("bhyt ref=%s code=401 token refused; logging in again", reference)
            self._forget_token()
            reply = self._check_with_token(form, reference)
            code = str(reply.get("maKetQua", ""))
            elapsed = int((self._clock() - started) * 1000)
            if code == "401":
                log.error("bhyt ref=%s code=401 after a fresh login; giving up", reference)
                raise BhytRejected("the gateway refused authentication after a fresh login",
                                   step="bhyt.check", code="401")
        found = outcome(code)
        if found.status == "unavailable":
            log.warning("bhyt ref=%s code=%s gateway error elapsed_ms=%d", reference, code, elapsed)
            raise BhytUnavailable(f"the gateway answered result code {code}", step="bhyt.check", code=code)
        if code == "205":
            log.error("bhyt ref=%s code=205 parameter format refused: %s", reference, _shape(form))
        elif code in ("054", "055"):
            log.error("bhyt ref=%s code=%s staff identity refused by the gateway (hoTenCb/cccdCb)", reference, code)
        elif code not in OUTCOMES:
            log.error("bhyt ref=%s code=%r unknown result code", reference, code[:8])
        else:
            log.info("bhyt ref=%s code=%s elapsed_ms=%d", reference, code, elapsed)
        fields = {key: str(value) for key, value in reply.items() if value is not None}
        return BhytResult(code=code if code in OUTCOMES else code[:8], reference=reference,
                          fields=MappingProxyType(fields))

    def check_person(self, person: Person, card: str | None = None) -> BhytResult:
        """Check by the chip's data: the CCCD number (or a BHYT ``card`` code), name and birth date."""
        return self.check(card or person.id_number, person.full_name, birth_field(person))

    # -------------------------------------------------------------------------------------- token

    def token(self) -> _Token:
        """The cached token, logging in when there is none or it is (nearly) expired."""
        with self._lock:
            if self._token is None or self._clock() >= self._token.expires_at:
                self._token = self._login()
            return self._token

    def _forget_token(self) -> None:
        with self._lock:
            self._token = None

    def _login(self) -> _Token:
        body = json.dumps({"username": self.config.username, "password": self.config.password_md5}).encode()
        reply = self._post(self.config.base_url + TOKEN_PATH, body, {"Content-Type": "application/json"},
                           step="bhyt.login")
        if reply.status == 401:
            raise BhytRejected("the gateway refused the facility's username or password", step="bhyt.login",
                               code="401")
        data = self._json(reply, step="bhyt.login")
        code = str(data.get("maKetQua", ""))[:8]
        key = data.get("APIKey")
        if code in ("401", "403"):
            log.error("bhyt login refused code=%s", code)
            raise BhytRejected("the gateway refused the facility's username or password", step="bhyt.login",
                               code=code)
        if code != "200" or not isinstance(key, dict) or not key.get("access_token") or not key.get("id_token"):
            log.warning("bhyt login failed code=%s", code or "none")
            raise BhytUnavailable(f"the gateway's login answered code {code or 'none'} without a token",
                                  step="bhyt.login", code=code or None)
        now = self._clock()
        expires_at = _expiry(key.get("expires_in"), now)
        lifetime = max(expires_at - now, 0.0)
        margin = min(self.config.token_margin_s, lifetime / 10)
        self.logins += 1
        log.info("bhyt login ok lifetime_s=%d", int(lifetime))
        return _Token(str(key["access_token"]), str(key["id_token"]), expires_at - margin)

    # -------------------------------------------------------------------------------------- request

    def _current_staff(self, reference: str) -> StaffIdentity:
        staff = self._staff() if callable(self._staff) else self._staff
        problem = "no staff member is set" if staff is None else staff.problem()
        if problem:
            log.error("bhyt ref=%s not called: %s", reference, problem)
            raise StaffIdentityMissing(f"the lookup needs the staff identity: {problem}", step="bhyt.staff")
        assert staff is not None
        return staff

    def _check_with_token(self, form: Mapping[str, str], reference: str) -> dict[str, object]:
        token = self.token()
        query = urllib.parse.urlencode({"token": token.access_token, "id_token": token.id_token,
                                        "username": self.config.username, "password": self.config.password_md5})
        url = f"{self.config.base_url}{CHECK_PATH}?{query}"
        body = urllib.parse.urlencode(form).encode("ascii")
        reply = self._post(url, body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                           step="bhyt.check", reference=reference)
        if reply.status == 401:
            return {"maKetQua": "401"}
        return self._json(reply, step="bhyt.check", reference=reference)

    def _post(self, url: str, body: bytes, headers: Mapping[str, str], *, step: str,
              reference: str = "-") -> HttpReply:
        headers = {"Accept": "application/json", **headers}
        try:
            reply = self._transport(url, body, headers, self.config.timeout_s)
        except TRANSPORT_ERRORS as error:
            reason = describe_transport_error(error)
            log.warning("bhyt ref=%s step=%s unreachable: %s", reference, step, reason)
            raise BhytUnavailable(f"the gateway could not be reached: {reason}", step=step) from None
        if reply.status >= 500 or reply.status in (408, 429):
            log.warning("bhyt ref=%s step=%s http=%d", reference, step, reply.status)
            raise BhytUnavailable(f"the gateway answered HTTP {reply.status}", step=step, code=f"http.{reply.status}")
        if reply.status >= 400 and reply.status != 401:
            log.error("bhyt ref=%s step=%s http=%d", reference, step, reply.status)
            raise BhytRejected(f"the gateway answered HTTP {reply.status}", step=step, code=f"http.{reply.status}")
        return reply

    @staticmethod
    def _json(reply: HttpReply, *, step: str, reference: str = "-") -> dict[str, object]:
        try:
            data = json.loads(reply.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict):
            log.warning("bhyt ref=%s step=%s http=%d answer is not a JSON object", reference, step, reply.status)
            raise BhytUnavailable("the gateway's answer is not a JSON object", step=step)
        if "maKetQua" in data:
            data["maKetQua"] = str(data["maKetQua"]).strip()
        return data


def _expiry(expires_in: object, now: float) -> float:
    """``expires_in`` as seconds (number or digits) or as an ISO time (the production gateway's form)."""
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        return now + float(expires_in)
    text = str(expires_in or "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return now + float(text)
    if text:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=VIETNAM)
            return moment.timestamp()
    log.warning("bhyt login: unreadable expires_in; assuming 5 minutes")
    return now + 300.0


def _shape(form: Mapping[str, str]) -> str:
    """What the parameters looked like, without their values, for a 205 (bad parameter format) report."""
    card = form.get("maThe", "")
    kind = card_kind(card)
    birth = form.get("ngaySinh", "")
    birth_kind = ("dd/MM/yyyy" if re.fullmatch(r"\d{2}/\d{2}/\d{4}", birth)
                  else "yyyy" if re.fullmatch(r"\d{4}", birth) else f"other(len={len(birth)})")
    staff_cccd = "12digits" if _CCCD.match(form.get("cccdCb", "")) else "bad"
    return (f"maThe={kind if kind != 'invalid' else f'invalid(len={len(card)})'} ngaySinh={birth_kind} "
            f"hoTen={'set' if form.get('hoTen') else 'empty'} hoTenCb={'set' if form.get('hoTenCb') else 'empty'} "
            f"cccdCb={staff_cccd}")


def card_kind(card: str) -> str:
    """``cccd`` for a 12-digit CCCD number, ``bhyt`` for a 15-character card code, ``invalid`` otherwise."""
    card = card.strip().upper()
    return "cccd" if _CCCD.match(card) else "bhyt" if _CARD_CODE.match(card) else "invalid"


__all__ = [
    "BhytClient", "BhytConfig", "BhytRejected", "BhytResult", "BhytUnavailable", "HttpReply", "OUTCOMES",
    "Outcome", "StaffIdentity", "StaffIdentityMissing", "Transport", "birth_field", "card_kind",
    "decide", "md5_hex", "message_key", "outcome", "staff_from_table", "urllib_post",
]
