"""Hospital check-in: the BHYT card check, then the visit registered with the hospital's own system.

``lookup`` asks the BHXH gateway (:mod:`kiosk.adapters.bhyt`) about the person's insurance by the CCCD number
(or a BHYT card code the kiosk was given in ``context["bhyt.card"]``), name and birth date from the chip,
and answers the :class:`~kiosk.checkin.Decision` of :func:`kiosk.adapters.bhyt.decide`.

``submit`` registers the visit, exactly once per ``checkin_id``, in one of two ways (``docs/hospital-api.md``):

* ``json``: ``POST {url}/checkins`` with ``Idempotency-Key: <checkin_id>``; the hospital answers
  ``{"reference", "queue_number", "department"}`` and the same answer to a repeated key.
* ``fhir``: ``POST {url}/Encounter`` of a FHIR R4 ``Encounter`` (status ``arrived``, class ``AMB``, subject
  identified by the national-ID system, type ``NI``), as a conditional create: ``If-None-Exist`` on an
  identifier carrying the ``checkin_id``, so a replay finds the first Encounter instead of making another.

The BHYT result travels to ``submit`` in ``checkin.context`` under the ``bhyt.*`` keys of
``Decision.details`` (the session copies them); when they are missing, the result of this adapter's own
recent lookup for the same person is used (kept in memory for a few minutes, never stored).

HTTP 4xx other than 408/409/429 raise :class:`UpstreamRejected`; 5xx, 408, 409, 429, timeouts and refused
or dropped connections raise :class:`UpstreamUnavailable` (the outbox retries, the key makes that safe).
Logs carry the check-in id, the hospital's reference, status codes and timings, never personal data.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.adapters.base import Adapter, UpstreamRejected, UpstreamUnavailable, parse_retry_after
from kiosk.adapters.bhyt import (
    TRANSPORT_ERRORS,
    VIETNAM,
    BhytClient,
    BhytConfig,
    HttpReply,
    Transport,
    card_kind,
    decide,
    describe_transport_error,
    staff_from_table,
    urllib_post,
)
from kiosk.adapters.urls import allows_insecure_http, upstream_url
from kiosk.checkin import CheckIn, Decision, Evidence, Person, QueueTicket, Receipt

log = logging.getLogger(__name__)

MODES = ("json", "fhir")
NATIONAL_ID_SYSTEM = "http://fhir.ehealth.gov.vn/core/sid/national_id"
INSURANCE_SYSTEM = "http://fhir.ehealth.gov.vn/core/sid/insurance_number"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_RETRYABLE_4XX = (408, 409, 429)
_MEMO_SIZE = 64


@dataclass(frozen=True)
class HospitalConfig:
    """How visits are registered. ``url`` is the JSON API's base (``/checkins`` is appended) or the FHIR base."""

    url: str
    mode: str = "json"
    timeout_s: float = 10.0  # per request
    facility_code: str = ""  # the hospital's BHXH facility code, sent along in JSON mode
    department: str = ""  # a department to ask for; empty lets the hospital choose
    checkin_system: str = "urn:cccd-kiosk:checkin-id"  # FHIR identifier system carrying the checkin_id
    queue_system: str = "urn:cccd-kiosk:queue-number"  # FHIR identifier system of the hospital's queue number
    memo_ttl_s: float = 900.0  # how long a lookup's BHYT result is kept for the submission that follows

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"registration mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("the registration url must start with http:// or https://")

    @classmethod
    def from_table(cls, table: Mapping[str, Any], facility_code: str = "", *,
                   allow_insecure_http: bool = False) -> HospitalConfig:
        known = {name for name in cls.__dataclass_fields__}
        values = {key: table[key] for key in table if key in known}
        values["url"] = upstream_url(table["url"], "[registration] url", allow_insecure_http=allow_insecure_http)
        values.setdefault("facility_code", facility_code)
        return cls(**values)


