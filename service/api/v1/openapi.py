"""The OpenAPI 3 document at ``GET /api/v1/openapi.json``, built from the marshmallow schemas."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from . import bp
from .accounts import AccountSchema, IssueRequest
from .auth import TokenRequest
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
        ("IssueAccount", IssueRequest),
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
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())
