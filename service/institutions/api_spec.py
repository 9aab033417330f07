"""The institutions' part of the OpenAPI document: the combined query, the statistics, one
institution, its history and backfill."""
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
        ("category", "string", "category type code"), ("management_class", "string", "1/2/9"),
        ("economic_type", "string", "economic type code"), ("level", "string", "level code (3A, ...)"),
        ("affiliation", "string", "affiliation code (10, 20, ...)"),
        ("status", "string", "active/deferred/suspended/cancelled, or in_register (all but cancelled)"),
        ("division", "string", "GB/T 2260 code; a province or city code matches its subtree"),
    ]
] + [{"name": "subject", "in": "query", "schema": {"type": "array", "items": {"type": "string"},
                                                   "maxItems": 10},
      "style": "form", "explode": True,
      "description": "诊疗科目 codes, repeatable; an institution must hold every one (a "
                     "first-level code matches its sub-codes)"}]

STAT_CELL = {"type": "object", "properties": {
    "key": {"type": "string", "nullable": True, "description": "the code (null: not recorded)"},
    "label": {"type": "string"}, "count": {"type": "integer"}, "beds": {"type": "integer"}}}
DIMENSION = {"type": "string", "enum": ["ownership", "level", "affiliation", "category", "division"]}
STATISTICS = {"type": "object", "required": ["by", "rows", "total"], "properties": {
    "by": DIMENSION, "cross": {**DIMENSION, "nullable": True},
    "status": {"type": "string"}, "division": {"type": "string", "nullable": True},
    "rows": {"type": "array", "items": {**STAT_CELL, "properties": {
        **STAT_CELL["properties"], "cells": {"type": "array", "items": STAT_CELL}}}},
    "columns": {"type": "array", "items": STAT_CELL},
    "total": {"type": "integer"}, "total_beds": {"type": "integer"}}}
STATISTICS_PARAMS = [
    {"name": "by", "in": "query", "schema": DIMENSION,
     "description": "ownership = 经营性质 (management class); division groups by the level below "
                    "``division`` (province → cities → counties); default ownership"},
    {"name": "cross", "in": "query", "schema": DIMENSION,
     "description": "a second dimension: each row gets ``cells`` and the answer ``columns``"},
    {"name": "division", "in": "query", "schema": {"type": "string"},
     "description": "a GB/T 2260 code inside the caller's jurisdiction (404 outside); default "
                    "the caller's own division"},
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
        "in_register", "active", "deferred", "suspended", "cancelled", "all"]},
     "description": "default in_register: every institution not cancelled"},
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
    spec.path("/api/v1/statistics/institutions", operations={"get": {
        "summary": "Institutions and beds by ownership, level, affiliation, category or division "
                   "(any two crossed) in the caller's read scope; administrations and platform "
                   "accounts (404 for others)",
        "security": sec, "parameters": STATISTICS_PARAMS,
        "responses": responses(STATISTICS, errors=(400, 401, 404))}})
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
    spec.path("/api/v1/institutions/{institution_id}/standards", operations={"get": {
        "summary": "The institution against its basic standard (医疗机构基本标准, "
                   "seed/institution_standards.csv) with its registered staff: where it falls "
                   "short (beds, staff, subjects, floor area); ``uncertain`` marks a figure the "
                   "data could not confirm; ``standard`` is null for a category without a row",
        "security": sec, "parameters": path_param("institution_id"),
        "responses": responses({"type": "object", "properties": {
            "standard": {"type": "object", "nullable": True, "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "basis": {"type": "string"}}},
            "shortfalls": {"type": "array", "items": {"type": "object", "properties": {
                "item": {"type": "string"}, "message": {"type": "string"},
                "uncertain": {"type": "boolean"}}}}}})}})
    spec.path("/api/v1/institutions/{institution_id}/contact", operations={"patch": {
        "summary": "Change phone, fax and postal code (机构版: 修改传真及电话号码) with a reason: a "
                   "version without a case, by the institution itself or its issuing authority; "
                   "absent fields keep their value",
        "security": sec, "parameters": path_param("institution_id"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["reason"], "properties": {
                "phone": {"type": "string", "nullable": True}, "fax": {"type": "string", "nullable": True},
                "postal_code": {"type": "string", "nullable": True, "pattern": "^\\d{6}$"},
                "reason": {"type": "string", "maxLength": 100}}}}}},
        "responses": responses(ref("Institution"), errors=(400, 401, 403, 404, 413, 415, 422))}})
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


REMINDERS = {"type": "object", "properties": {
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "kind": {"type": "string"}, "institution_id": {"type": "integer", "nullable": True},
        "due": {"type": "string", "format": "date"}, "title": {"type": "string"},
        "case_id": {"type": "integer", "nullable": True}}}},
    "next_cursor": {"type": "string", "nullable": True},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"},
               "description": "how many reminders of each kind the caller has"}}}


@section
def reminder_paths(spec: APISpec, sec: list) -> None:
    from service.institutions.reminder_board import KINDS

    spec.path("/api/v1/reminders", operations={"get": {
        "summary": "Business reminders (业务提醒) of an administration: institutions in its read "
                   "scope falling due or overdue, its own tasks near their statutory limit and "
                   "the applications since its previous login; kinds in board order, each by date",
        "security": sec, "parameters": [
            {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
            *LIST_PARAMS],
        "responses": responses(REMINDERS, errors=(400, 401, 403))}})
