"""OpenAPI paths of the institution's physician functions (``institution_physicians.py``)."""
from __future__ import annotations

from apispec import APISpec

from service.physicians.api_institution import (
    AuthoritySettingSchema,
    DepartmentSchema,
    LookupRegistrationSchema,
    PhysicianCaseSchema,
    RosterRowSchema,
)

ERROR = {"$ref": "#/components/schemas/Error"}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 100},
               "description": "the same key and body return the first result"}
LIST_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _ids(*names: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True,
             "schema": {"type": "string" if n == "category" else "integer"}} for n in names]


def _responses(ok: dict | None, status: int = 200, errors=(401, 403, 404)) -> dict:
    out: dict = {}
    if ok is not None:
        out[str(status)] = {"description": "OK", "content": {"application/json": {"schema": ok}}}
    for code in errors:
        out[str(code)] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    return out


def _list(name: str) -> dict:
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": _ref(name)},
        "next_cursor": {"type": "string", "nullable": True}}}


def _body(properties: dict, required: list[str]) -> dict:
    schema: dict = {"type": "object", "properties": properties}
    if required:  # OpenAPI 3.0 forbids an empty list
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def add_paths(spec: APISpec, sec: list) -> None:
    for name, schema in [
        ("ApprovalAuthoritySetting", AuthoritySettingSchema), ("Department", DepartmentSchema),
        ("RosterRow", RosterRowSchema), ("LookupRegistration", LookupRegistrationSchema),
        ("PhysicianCase", PhysicianCaseSchema),
    ]:
        spec.components.schema(name, schema=schema)
    base = "/api/v1/institutions/{institution_id}"
    spec.path(f"{base}/approval-authorities", operations={"get": {
        "summary": "The administration approving the institution's physicians per category "
                   "(1 临床, 2 口腔, 3 公共卫生, 4 中医), with the allowed choices (the issuing "
                   "authority and the administrations above it)", "security": sec,
        "parameters": _ids("institution_id"),
        "responses": _responses(_list("ApprovalAuthoritySetting"), errors=(401, 404))}})
    spec.path(f"{base}/approval-authorities/{{category}}", operations={"put": {
        "summary": "Set the approving administration of a category (a new version); the "
                   "institution's administrator only", "security": sec,
        "parameters": _ids("institution_id", "category") + [IDEMPOTENCY],
        "requestBody": _body({"administration_id": {"type": "integer"}}, ["administration_id"]),
        "responses": _responses(_ref("ApprovalAuthoritySetting"),
                                errors=(401, 403, 404, 409, 415, 422))}})
    spec.path(f"{base}/departments", operations={
        "get": {"summary": "The department dictionary (enabled and disabled)", "security": sec,
                "parameters": _ids("institution_id"),
                "responses": _responses(_list("Department"), errors=(401, 404))},
        "post": {"summary": "Add a department: a code unique in the institution, a name and one "
                            "or more of the institution's subjects (or their sub-codes)",
                 "security": sec, "parameters": _ids("institution_id") + [IDEMPOTENCY],
                 "requestBody": _body({"code": {"type": "string", "maxLength": 20},
                                       "name": {"type": "string", "maxLength": 60},
                                       "subjects": {"type": "array", "items": {"type": "string"}}},
                                      ["code", "name", "subjects"]),
                 "responses": _responses(_ref("Department"), 201,
                                         errors=(401, 403, 404, 409, 415, 422))}})
    spec.path(f"{base}/departments/{{department_id}}", operations={"patch": {
        "summary": "Rename, re-map or enable / disable a department", "security": sec,
        "parameters": _ids("institution_id", "department_id") + [IDEMPOTENCY],
        "requestBody": _body({"name": {"type": "string"}, "active": {"type": "boolean"},
                              "subjects": {"type": "array", "items": {"type": "string"}}}, []),
        "responses": _responses(_ref("Department"), errors=(401, 403, 404, 409, 415, 422))}})
    spec.path(f"{base}/physicians", operations={"get": {
        "summary": "A physician list of the institution, masked: main (主要执业机构为本院), "
                   "filed_elsewhere, filed_here, not_in_register", "security": sec,
        "parameters": _ids("institution_id") + LIST_PARAMS + [
            {"name": "list", "in": "query", "schema": {"type": "string", "enum": [
                "main", "filed_elsewhere", "filed_here", "not_in_register"]}},
            {"name": "name", "in": "query", "schema": {"type": "string"}},
            {"name": "category", "in": "query", "schema": {"type": "string"}},
            {"name": "status", "in": "query", "schema": {"type": "string"}},
            {"name": "department", "in": "query", "schema": {"type": "integer"}}],
        "responses": _responses(_list("RosterRow"), errors=(400, 401, 404))}})
    spec.path(f"{base}/physicians/{{physician_id}}/department", operations={"put": {
        "summary": "Set (or with null clear) the department of one of the institution's "
                   "physicians", "security": sec,
        "parameters": _ids("institution_id", "physician_id") + [IDEMPOTENCY],
        "requestBody": _body({"department_id": {"type": "integer", "nullable": True}},
                             ["department_id"]),
        "responses": _responses({"type": "object"}, errors=(401, 403, 404, 409, 415, 422))}})
    _account_paths(spec, sec, base)
    spec.path(f"{base}/physician-cases", operations={"get": {
        "summary": "Physician businesses addressed to the institution, newest first",
        "security": sec, "parameters": _ids("institution_id") + LIST_PARAMS + [
            {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["open", "done"]}},
            {"name": "process", "in": "query", "schema": {"type": "string"}},
            {"name": "name", "in": "query", "schema": {"type": "string"}}],
        "responses": _responses(_list("PhysicianCase"), errors=(400, 401, 404))}})
    spec.path(f"{base}/physicians/other-provinces", operations={"get": {
        "summary": "医师在外省注册情况: active registrations in other provinces of the physicians "
                   "whose main institution this is (ID numbers masked)",
        "security": sec, "parameters": _ids("institution_id"),
        "responses": _responses({"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object"}}}})}})
    spec.path("/api/v1/physician-registrations", operations={"get": {
        "summary": "A physician's registrations by resident ID, nationwide (医师注册信息验证; "
                   "institutions and administrations); the ID comes back masked",
        "security": sec, "parameters": [{"name": "id_number", "in": "query", "required": True,
                                         "schema": {"type": "string"}}],
        "responses": _responses({"type": "object", "properties": {
            "physician": {"type": "object"},
            "items": {"type": "array", "items": _ref("LookupRegistration")}}},
            errors=(401, 403, 404, 422))}})


