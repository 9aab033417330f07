"""The designer's part of the OpenAPI document."""
from __future__ import annotations

from apispec import APISpec

from service.api.v1.openapi import IDEMPOTENCY, path_param, ref, responses, section

PROCESS_ID = [{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}]
VERSION = {"type": "object", "properties": {
    "version": {"type": "integer"}, "hash": {"type": "string"},
    "deployed_by": {"type": "string", "nullable": True},
    "deployed_at": {"type": "string", "format": "date-time"},
    "open_cases": {"type": "integer"}, "cases": {"type": "integer"}, "name": {"type": "string"}}}
SECTION = {"type": "object", "properties": {k: {"type": "array", "items": {"type": "object"}}
                                            for k in ("added", "removed", "changed")}}


@section
def designer_paths(spec: APISpec, sec: list) -> None:
    spec.path("/api/v1/processes", operations={"post": {
        "summary": "Deploy a process (designer): validated first; the same content twice keeps "
                   "its version",
        "security": sec, "parameters": [IDEMPOTENCY],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["bpmn"], "properties": {
                "bpmn": {"type": "string", "format": "binary"},
                "forms": {"type": "string", "format": "binary",
                          "description": "a zip of the form files, named as in forms/<process>/"},
                "dry_run": {"type": "string", "enum": ["true", "false"],
                            "description": "validate only"}}}}}},
        "responses": {**responses({"type": "object", "properties": {
            "id": {"type": "string"}, "version": {"type": "integer"}, "hash": {"type": "string"}}},
            errors=(400, 401, 403, 409, 413, 415, 422)),
            "201": {"description": "a new version"}}}})
    spec.path("/api/v1/processes/{process_id}/versions", operations={"get": {
        "summary": "Every version of a process, newest first, with its open cases",
        "security": sec, "parameters": PROCESS_ID,
        "responses": responses({"type": "object", "properties": {
            "items": {"type": "array", "items": VERSION},
            "next_cursor": {"type": "string", "nullable": True}}}, errors=(401, 403, 404))}})
    spec.path("/api/v1/processes/{process_id}/versions/{number}", operations={"get": {
        "summary": "One version: its BPMN text and forms",
        "security": sec, "parameters": PROCESS_ID + path_param("number"),
        "responses": responses({"type": "object", "properties": {
            "id": {"type": "string"}, "version": {"type": "integer"}, "hash": {"type": "string"},
            "bpmn": {"type": "string"}, "forms": {"type": "object"}}}, errors=(401, 403, 404))}})
    spec.path("/api/v1/processes/{process_id}/diff", operations={"get": {
        "summary": "The semantic difference between two versions: tasks, flows, lanes, forms",
        "security": sec, "parameters": PROCESS_ID + [
            {"name": k, "in": "query", "required": True,
             "schema": {"type": "integer", "minimum": 1}} for k in ("from", "to")],
        "responses": responses({"type": "object", "properties": {
            "from": {"type": "integer"}, "to": {"type": "integer"}, "empty": {"type": "boolean"},
            **{k: SECTION for k in ("tasks", "flows", "lanes", "forms")},
            "marks": {"type": "object"}}}, errors=(400, 401, 403, 404))}})
    spec.path("/api/v1/cases/{case_id}/migrate", operations={"post": {
        "summary": "Move a running case to a newer version of its process (designer); "
                   "dry_run answers whether it may",
        "security": sec, "parameters": path_param("case_id") + [IDEMPOTENCY],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["to_version"], "properties": {
                "to_version": {"type": "integer", "minimum": 1},
                "dry_run": {"type": "boolean"}}}}}},
        "responses": responses(ref("Case"), errors=(400, 401, 403, 404, 409, 422))}})
