"""The generic doors' part of the OpenAPI document: processes, cases, work items, messages and
documents."""
from __future__ import annotations

from apispec import APISpec

from service.api.v1.openapi import IDEMPOTENCY, LIST_PARAMS, path_param, responses, section
from service.casework.api import CASE_STATUSES, CaseSchema, EventSchema, WorkItemSchema
from service.casework.api_documents import PREVIEW_WIDTHS, DocumentSchema
from service.core.params import MAX_ID


@section
def case_paths(spec: APISpec, sec: list) -> None:
    spec.components.schema("Case", schema=CaseSchema)
    spec.components.schema("WorkItem", schema=WorkItemSchema)
    spec.components.schema("CaseEvent", schema=EventSchema)
    case = {"$ref": "#/components/schemas/Case"}
    item = {"$ref": "#/components/schemas/WorkItem"}
    data_body = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["data"], "properties": {"data": {"type": "object"}}}}}}
    spec.path("/api/v1/processes", operations={"get": {
        "summary": "Deployed processes (newest version of each)", "security": sec,
        "responses": responses({"type": "object"}, errors=(401,))}})
    spec.path("/api/v1/cases", operations={
        "get": {"summary": "Cases visible to the caller, newest first", "security": sec,
                "parameters": LIST_PARAMS + [
                    {"name": "process", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query",
                     "schema": {"type": "string", "enum": list(CASE_STATUSES)}},
                    {"name": "subject", "in": "query", "description": "institution id",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                "responses": responses(list_of="Case", errors=(400, 401))},
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
                 "responses": responses(case, 201, errors=(400, 401, 403, 404, 409, 415, 422))}})
    spec.path("/api/v1/cases/{case_id}", operations={"get": {
        "summary": "One case", "security": sec, "parameters": path_param("case_id"),
        "responses": responses(case)}})
    spec.path("/api/v1/cases/{case_id}/events", operations={"get": {
        "summary": "The case's hash-chained history", "security": sec,
        "parameters": path_param("case_id"), "responses": responses(list_of="CaseEvent")}})
    spec.path("/api/v1/cases/{case_id}/replay", operations={"post": {
        "summary": "Rebuild the case from its pinned definition and events; compare with the "
                   "stored state and verify the hash chain", "security": sec,
        "parameters": path_param("case_id"), "responses": responses({"type": "object", "properties": {
            "ok": {"type": "boolean"}, "events": {"type": "integer"}, "detail": {"type": "string"}}})}})
    spec.path("/api/v1/cases/{case_id}/withdraw", operations={"post": {
        "summary": "The applicant withdraws while nobody has decided", "security": sec,
        "parameters": path_param("case_id") + [IDEMPOTENCY],
        "responses": responses(case, errors=(401, 403, 404, 409))}})
    spec.path("/api/v1/work-items", operations={"get": {
        "summary": "The caller's inbox", "security": sec, "parameters": LIST_PARAMS + [
            {"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["mine", "org"]}},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "done"]}},
            {"name": "process", "in": "query", "schema": {"type": "string"}}],
        "responses": responses(list_of="WorkItem", errors=(400, 401))}})
    spec.path("/api/v1/work-items/{item_id}", operations={"get": {
        "summary": "A work item with its form (JSON Schema) and current data (draft or prefill)",
        "security": sec, "parameters": path_param("item_id"), "responses": responses(item)}})
    for action, summary, body, ok in [
        ("claim", "Take an organisation task", None, item),
        ("release", "Give a claimed task back", None, item),
        ("draft", "Save form data without completing", data_body, item),
        ("complete", "Submit the form; returns the case after the step", data_body, case),
    ]:
        op = {"summary": summary, "security": sec, "parameters": path_param("item_id") + [IDEMPOTENCY],
              "responses": responses(ok, errors=(400, 401, 403, 404, 409, 422))}
        if body:
            op["requestBody"] = body
        spec.path(f"/api/v1/work-items/{{item_id}}/{action}", operations={"post": op})
    spec.path("/api/v1/messages/{name}", operations={"post": {
        "summary": "Inbound callback: a BPMN message for the waiting case named by correlation "
                   "(case_id, or registration_number for national_ack); 404 when no case in "
                   "the caller's scope waits for it",
        "security": sec, "parameters": [{"name": "name", "in": "path", "required": True,
                                         "schema": {"type": "string"}}, IDEMPOTENCY],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["correlation"], "properties": {
                "correlation": {"type": "object"}, "payload": {"type": "object"}}}}}},
        "responses": responses(case, errors=(400, 401, 404, 409, 422))}})


@section
def document_paths(spec: APISpec, sec: list) -> None:
    spec.components.schema("Document", schema=DocumentSchema)
    doc = {"$ref": "#/components/schemas/Document"}
    spec.path("/api/v1/documents", operations={"post": {
        "summary": "Upload a document (PDF, JPEG or PNG, recognised by content); pages are counted",
        "security": sec,
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "case_id": {"type": "integer", "description": "the case the document belongs to"},
                "kind": {"type": "string", "maxLength": 40, "description": "which material"}}}}}},
        "responses": responses(doc, 201, errors=(400, 401, 413, 415, 422))}})
    spec.path("/api/v1/documents/{document_id}", operations={"get": {
        "summary": "A document's metadata (uploader, the uploader's organisation, case readers)",
        "security": sec, "parameters": path_param("document_id"), "responses": responses(doc)}})
    spec.path("/api/v1/documents/{document_id}/content", operations={"get": {
        "summary": "The file itself, inline, with its media type", "security": sec,
        "parameters": path_param("document_id"),
        "responses": {**responses(errors=(401, 404)), "200": {"description": "the file", "content": {
            m: {"schema": {"type": "string", "format": "binary"}}
            for m in ("application/pdf", "image/jpeg", "image/png")}}}}})
    spec.path("/api/v1/documents/{document_id}/pages/{page}.png", operations={"get": {
        "summary": "Preview of one page (from 1) as PNG; every page of a PDF can be shown",
        "security": sec,
        "parameters": path_param("document_id") + path_param("page") + [{
            "name": "width", "in": "query", "description": "pixels (default 900)",
            "schema": {"type": "integer", "enum": list(PREVIEW_WIDTHS)}}],
        "responses": {**responses(errors=(400, 401, 404)), "200": {
            "description": "the page", "content": {"image/png": {
                "schema": {"type": "string", "format": "binary"}}}}}}})