class HospitalAdapter(Adapter):
    """BHYT card check + visit registration. ``clock`` is monotonic seconds (timings and the lookup memo)."""

    name = "hospital"

    def __init__(self, config: HospitalConfig, bhyt: BhytClient, *, transport: Transport = urllib_post,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.bhyt = bhyt
        self._transport = transport
        self._clock = clock
        self._memo: OrderedDict[str, tuple[float, Mapping[str, str]]] = OrderedDict()
        self._memo_lock = threading.Lock()

    @classmethod
    def from_table(cls, table: Mapping[str, Any], environ: Mapping[str, str] | None = None, *,
                   transport: Transport = urllib_post) -> HospitalAdapter:
        """From the profile's ``[adapter]`` table (``kind = "hospital"``) with ``[adapter.bhyt]`` and
        ``[adapter.registration]``; secrets and the staff identity come from the environment variables named
        there."""
        environ = os.environ if environ is None else environ
        bhyt_table, registration = table["bhyt"], table["registration"]
        insecure = allows_insecure_http(table)  # [adapter] allow_insecure_http: tests and local stand-ins only
        client = BhytClient(BhytConfig.from_table(bhyt_table, environ, allow_insecure_http=insecure),
                            staff=staff_from_table(bhyt_table, environ), transport=transport)
        config = HospitalConfig.from_table(registration, facility_code=str(bhyt_table.get("facility_code", "")),
                                           allow_insecure_http=insecure)
        return cls(config, client, transport=transport)

    # ------------------------------------------------------------------------------------- lookup

    def lookup(self, person: Person, context: Mapping[str, str]) -> Decision:
        given = context.get("bhyt.card", "")
        card = given if given and card_kind(given) == "bhyt" else None
        decision = decide(self.bhyt.check_person(person, card))
        self._remember(person.id_number, decision.details)
        return decision

    def _remember(self, id_number: str, details: Mapping[str, str]) -> None:
        with self._memo_lock:
            self._memo[id_number] = (self._clock(), details)
            self._memo.move_to_end(id_number)
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)

    def _insurance(self, checkin: CheckIn) -> Mapping[str, str]:
        if "bhyt.code" in checkin.context:
            return checkin.context
        with self._memo_lock:
            found = self._memo.get(checkin.person.id_number)
        if found is not None and self._clock() - found[0] <= self.config.memo_ttl_s:
            return found[1]
        return {}

    # ------------------------------------------------------------------------------------- submit

    def submit(self, checkin: CheckIn) -> Receipt:
        started = self._clock()
        insurance = self._insurance(checkin)
        if self.config.mode == "json":
            receipt, status = self._submit_json(checkin, insurance)
        else:
            receipt, status = self._submit_fhir(checkin, insurance)
        with self._memo_lock:
            self._memo.pop(checkin.person.id_number, None)
        log.info("hospital checkin=%s mode=%s http=%d reference=%s duplicate=%s elapsed_ms=%d",
                 checkin.checkin_id, self.config.mode, status, receipt.reference, receipt.duplicate,
                 int((self._clock() - started) * 1000))
        return receipt

    def _submit_json(self, checkin: CheckIn, insurance: Mapping[str, str]) -> tuple[Receipt, int]:
        body = json.dumps(registration_body(checkin, insurance, self.config), ensure_ascii=False,
                          sort_keys=True).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
                   "Idempotency-Key": checkin.checkin_id}
        reply = self._post(f"{self.config.url}/checkins", body, headers, checkin)
        data = _json_object(reply, checkin)
        reference, queue = str(data.get("reference") or ""), str(data.get("queue_number") or "")
        if not reference:
            log.warning("hospital checkin=%s http=%d answer without a reference", checkin.checkin_id, reply.status)
            raise UpstreamUnavailable("the hospital's answer has no reference", step="hospital.submit",
                                      code=f"http.{reply.status}")
        ticket = QueueTicket(queue or None, str(data.get("department") or "") or None)
        duplicate = reply.status == 200 or (reply.header("Idempotent-Replayed") or "").lower() == "true"
        return Receipt(reference, ticket, duplicate), reply.status

    def _submit_fhir(self, checkin: CheckIn, insurance: Mapping[str, str]) -> tuple[Receipt, int]:
        resource = encounter(checkin, insurance, self.config)
        body = json.dumps(resource, ensure_ascii=False, sort_keys=True).encode("utf-8")
        system = urllib.parse.quote(self.config.checkin_system, safe=":/.-_~")
        headers = {"Content-Type": "application/fhir+json; charset=utf-8", "Accept": "application/fhir+json",
                   "Prefer": "return=representation",
                   "If-None-Exist": f"identifier={system}|{urllib.parse.quote(checkin.checkin_id, safe='')}"}
        reply = self._post(f"{self.config.url}/Encounter", body, headers, checkin)
        data = _json_object(reply, checkin) if reply.body.strip() else {}
        identifier = str(data.get("id") or "")
        if not identifier:
            location = reply.header("Location") or reply.header("Content-Location") or ""
            parts = urllib.parse.urlsplit(location).path.split("/")
            if "Encounter" in parts and parts.index("Encounter") + 1 < len(parts):
                identifier = parts[parts.index("Encounter") + 1]
        if not identifier:
            raise UpstreamUnavailable("the FHIR server's answer names no Encounter", step="hospital.submit",
                                      code=f"http.{reply.status}")
        ticket = QueueTicket(_queue_number(data, self.config.queue_system) or None, _department(data) or None)
        receipt = Receipt(f"Encounter/{identifier}", ticket, duplicate=reply.status == 200)
        return receipt, reply.status

    def _post(self, url: str, body: bytes, headers: Mapping[str, str], checkin: CheckIn) -> HttpReply:
        try:
            reply = self._transport(url, body, headers, self.config.timeout_s)
        except TRANSPORT_ERRORS as error:
            reason = describe_transport_error(error)
            log.warning("hospital checkin=%s unreachable: %s", checkin.checkin_id, reason)
            raise UpstreamUnavailable(f"the hospital system could not be reached: {reason}",
                                      step="hospital.submit") from None
        if reply.status >= 500 or reply.status in _RETRYABLE_4XX:
            log.warning("hospital checkin=%s http=%d (will retry)", checkin.checkin_id, reply.status)
            raise UpstreamUnavailable(f"the hospital system answered HTTP {reply.status}", step="hospital.submit",
                                      code=f"http.{reply.status}",
                                      retry_after_s=parse_retry_after(reply.header("Retry-After")))
        if reply.status >= 400:
            log.error("hospital checkin=%s http=%d refused", checkin.checkin_id, reply.status)
            raise UpstreamRejected(f"the hospital system refused the check-in with HTTP {reply.status}",
                                   step="hospital.submit", code=f"http.{reply.status}")
        return reply


