"""Nurses over REST: one nurse with her registrations, in scope; her certificate PDF."""
from __future__ import annotations

from apispec import APISpec
from flask import jsonify

from service.access.policy import require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller
from service.api.v1.openapi import path_param, ref, responses, section
from service.nurses.api_accounts import openapi_paths as account_paths
from service.nurses.certificates import certificate_response
from service.nurses.models import Nurse
from service.nurses.schemas import NurseRegistrationSchema, NurseSchema


@bp.get("/nurses/<int:nurse_id>")
@authenticated
def nurse(nurse_id: int):
    return jsonify(NurseSchema().dump(require(caller(), Nurse, nurse_id)))


@bp.get("/nurses/<int:nurse_id>/certificate.pdf")
@authenticated
def nurse_certificate(nurse_id: int):
    return certificate_response(caller(), nurse_id)


@section
def nurse_paths(spec: APISpec, sec: list) -> None:
    spec.components.schema("NurseRegistration", schema=NurseRegistrationSchema)
    spec.components.schema("Nurse", schema=NurseSchema)
    spec.path("/api/v1/nurses/{nurse_id}", operations={"get": {
        "summary": "One nurse with her registrations", "security": sec,
        "parameters": path_param("nurse_id"), "responses": responses(ref("Nurse"))}})
    spec.path("/api/v1/nurses/{nurse_id}/certificate.pdf", operations={"get": {
        "summary": "The nurse's certificate (护士执业证书) as PDF: her newest active "
                   "registration; for the nurse herself and the issuing administration of its "
                   "institution (404 for anyone else)", "security": sec,
        "parameters": path_param("nurse_id"),
        "responses": {"200": {"description": "the certificate", "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}})
    account_paths(spec, responses)