def _account_paths(spec: APISpec, sec: list, base: str) -> None:
    spec.path(f"{base}/activation-codes", operations={
        "get": {"summary": "The institution's activation codes, newest first", "security": sec,
                "parameters": _ids("institution_id") + LIST_PARAMS,
                "responses": _responses(_list("ActivationCode"), errors=(400, 401, 403, 404))},
        "post": {"summary": "Generate a code for a physician whose main institution this is; "
                            "sent by SMS / e-mail through the outbox; her earlier unused codes "
                            "are voided", "security": sec,
                 "parameters": _ids("institution_id") + [IDEMPOTENCY],
                 "requestBody": _body({"physician_id": {"type": "integer"}}, ["physician_id"]),
                 "responses": _responses(_ref("ActivationCode"), 201,
                                         errors=(401, 403, 404, 409, 415, 422))}})
    spec.path(f"{base}/activation-codes/{{code_id}}/revoke", operations={"post": {
        "summary": "Void an unused activation code", "security": sec,
        "parameters": _ids("institution_id", "code_id") + [IDEMPOTENCY],
        "responses": _responses(_ref("ActivationCode"), errors=(401, 403, 404, 409))}})
    spec.path(f"{base}/physicians/{{physician_id}}/accounts/{{account_id}}/revoke", operations={
        "post": {"summary": "Revoke a physician account the physician says is not hers: disabled, "
                            "sessions and tokens ended, detached from her record, reason kept",
                 "security": sec,
                 "parameters": _ids("institution_id", "physician_id", "account_id") + [IDEMPOTENCY],
                 "requestBody": _body({"reason": {"type": "string", "maxLength": 500}}, ["reason"]),
                 "responses": _responses(_ref("AccountRevocation"), 201,
                                         errors=(401, 403, 404, 409, 415, 422))}})