# ----------------------------------------------------------------------------------------- documents


def _birth(person: Person) -> str | None:
    if person.date_of_birth is None:
        return None
    return str(person.date_of_birth.year) if person.birth_year_only else person.date_of_birth.isoformat()


def _moment(created_at: datetime) -> str:
    return (created_at if created_at.tzinfo else created_at.replace(tzinfo=VIETNAM)).isoformat(timespec="seconds")


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {name: getattr(evidence, name) for name in Evidence.__dataclass_fields__}


_INSURANCE_FIELDS = {"card_number": "bhyt.card", "new_card_number": "bhyt.card_new", "valid_from": "bhyt.valid_from",
                     "valid_to": "bhyt.valid_to", "new_valid_from": "bhyt.valid_from_new",
                     "new_valid_to": "bhyt.valid_to_new", "registered_facility": "bhyt.facility",
                     "five_years_from": "bhyt.five_years", "lookup_reference": "bhyt.ref"}


def registration_body(checkin: CheckIn, insurance: Mapping[str, str], config: HospitalConfig) -> dict[str, Any]:
    """The JSON registration (docs/hospital-api.md)."""
    person = checkin.person
    code = insurance.get("bhyt.code")
    bhyt: dict[str, Any] = {"checked": code is not None, "result_code": code}
    bhyt.update({name: insurance.get(key) or None for name, key in _INSURANCE_FIELDS.items()})
    return {
        "checkin_id": checkin.checkin_id,
        "profile": checkin.profile,
        "site": checkin.site,
        "facility_code": config.facility_code or None,
        "department": config.department or None,
        "created_at": _moment(checkin.created_at),
        "person": {"id_number": person.id_number, "full_name": person.full_name, "birth_date": _birth(person),
                   "birth_year_only": person.birth_year_only, "sex": person.sex},
        "bhyt": bhyt,
        "evidence": _evidence(checkin.evidence),
        "decision": checkin.context.get("decision"),
    }


def _identifier(system: str, value: str, type_code: str) -> dict[str, Any]:
    return {"type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": type_code}]}, "system": system,
            "value": value}


def encounter(checkin: CheckIn, insurance: Mapping[str, str], config: HospitalConfig) -> dict[str, Any]:
    """The FHIR R4 Encounter of a check-in: arrived, ambulatory, the patient by national ID (a contained
    Patient carries name, birth date, sex and the BHYT card number for a hospital that has no record yet)."""
    person = checkin.person
    national_id = _identifier(NATIONAL_ID_SYSTEM, person.id_number, "NI")
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "patient", "identifier": [national_id],
                               "name": [{"text": person.full_name}],
                               "gender": {"M": "male", "F": "female"}.get(person.sex or "", "unknown")}
    card = insurance.get("bhyt.card_new") or insurance.get("bhyt.card")
    if card:
        patient["identifier"].append(_identifier(INSURANCE_SYSTEM, card, "SB"))
    born = _birth(person)
    if born:
        patient["birthDate"] = born
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "contained": [patient],
        "identifier": [{"system": config.checkin_system, "value": checkin.checkin_id}],
        "status": "arrived",
        "class": {"system": ACT_CODE_SYSTEM, "code": "AMB", "display": "ambulatory"},
        "subject": {"reference": "#patient", "identifier": national_id},
        "period": {"start": _moment(checkin.created_at)},
    }
    if config.department:
        resource["serviceType"] = {"text": config.department}
    return resource


def _json_object(reply: HttpReply, checkin: CheckIn) -> dict[str, Any]:
    try:
        data = json.loads(reply.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        log.warning("hospital checkin=%s http=%d answer is not a JSON object", checkin.checkin_id, reply.status)
        raise UpstreamUnavailable("the hospital's answer is not a JSON object", step="hospital.submit",
                                  code=f"http.{reply.status}")
    return data


def _queue_number(resource: Mapping[str, Any], system: str) -> str:
    for identifier in resource.get("identifier") or ():
        if isinstance(identifier, dict) and identifier.get("system") == system and identifier.get("value"):
            return str(identifier["value"])
    return ""


def _department(resource: Mapping[str, Any]) -> str:
    for entry in resource.get("location") or ():
        display = (entry.get("location") or {}).get("display") if isinstance(entry, dict) else None
        if display:
            return str(display)
    for candidate in (resource.get("serviceType"), resource.get("serviceProvider")):
        if isinstance(candidate, dict) and (candidate.get("text") or candidate.get("display")):
            return str(candidate.get("text") or candidate.get("display"))
    return ""
