"""The auditors' part of the OpenAPI document."""
from __future__ import annotations

from apispec import APISpec

from service.api.v1.openapi import LIST_PARAMS, path_param, responses, section

RUN = {"type": "object", "properties": {
    "id": {"type": "integer"}, "status": {"type": "string",
                                          "enum": ["queued", "running", "succeeded", "failed"]},
    "progress": {"type": "number"}, "total": {"type": "integer"}, "cases": {"type": "integer"},
    "events": {"type": "integer"}, "broken_total": {"type": "integer"}, "broken": {"type": "array", "items": {"type": "object", "properties": {
        "case_id": {"type": "integer"}, "seq": {"type": "integer", "nullable": True},
        "reason": {"type": "string"}}}}}}
RANGE = [{"name": n, "in": "query", "schema": s} for n, s in (
    ("process", {"type": "string"}), ("division_code", {"type": "string", "pattern": r"^\d{6}$"}),
    ("since", {"type": "string", "format": "date"}), ("until", {"type": "string", "format": "date"}))]


@section
def audit_paths(spec: APISpec, sec: list) -> None:
    spec.path("/api/v1/audit/chain", operations={
        "get": {"summary": "Auditor: the newest chain verification over exactly this range, with "
                           "cases, events and broken chains (final once succeeded)",
                "security": sec, "parameters": RANGE,
                "responses": responses(RUN, errors=(400, 401, 403, 404))},
        "post": {"summary": "Auditor: verify every hash chain in a range in the background",
                 "security": sec,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "properties": {
                         "process": {"type": "string"}, "division_code": {"type": "string"},
                         "since": {"type": "string", "format": "date"},
                         "until": {"type": "string", "format": "date"}}}}}},
                 "responses": responses(RUN, 202, errors=(400, 401, 403, 415, 422))}})
    spec.path("/api/v1/audit/chain/{run_id}", operations={"get": {
        "summary": "Auditor: one chain verification run with its progress", "security": sec,
        "parameters": path_param("run_id"), "responses": responses(RUN, errors=(401, 403, 404))}})
    spec.path("/api/v1/cases/{case_id}/audit-bundle", operations={"get": {
        "summary": "Auditor: a zip of the case's events, pinned BPMN and forms, document hashes "
                   "and replay result; the reason is recorded in the access log",
        "security": sec, "parameters": path_param("case_id") + [
            {"name": "reason", "in": "query", "required": True,
             "schema": {"type": "string", "minLength": 4, "maxLength": 200}}],
        "responses": {"200": {"description": "the bundle", "content": {"application/zip": {
            "schema": {"type": "string", "format": "binary"}}}},
            **{k: v for k, v in responses(errors=(401, 403, 404, 422)).items() if k != "200"}}}})
    spec.path("/api/v1/cases/{case_id}/events/reveal", operations={"post": {
        "summary": "Auditor: the case's events with personal data unmasked; the reason is "
                   "recorded in the access log", "security": sec,
        "parameters": path_param("case_id"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["reason"], "properties": {
                "reason": {"type": "string", "minLength": 4, "maxLength": 200}}}}}},
        "responses": responses(list_of="CaseEvent", errors=(400, 401, 403, 404, 415, 422))}})
    spec.path("/api/v1/audit/access-log", operations={"get": {
        "summary": "Auditor: who read which personal data when, newest first", "security": sec,
        "parameters": LIST_PARAMS + [{"name": n, "in": "query", "schema": {"type": "string"}}
                                     for n in ("account", "kind", "record", "since", "until")],
        "responses": responses({"type": "object"}, errors=(400, 401, 403))}})
