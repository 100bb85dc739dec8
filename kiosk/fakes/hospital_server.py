"""A fake hospital registration system: the JSON contract of docs/hospital-api.md and a FHIR R4 endpoint.

* ``POST /checkins`` (JSON): needs ``Idempotency-Key`` (400 without) equal to the body's ``checkin_id``
  (422 otherwise); the first request answers 201 ``{"reference", "queue_number", "department"}``, a repeat
  of the key answers 200 with the same document and ``Idempotent-Replayed: true`` (422 when the repeated
  body differs).
* ``POST /fhir/Encounter`` (``application/fhir+json``): a valid arrived / AMB Encounter whose subject
  carries the national-ID identifier; ``If-None-Exist: identifier=system|value`` makes it a conditional
  create (one match → 200 with it, several → 412). The stored Encounter gets an id, the queue number as an
  identifier and the department as its location.

Every request is recorded (:attr:`requests`); every registration once (:attr:`registrations`), so a test can
prove exactly-once with :meth:`FakeHospital.count`. Faults come from
:class:`~kiosk.fakes.LocalServer`: fail N times then succeed (``fail_next``), drop, lose the answer.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from kiosk.fakes import LocalServer, Recorded, Response

CHECKINS_PATH = "/checkins"
ENCOUNTER_PATH = "/fhir/Encounter"
NATIONAL_ID_SYSTEM = "http://fhir.ehealth.gov.vn/core/sid/national_id"
QUEUE_SYSTEM = "urn:cccd-kiosk:queue-number"
FHIR_JSON = "application/fhir+json"


@dataclass
class Registration:
    checkin_id: str
    kind: str  # "json" / "fhir"
    document: dict[str, Any]  # what was sent
    answer: dict[str, Any]  # what was answered the first time


def _outcome(status: int, text: str) -> Response:
    return Response.json(status, {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "invalid" if status in (400, 422) else "processing", "diagnostics": text}]},
        FHIR_JSON)


class FakeHospital(LocalServer):
    def __init__(self, *, department: str = "Khoa Khám bệnh", prefix: str = "KB",
                 queue_system: str = QUEUE_SYSTEM) -> None:
        super().__init__()
        self.department = department
        self.prefix = prefix
        self.queue_system = queue_system
        self.registrations: list[Registration] = []
        self._by_key: dict[str, Registration] = {}

    @property
    def fhir_url(self) -> str:
        return self.url + "/fhir"

    def count(self, checkin_id: str) -> int:
        """How many registrations hold ``checkin_id`` (exactly-once means 1)."""
        with self.lock:
            return sum(1 for registration in self.registrations if registration.checkin_id == checkin_id)

    def handle(self, request: Recorded) -> Response:
        if request.method == "POST" and request.path == CHECKINS_PATH:
            return self._checkin(request)
        if request.method == "POST" and request.path == ENCOUNTER_PATH:
            return self._encounter(request)
        return Response.json(404, {"error": "not found"})

    def _next_queue(self) -> str:
        return f"{self.prefix}{len(self.registrations) + 1:03d}"

    # ------------------------------------------------------------------------------------- JSON

    def _checkin(self, request: Recorded) -> Response:
        key = request.headers.get("idempotency-key", "")
        if not key:
            return Response.json(400, {"error": "Idempotency-Key header is required"})
        if not request.headers.get("content-type", "").startswith("application/json"):
            return Response.json(415, {"error": "send application/json"})
        try:
            document = request.json()
        except (UnicodeDecodeError, json.JSONDecodeError):
            return Response.json(400, {"error": "body is not JSON"})
        if not isinstance(document, dict) or document.get("checkin_id") != key:
            return Response.json(422, {"error": "checkin_id must equal the Idempotency-Key"})
        person = document.get("person") or {}
        if not person.get("id_number") or not person.get("full_name"):
            return Response.json(422, {"error": "person.id_number and person.full_name are required"})
        known = self._by_key.get(f"json:{key}")
        if known is not None:
            if known.document != document:
                return Response.json(422, {"error": "Idempotency-Key reused with a different body"})
            return Response.json(200, known.answer, headers={"Idempotent-Replayed": "true"})
        number = len(self.registrations) + 1
        answer = {"reference": f"HIS-{number:06d}", "queue_number": self._next_queue(),
                  "department": document.get("department") or self.department}
        registration = Registration(key, "json", document, answer)
        self.registrations.append(registration)
        self._by_key[f"json:{key}"] = registration
        return Response.json(201, answer)

    # ------------------------------------------------------------------------------------- FHIR

    def _encounter(self, request: Recorded) -> Response:
        if not request.headers.get("content-type", "").startswith(FHIR_JSON):
            return _outcome(415, "send application/fhir+json")
        try:
            resource = request.json()
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _outcome(400, "body is not JSON")
        problem = _invalid(resource)
        if problem:
            return _outcome(422, problem)
        condition = request.headers.get("if-none-exist", "")
        if condition:
            params = urllib.parse.parse_qs(condition)
            if list(params) != ["identifier"] or "|" not in params["identifier"][0]:
                return _outcome(400, "If-None-Exist supports identifier=system|value only")
            system, _, value = params["identifier"][0].partition("|")
            matches = [r for r in self.registrations if r.kind == "fhir" and any(
                i.get("system") == system and i.get("value") == value for i in r.answer.get("identifier", []))]
            if len(matches) > 1:
                return _outcome(412, "several Encounters match If-None-Exist")
            if matches:
                return Response.json(200, matches[0].answer, FHIR_JSON)
        number = len(self.registrations) + 1
        stored = dict(resource)
        stored["id"] = str(1000 + number)
        stored["meta"] = {"versionId": "1"}
        stored["identifier"] = [*resource.get("identifier", []), {"system": self.queue_system,
                                                                  "value": self._next_queue()}]
        stored["location"] = [{"location": {"display": self.department}, "status": "active"}]
        checkin_id = next((i.get("value", "") for i in resource.get("identifier", [])
                           if i.get("system") != self.queue_system), "")
        self.registrations.append(Registration(checkin_id, "fhir", resource, stored))
        return Response.json(201, stored, FHIR_JSON,
                             {"Location": f"{self.url}/fhir/Encounter/{stored['id']}/_history/1"})


def _invalid(resource: Any) -> str | None:
    if not isinstance(resource, dict) or resource.get("resourceType") != "Encounter":
        return "resourceType must be Encounter"
    if resource.get("status") != "arrived":
        return "status must be arrived"
    if (resource.get("class") or {}).get("code") != "AMB":
        return "class must be AMB"
    subject = (resource.get("subject") or {}).get("identifier") or {}
    codes = [c.get("code") for c in (subject.get("type") or {}).get("coding", [])]
    if subject.get("system") != NATIONAL_ID_SYSTEM or "NI" not in codes or not subject.get("value"):
        return "subject must be identified by the national ID (type NI)"
    reference = (resource.get("subject") or {}).get("reference", "")
    if reference.startswith("#") and not any(c.get("id") == reference[1:] for c in resource.get("contained", [])):
        return "subject refers to a contained resource that is not there"
    return None
