"""Nurses over REST: one nurse, in scope."""
from __future__ import annotations

from apispec import APISpec
from flask import jsonify

from service.access.policy import require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller
from service.api.v1.openapi import path_param, ref, responses, section
from service.nurses.api_accounts import openapi_paths as account_paths
from service.nurses.models import Nurse
from service.nurses.schemas import NurseSchema


@bp.get("/nurses/<int:nurse_id>")
@authenticated
def nurse(nurse_id: int):
    return jsonify(NurseSchema().dump(require(caller(), Nurse, nurse_id)))


@section
def nurse_paths(spec: APISpec, sec: list) -> None:
    spec.components.schema("Nurse", schema=NurseSchema)
    spec.path("/api/v1/nurses/{nurse_id}", operations={"get": {
        "summary": "One nurse", "security": sec, "parameters": path_param("nurse_id"),
        "responses": responses(ref("Nurse"))}})
    account_paths(spec, responses)
