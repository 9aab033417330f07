"""The physicians' part of the OpenAPI document."""
from __future__ import annotations

from apispec import APISpec

from service.api.v1.openapi import path_param, ref, responses, section
from service.physicians import api_institution_spec
from service.physicians.api_accounts import openapi_paths as account_paths
from service.physicians.api_cases import openapi_paths as case_paths
from service.physicians.schemas import PhysicianSchema


@section
def physician_paths(spec: APISpec, sec: list) -> None:
    spec.components.schema("Physician", schema=PhysicianSchema)
    spec.path("/api/v1/physicians/{physician_id}", operations={"get": {
        "summary": "One physician with registrations", "security": sec,
        "parameters": path_param("physician_id"), "responses": responses(ref("Physician"))}})
    spec.path("/api/v1/qualifications", operations={"get": {
        "summary": "Look up a physician qualification by resident ID number (institutions and "
                   "administrations); the ID number comes back masked",
        "security": sec,
        "parameters": [{"name": "id_number", "in": "query", "required": True,
                        "schema": {"type": "string", "minLength": 18, "maxLength": 18}}],
        "responses": responses({"type": "object", "properties": {
            **{k: {"type": "string"} for k in (
                "name", "id_number", "category", "level", "certificate_number")},
            "year": {"type": "integer"}}}, errors=(401, 403, 404, 422))}})
    api_institution_spec.add_paths(spec, sec)
    account_paths(spec, responses)
    case_paths(spec, sec)
