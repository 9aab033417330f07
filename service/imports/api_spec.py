"""The legacy import's part of the OpenAPI document."""
from __future__ import annotations

from apispec import APISpec

from service.api.v1.openapi import path_param, responses, section

STARTED = {"type": "object", "properties": {
    "id": {"type": "integer"}, "status": {"type": "string", "enum": ["queued", "rejected"]},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100}}}
IMPORT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["institutions", "physicians", "nurses"]},
    "dry_run": {"type": "boolean"},
    "status": {"type": "string", "enum": ["queued", "running", "succeeded", "rejected"]},
    "file_name": {"type": "string"},
    "rows": {"type": "integer", "nullable": True, "description": "data rows of the file"},
    "done": {"type": "integer", "description": "rows checked (and written) so far"},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100, "description": "per cent"},
    "imported": {"type": "integer", "description": "records written (0 unless a real run succeeded)"},
    "error_count": {"type": "integer"},
    "message": {"type": "string", "nullable": True, "description": "why the file as a whole was refused"},
    "checked_by": {"type": "integer", "nullable": True, "description": "the dry run this run follows"},
    "created_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": "string", "format": "date-time", "nullable": True},
    "waiting_links": {"type": "integer", "description": "persons still to be linked to an institution"},
    "errors": {"type": "array", "description": "the first 1000 row errors (all in the report)",
               "items": {"type": "object", "properties": {
                   "row": {"type": "integer", "description": "line of the file; the header is 1"},
                   "field": {"type": "string"}, "message": {"type": "string"}}}},
}}
PLACEMENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "import_id": {"type": "integer"},
    "kind": {"type": "string"}, "row": {"type": "integer"}, "person_id": {"type": "integer"},
    "name": {"type": "string"}, "institution_name": {"type": "string"},
    "division_code": {"type": "string"},
    "institution_id": {"type": "integer", "nullable": True},
    "linked_at": {"type": "string", "format": "date-time", "nullable": True},
    "suggestions": {"type": "array", "items": {"type": "object", "properties": {
        "institution_id": {"type": "integer"}, "name": {"type": "string"},
        "division_code": {"type": "string"}, "score": {"type": "number"}}}},
}}
KIND = {"name": "kind", "in": "query", "required": True,
        "schema": {"type": "string", "enum": ["institutions", "physicians", "nurses"]}}


@section
def import_paths(spec: APISpec, sec: list) -> None:
    spec.path("/api/v1/imports", operations={"post": {
        "summary": "Upload a legacy CSV / XLSX file; a background job checks every row and, "
                   "unless dry_run, imports all rows or none (version reason 数据补录)",
        "security": sec,
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file", "kind"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "kind": {"type": "string", "enum": ["institutions", "physicians", "nurses"]},
                "dry_run": {"type": "string", "enum": ["true", "false"]}}}}}},
        "responses": responses(STARTED, 202, errors=(400, 401, 403, 413, 422))}})
    spec.path("/api/v1/imports/template", operations={"get": {
        "summary": "The template of a kind: a CSV whose header names the columns (field names; "
                   "the Chinese labels are accepted as headers too) and an example row",
        "security": sec, "parameters": [KIND],
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}},
                      **responses(errors=(400, 401))}}})
    spec.path("/api/v1/imports/{import_id}", operations={"get": {
        "summary": "A run: status, progress and row errors (own administration's only)",
        "security": sec, "parameters": path_param("import_id"),
        "responses": responses(IMPORT)}})
    spec.path("/api/v1/imports/{import_id}/report", operations={"get": {
        "summary": "The row report as XLSX: row, column, column label, reason",
        "security": sec, "parameters": path_param("import_id"),
        "responses": {"200": {"description": "XLSX", "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}},
            **responses(errors=(400, 401, 404))}}})
    spec.path("/api/v1/imports/{import_id}/run", operations={"post": {
        "summary": "The real run of a file whose dry run passed (a repeat answers the same run)",
        "security": sec, "parameters": path_param("import_id"),
        "responses": responses(STARTED, 202, errors=(400, 401, 403, 404, 409))}})
    spec.path("/api/v1/imports/placements", operations={"get": {
        "summary": "Imported persons whose institution name the registry does not know, with "
                   "suggested institutions of the jurisdiction",
        "security": sec, "parameters": [{"name": "import_id", "in": "query", "required": False,
                                         "schema": {"type": "integer", "minimum": 0}}],
        "responses": responses(list_of="ImportPlacement", errors=(400, 401))}})
    spec.components.schema("ImportPlacement", PLACEMENT)
    spec.path("/api/v1/imports/placements/{placement_id}/link", operations={"post": {
        "summary": "Link the person to an institution: her registration is written there (a "
                   "registry version, reason 数据补录：关联执业机构)",
        "security": sec, "parameters": path_param("placement_id"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["institution_id"],
            "properties": {"institution_id": {"type": "integer", "minimum": 1}}}}}},
        "responses": responses(PLACEMENT, errors=(400, 401, 403, 404, 409, 413, 415, 422))}})
