"""The OpenAPI 3 document at ``GET /api/v1/openapi.json``, built from the marshmallow schemas.

The shared paths (health, tokens, the caller, accounts) are written here; each domain package
adds its own with :func:`section` when it registers its REST routes."""
from __future__ import annotations

from collections.abc import Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from service.api.v1 import bp
from service.api.v1.accounts import AccountSchema, IssueRequest
from service.api.v1.auth import TokenRequest
from service.api.v1.schemas import VersionSchema
from service.core.params import MAX_ID

ERROR = {"$ref": "#/components/schemas/Error"}


def responses(ok_schema=None, ok_status: int = 200, errors=(400, 401, 404), list_of=None) -> dict:
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


def path_param(id_name: str) -> list:
    return [{"name": id_name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}]


LIST_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"},
     "description": "next_cursor of the previous page"},
]
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 100},
               "description": "the same key and body return the first result"}

_SECTIONS: list[Callable[[APISpec, list], None]] = []


def section(fn: Callable[[APISpec, list], None]) -> Callable[[APISpec, list], None]:
    """Register a domain's part of the document: (spec, security) -> None."""
    if fn not in _SECTIONS:
        _SECTIONS.append(fn)
    return fn


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


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
    for name, schema in [("TokenRequest", TokenRequest), ("Version", VersionSchema),
                         ("Account", AccountSchema), ("IssueAccount", IssueRequest)]:
        spec.components.schema(name, schema=schema)
    sec = [{"bearer": []}]

    spec.path("/healthz", operations={"get": {"summary": "Health of the service, database and broker",
        "responses": {"200": {"description": "can work"}, "503": {"description": "cannot work"}}}})
    spec.path("/api/v1/auth/token", operations={"post": {
        "summary": "Exchange user name and password (and, for an account with a second factor, "
                   "its code in otp) for a bearer token",
        "description": "401 codes: bad_credentials, account_locked (five failures in a row for "
                       "this name from this address), second_factor_required, bad_second_factor, "
                       "second_factor_locked; 403 second_factor_enrolment_required.",
        "requestBody": {"content": {"application/json": {"schema": ref("TokenRequest")}}},
        "responses": responses({"type": "object", "properties": {
            "token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
            "must_change_password": {"type": "boolean"}}}, errors=(400, 401, 403, 415, 422, 429))}})
    spec.path("/api/v1/accounts/{account_id}/reset-second-factor", operations={"post": {
        "summary": "Remove an account's second factor (platform administrator); the account "
                   "enrols again and its logins and tokens end",
        "security": sec, "parameters": path_param("account_id"),
        "responses": responses({"type": "object", "properties": {
            "id": {"type": "integer"}, "username": {"type": "string"},
            "second_factor": {"type": "boolean"}}}, errors=(401, 403, 404))}})
    spec.path("/api/v1/me/password", operations={"post": {
        "summary": "Change the caller's password (accounts with an initial password must do this "
                   "before anything else)", "security": sec,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["current", "new"], "properties": {
                "current": {"type": "string"}, "new": {"type": "string"}}}}}},
        "responses": responses({"type": "object"}, errors=(400, 401, 415, 422))}})
    spec.path("/api/v1/me", operations={"get": {"summary": "The caller", "security": sec,
        "responses": responses({"type": "object"}, errors=(401,))}})
    spec.path("/api/v1/accounts", operations={
        "get": {"summary": "Accounts the caller manages", "security": sec, "parameters": LIST_PARAMS,
                "responses": responses(list_of="Account", errors=(400, 401))},
        "post": {"summary": "Issue an account to an administration or institution; the initial "
                            "password goes out by SMS through the notification outbox",
                 "security": sec,
                 "requestBody": {"content": {"application/json": {"schema": ref("IssueAccount")}}},
                 "responses": responses(ref("Account"), 201, errors=(400, 401, 413, 415, 422))}})
    for action, summary in [("reset-password", "Send a new initial password"),
                            ("disable", "Disable an account"), ("enable", "Enable an account")]:
        spec.path(f"/api/v1/accounts/{{account_id}}/{action}", operations={"post": {
            "summary": summary, "security": sec, "parameters": path_param("account_id"),
            "responses": responses(ref("Account"), errors=(401, 403, 404, 409))}})
    spec.path("/api/v1/openapi.json", operations={"get": {
        "summary": "This OpenAPI 3 document",
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"type": "object"}}}}}}})
    for add in _SECTIONS:
        add(spec, sec)
    return _every_status(spec.to_dict())


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _every_status(document: dict) -> dict:
    """Add the statuses any operation of its kind can answer, whatever the domain wrote:
    a missing or expired token (401), the password-first rule (403), a malformed, oversized or
    non-JSON body (400 / 413 / 415), an id that names nothing (404), a reused idempotency key
    (409) and a write that waited too long for SQLite's write lock (503)."""
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            extra = {}
            if op.get("security"):
                extra.update({"401": "not logged in or token expired",
                              "403": "not allowed, or an initial password must be changed first"})
            if "requestBody" in op or method in ("post", "put", "patch"):
                # every write door reads its body through the same JSON / multipart parsers
                extra.update({"400": "malformed body", "413": "body too large",
                              "415": "unsupported content type"})
            if any(p.get("in") == "query" for p in op.get("parameters", [])):
                extra["400"] = "malformed parameter"
            if "{" in path:
                extra["404"] = "no such record"
            if any(p.get("name") == "Idempotency-Key" for p in op.get("parameters", [])):
                extra.update({"400": "malformed Idempotency-Key",
                              "409": "Idempotency-Key used with another request"})
            if method != "get":
                extra["503"] = "the database is busy; retry after Retry-After seconds"
            for status, description in extra.items():
                op.setdefault("responses", {}).setdefault(status, _error(description))
    return document


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())
