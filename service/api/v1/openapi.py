"""The OpenAPI 3 document at ``GET /api/v1/openapi.json``, built from the marshmallow schemas."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from . import bp, institution_physicians_spec
from .accounts import AccountSchema, IssueRequest
from .auth import TokenRequest
from .documents import PREVIEW_WIDTHS, DocumentSchema
from .physician_accounts import openapi_paths as physician_account_paths
from .physician_cases import openapi_paths as physician_case_paths
from .schemas import (
    InstitutionSchema,
    InstitutionSummarySchema,
    NurseSchema,
    PhysicianSchema,
    VersionSchema,
)

ERROR = {"$ref": "#/components/schemas/Error"}


def _responses(ok_schema=None, ok_status: int = 200, errors=(400, 401, 404), list_of=None) -> dict:
    out: dict = {}
    if list_of is not None:
        body = {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{list_of}"}},
            "next_cursor": {"type": "string", "nullable": True}}}
        out[str(ok_status)] = {"description": "OK", "content": {"application/json": {"schema": body}}}
    elif ok_schema is not None:
        out[str(ok_status)] = {"description": "OK", "content": {"application/json": {"schema": ok_schema}}}
    for status in errors:
        out[str(status)] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    return out


def _path(id_name: str) -> list:
    return [{"name": id_name, "in": "path", "required": True, "schema": {"type": "integer"}}]


LIST_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
]
INSTITUTION_FILTERS = [
    {"name": n, "in": "query", "schema": {"type": t}, "description": d} for n, t, d in [
        ("q", "string", "name contains"), ("registration_number", "string", "登记号 contains"),
        ("legal_representative", "string", "法定代表人 contains"), ("address", "string", "地址 contains"),
        ("beds_min", "integer", "beds ≥"), ("beds_max", "integer", "beds ≤"),
        ("subject", "string", "诊疗科目 code (a first-level code matches its sub-codes)"),
        ("category", "string", "category type code"), ("management_class", "string", "1/2/9"),
        ("economic_type", "string", "economic type code"), ("status", "string", "active/deferred/suspended/cancelled"),
        ("division", "string", "GB/T 2260 code; a province or city code matches its subtree"),
    ]
]


def build_spec() -> dict:
    spec = APISpec(
        title="Yizheng (医政) API", version="1.0.0", openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Medical e-registration and supervision. Errors: "
                             "{\"error\": {\"code\", \"message\", \"fields\"}}."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", {"type": "object", "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        }}}})
    for name, schema in [
        ("TokenRequest", TokenRequest), ("Institution", InstitutionSchema),
        ("InstitutionSummary", InstitutionSummarySchema), ("Version", VersionSchema),
        ("Physician", PhysicianSchema), ("Nurse", NurseSchema), ("Account", AccountSchema),
        ("IssueAccount", IssueRequest), ("Document", DocumentSchema),
    ]:
        spec.components.schema(name, schema=schema)
    ref = lambda n: {"$ref": f"#/components/schemas/{n}"}  # noqa: E731
    sec = [{"bearer": []}]

    spec.path("/healthz", operations={"get": {"summary": "Health of the service, database and broker",
        "responses": {"200": {"description": "can work"}, "503": {"description": "cannot work"}}}})
    spec.path("/api/v1/auth/token", operations={"post": {
        "summary": "Exchange user name and password for a bearer token",
        "requestBody": {"content": {"application/json": {"schema": ref("TokenRequest")}}},
        "responses": _responses({"type": "object", "properties": {
            "token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
            "must_change_password": {"type": "boolean"}}}, errors=(400, 401, 415, 422, 429))}})
    spec.path("/api/v1/me/password", operations={"post": {
        "summary": "Change the caller's password (accounts with an initial password must do this "
                   "before anything else)", "security": sec,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["current", "new"], "properties": {
                "current": {"type": "string"}, "new": {"type": "string"}}}}}},
        "responses": _responses({"type": "object"}, errors=(400, 401, 415, 422))}})
    spec.path("/api/v1/me", operations={"get": {"summary": "The caller", "security": sec,
        "responses": _responses({"type": "object"}, errors=(401,))}})
    spec.path("/api/v1/institutions", operations={"get": {
        "summary": "Institutions in the caller's read scope (combined query, keyset pages)",
        "security": sec, "parameters": INSTITUTION_FILTERS + LIST_PARAMS,
        "responses": _responses(list_of="InstitutionSummary", errors=(400, 401))}})
    spec.path("/api/v1/institutions/{institution_id}", operations={"get": {
        "summary": "One institution", "security": sec, "parameters": _path("institution_id"),
        "responses": _responses(ref("Institution"))}})
    spec.path("/api/v1/institutions/{institution_id}/history", operations={"get": {
        "summary": "Every version of an institution, oldest first", "security": sec,
        "parameters": _path("institution_id"), "responses": _responses(list_of="Version")}})
    spec.path("/api/v1/physicians/{physician_id}", operations={"get": {
        "summary": "One physician with registrations", "security": sec,
        "parameters": _path("physician_id"), "responses": _responses(ref("Physician"))}})
    spec.path("/api/v1/nurses/{nurse_id}", operations={"get": {
        "summary": "One nurse", "security": sec, "parameters": _path("nurse_id"),
        "responses": _responses(ref("Nurse"))}})
    spec.path("/api/v1/accounts", operations={
        "get": {"summary": "Accounts the caller manages", "security": sec, "parameters": LIST_PARAMS,
                "responses": _responses(list_of="Account", errors=(400, 401))},
        "post": {"summary": "Issue an account to an administration or institution; the initial "
                            "password goes out by SMS through the notification outbox",
                 "security": sec,
                 "requestBody": {"content": {"application/json": {"schema": ref("IssueAccount")}}},
                 "responses": _responses(ref("Account"), 201, errors=(400, 401, 413, 415, 422))}})
    for action, summary in [("reset-password", "Send a new initial password"),
                            ("disable", "Disable an account"), ("enable", "Enable an account")]:
        spec.path(f"/api/v1/accounts/{{account_id}}/{action}", operations={"post": {
            "summary": summary, "security": sec, "parameters": _path("account_id"),
            "responses": _responses(ref("Account"), errors=(401, 403, 404, 409))}})
    _document_paths(spec, sec)
    _registry_write_paths(spec, sec)
    _case_paths(spec, sec)
    institution_physicians_spec.add_paths(spec, sec)
    physician_account_paths(spec, _responses)
    physician_case_paths(spec, sec)
    return spec.to_dict()


BACKFILL_BODY = {"type": "object", "required": [
    "name", "uscc", "category_code", "economic_type_code", "management_class", "address",
    "legal_representative", "division_code"], "properties": {
    **{k: {"type": "string"} for k in (
        "name", "uscc", "category_code", "economic_type_code", "management_class", "level_code",
        "address", "postal_code", "phone", "fax", "legal_representative", "principal",
        "service_mode", "registered_capital", "floor_area")},
    "division_code": {"type": "string", "description": "county-level GB/T 2260 code in the "
                      "caller's jurisdiction"},
    "registration_number": {"type": "string", "description": "the existing licence's 22-char "
                            "number; computed from the registered items when absent"},
    **{k: {"type": "integer", "minimum": 0} for k in ("beds", "dental_chairs", "staff_count")},
    "subjects": {"type": "array", "items": {"type": "string"}, "description": "诊疗科目 codes"},
    "licence_valid_from": {"type": "string", "format": "date"},
    "licence_valid_to": {"type": "string", "format": "date"},
}}


def _registry_write_paths(spec: APISpec, sec: list) -> None:
    spec.path("/api/v1/institutions", operations={"post": {
        "summary": "Backfill (数据补录) an institution licensed before the system, as its "
                   "version 1; issuing authority only, inside its own division",
        "security": sec,
        "requestBody": {"required": True, "content": {"application/json": {"schema": BACKFILL_BODY}}},
        "responses": _responses({"$ref": "#/components/schemas/Institution"}, 201,
                                errors=(400, 401, 403, 413, 415, 422))}})
    spec.path("/api/v1/qualifications", operations={"get": {
        "summary": "Look up a physician qualification by resident ID number (institutions and "
                   "administrations); the ID number comes back masked",
        "security": sec,
        "parameters": [{"name": "id_number", "in": "query", "required": True,
                        "schema": {"type": "string", "minLength": 18, "maxLength": 18}}],
        "responses": _responses({"type": "object", "properties": {
            **{k: {"type": "string"} for k in (
                "name", "id_number", "category", "level", "certificate_number")},
            "year": {"type": "integer"}}}, errors=(401, 403, 404, 422))}})
    spec.path("/api/v1/openapi.json", operations={"get": {
        "summary": "This OpenAPI 3 document",
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"type": "object"}}}}}}})


IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 100},
               "description": "the same key and body return the first result"}


def _case_paths(spec: APISpec, sec: list) -> None:
    from .cases import CaseSchema, EventSchema, WorkItemSchema

    spec.components.schema("Case", schema=CaseSchema)
    spec.components.schema("WorkItem", schema=WorkItemSchema)
    spec.components.schema("CaseEvent", schema=EventSchema)
    case = {"$ref": "#/components/schemas/Case"}
    item = {"$ref": "#/components/schemas/WorkItem"}
    data_body = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["data"], "properties": {"data": {"type": "object"}}}}}}
    spec.path("/api/v1/processes", operations={"get": {
        "summary": "Deployed processes (newest version of each)", "security": sec,
        "responses": _responses({"type": "object"}, errors=(401,))}})
    spec.path("/api/v1/cases", operations={
        "get": {"summary": "Cases visible to the caller, newest first", "security": sec,
                "parameters": LIST_PARAMS + [
                    {"name": n, "in": "query", "schema": {"type": "string"}}
                    for n in ("process", "status", "subject")],
                "responses": _responses(list_of="Case", errors=(400, 401))},
        "post": {"summary": "Start a case: {process, subject: {institution_id, physician_id?}, "
                            "data}; for physician processes institution_id is the institution the "
                            "application is addressed to and physician_id names the physician "
                            "when her institution acts for her; a business rule that forbids the "
                            "start answers 422 with its Chinese reason", "security": sec,
                 "parameters": [IDEMPOTENCY],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["process", "subject"], "properties": {
                         "process": {"type": "string"}, "subject": {"type": "object"},
                         "data": {"type": "object"}}}}}},
                 "responses": _responses(case, 201, errors=(400, 401, 403, 404, 409, 415, 422))}})
    spec.path("/api/v1/cases/{case_id}", operations={"get": {
        "summary": "One case", "security": sec, "parameters": _path("case_id"),
        "responses": _responses(case)}})
    spec.path("/api/v1/cases/{case_id}/events", operations={"get": {
        "summary": "The case's hash-chained history", "security": sec,
        "parameters": _path("case_id"), "responses": _responses(list_of="CaseEvent")}})
    spec.path("/api/v1/cases/{case_id}/replay", operations={"post": {
        "summary": "Rebuild the case from its pinned definition and events; compare with the "
                   "stored state and verify the hash chain", "security": sec,
        "parameters": _path("case_id"), "responses": _responses({"type": "object", "properties": {
            "ok": {"type": "boolean"}, "events": {"type": "integer"}, "detail": {"type": "string"}}})}})
    spec.path("/api/v1/cases/{case_id}/withdraw", operations={"post": {
        "summary": "The applicant withdraws while nobody has decided", "security": sec,
        "parameters": _path("case_id") + [IDEMPOTENCY],
        "responses": _responses(case, errors=(401, 403, 404, 409))}})
    spec.path("/api/v1/work-items", operations={"get": {
        "summary": "The caller's inbox", "security": sec, "parameters": LIST_PARAMS + [
            {"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["mine", "org"]}},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "done"]}},
            {"name": "process", "in": "query", "schema": {"type": "string"}}],
        "responses": _responses(list_of="WorkItem", errors=(400, 401))}})
    spec.path("/api/v1/work-items/{item_id}", operations={"get": {
        "summary": "A work item with its form (JSON Schema) and current data (draft or prefill)",
        "security": sec, "parameters": _path("item_id"), "responses": _responses(item)}})
    for action, summary, body, ok in [
        ("claim", "Take an organisation task", None, item),
        ("release", "Give a claimed task back", None, item),
        ("draft", "Save form data without completing", data_body, item),
        ("complete", "Submit the form; returns the case after the step", data_body, case),
    ]:
        op = {"summary": summary, "security": sec, "parameters": _path("item_id") + [IDEMPOTENCY],
              "responses": _responses(ok, errors=(400, 401, 403, 404, 409, 422))}
        if body:
            op["requestBody"] = body
        spec.path(f"/api/v1/work-items/{{item_id}}/{action}", operations={"post": op})
    spec.path("/api/v1/messages/{name}", operations={"post": {
        "summary": "Inbound callback: a BPMN message for the case in correlation.case_id",
        "security": sec, "parameters": [{"name": "name", "in": "path", "required": True,
                                         "schema": {"type": "string"}}, IDEMPOTENCY],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["correlation"], "properties": {
                "correlation": {"type": "object"}, "payload": {"type": "object"}}}}}},
        "responses": _responses(case, errors=(400, 401, 404, 409, 422))}})


def _document_paths(spec: APISpec, sec: list) -> None:
    doc = {"$ref": "#/components/schemas/Document"}
    spec.path("/api/v1/documents", operations={"post": {
        "summary": "Upload a document (PDF, JPEG or PNG, recognised by content); pages are counted",
        "security": sec,
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "case_id": {"type": "integer", "description": "the case the document belongs to"},
                "kind": {"type": "string", "maxLength": 40, "description": "which material"}}}}}},
        "responses": _responses(doc, 201, errors=(400, 401, 413, 415, 422))}})
    spec.path("/api/v1/documents/{document_id}", operations={"get": {
        "summary": "A document's metadata (uploader, the uploader's organisation, case readers)",
        "security": sec, "parameters": _path("document_id"), "responses": _responses(doc)}})
    spec.path("/api/v1/documents/{document_id}/content", operations={"get": {
        "summary": "The file itself, inline, with its media type", "security": sec,
        "parameters": _path("document_id"),
        "responses": {**_responses(errors=(401, 404)), "200": {"description": "the file", "content": {
            m: {"schema": {"type": "string", "format": "binary"}}
            for m in ("application/pdf", "image/jpeg", "image/png")}}}}})
    spec.path("/api/v1/documents/{document_id}/pages/{page}.png", operations={"get": {
        "summary": "Preview of one page (from 1) as PNG; every page of a PDF can be shown",
        "security": sec,
        "parameters": _path("document_id") + _path("page") + [{
            "name": "width", "in": "query", "description": "pixels (default 900)",
            "schema": {"type": "integer", "enum": list(PREVIEW_WIDTHS)}}],
        "responses": {**_responses(errors=(400, 401, 404)), "200": {
            "description": "the page", "content": {"image/png": {
                "schema": {"type": "string", "format": "binary"}}}}}}})


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())
