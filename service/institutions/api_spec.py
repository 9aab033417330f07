"""The institutions' part of the OpenAPI document: the combined query, one institution, its
history and backfill."""
from __future__ import annotations

from apispec import APISpec

from service.api.v1.openapi import LIST_PARAMS, path_param, ref, responses, section
from service.institutions.schemas import InstitutionSchema, InstitutionSummarySchema
from service.persons.signup_api import document_signup

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


@section
def institution_paths(spec: APISpec, sec: list) -> None:
    spec.components.schema("Institution", schema=InstitutionSchema)
    spec.components.schema("InstitutionSummary", schema=InstitutionSummarySchema)
    spec.path("/api/v1/institutions", operations={"get": {
        "summary": "Institutions in the caller's read scope (combined query, keyset pages)",
        "security": sec, "parameters": INSTITUTION_FILTERS + LIST_PARAMS,
        "responses": responses(list_of="InstitutionSummary", errors=(400, 401))}})
    spec.path("/api/v1/institutions/{institution_id}", operations={"get": {
        "summary": "One institution; with ``at`` the record as it stood at the end of that day "
                   "(Beijing time), from its versions, with ``as_of`` and ``valid_from`` added "
                   "(400 for a bad or future date, 404 before its first registration)",
        "security": sec,
        "parameters": [*path_param("institution_id"), {
            "name": "at", "in": "query", "required": False,
            "schema": {"type": "string", "format": "date"}}],
        "responses": responses(ref("Institution"))}})
    spec.path("/api/v1/institutions/{institution_id}/history", operations={"get": {
        "summary": "Every version of an institution, oldest first", "security": sec,
        "parameters": path_param("institution_id"), "responses": responses(list_of="Version")}})
    spec.path("/api/v1/institutions", operations={"post": {
        "summary": "Backfill (数据补录) an institution licensed before the system, as its "
                   "version 1; issuing authority only, inside its own division",
        "security": sec,
        "requestBody": {"required": True, "content": {"application/json": {"schema": BACKFILL_BODY}}},
        "responses": responses(ref("Institution"), 201,
                                errors=(400, 401, 403, 413, 415, 422))}})


LICENCE_FACTS = {"type": "object", "properties": {
    "valid": {"type": "boolean"}, "registration_number": {"type": "string"},
    "name": {"type": "string"},
    "status": {"type": "string", "description": "active / deferred / suspended / cancelled / void / expired"},
    "valid_from": {"type": "string", "format": "date"},
    "valid_until": {"type": "string", "format": "date"}, "issued_by": {"type": "string"},
    "issued_at": {"type": "string", "format": "date-time"}}}


@section
def applicant_paths(spec: APISpec, sec: list) -> None:
    document_signup(spec, responses, "/applicants", "ApplicantSignup", (
        "Applicant sign-up step 1: a real name and a valid resident ID (an applicant for a "
        "new institution has no register to be matched against)",
        "Send an applicant sign-up code to a phone (channel sms) or e-mail",
        "Applicant sign-up step 2: create the applicant account (active at once); she then "
        "starts institution_setup, clinic_filing or institution_registration with "
        "{\"division_code\"}"))


@section
def licence_paths(spec: APISpec, sec: list) -> None:
    spec.path("/api/v1/institutions/{institution_id}/licence.pdf", operations={"get": {
        "summary": "The licence 正本 (original) or 副本 (duplicate) as PDF, with the QR code of "
                   "its verify page; 404 before one is issued",
        "security": sec, "parameters": path_param("institution_id") + [
            {"name": "copy", "in": "query", "schema": {"type": "string", "enum": ["original", "duplicate"]}}],
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}},
                      **responses(errors=(400, 401, 404))}}})
    spec.path("/api/v1/licences/verify/{code}", operations={"get": {
        "summary": "Public check of a licence by the code in its QR (no token; rate-limited): "
                   "public facts and the live status",
        "security": [], "parameters": [{"name": "code", "in": "path", "required": True,
                                        "schema": {"type": "string", "maxLength": 64}}],
        "responses": responses(LICENCE_FACTS, errors=(404, 429))}})
