"""S1 over REST: sign up, the administration's list, one sign-up, the review decision."""
from __future__ import annotations

from apispec import APISpec
from flask import jsonify
from sqlalchemy import select

from service.access import policy
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_object
from service.api.v1.openapi import path_param, responses, section
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_id, mask_phone
from service.supervision import signup
from service.supervision.models import SupervisedUnit


def _dump(unit: SupervisedUnit) -> dict:
    return {
        "id": unit.id, "name": unit.name, "uscc": unit.uscc, "division_code": unit.division_code,
        "division": unit.division.name, "address": unit.address, "level_code": unit.level_code,
        "subject_codes": unit.subject_codes, "nature": unit.nature,
        "legal_representative": unit.legal_representative,
        "legal_representative_id": mask_id(unit.legal_representative_id),
        "contact": unit.contact, "contact_phone": mask_phone(unit.contact_phone),
        "scope": unit.scope, "checklist": f"{unit.checklist_province}/{unit.checklist_version}",
        "institution_id": unit.institution_id, "status": unit.status,
        "return_reason": unit.return_reason, "version": unit.version,
    }


def _fail(exc: signup.SignupError):
    raise ApiError(422, "提交的数据未通过校验", fields=exc.fields) from None


@bp.post("/supervision/signups")
def supervision_signup():
    """An institution signs itself up; its administrator logs in once the review passes."""
    try:
        unit = signup.submit(json_object())
    except signup.SignupError as exc:
        _fail(exc)
    db.session.commit()
    return jsonify(_dump(unit)), 201


@bp.get("/supervision/signups")
@authenticated
def supervision_signups():
    units = db.session.scalars(select(SupervisedUnit).where(
        policy.scope(caller(), policy.READ, SupervisedUnit))
        .order_by(SupervisedUnit.division_code, SupervisedUnit.id)).all()
    return jsonify({"items": [_dump(u) for u in units], "next_cursor": None})


@bp.get("/supervision/signups/<int:unit_id>")
@authenticated
def supervision_signup_detail(unit_id: int):
    return jsonify(_dump(policy.require(caller(), SupervisedUnit, unit_id)))


@bp.post("/supervision/signups/<int:unit_id>/review")
@authenticated
def supervision_review(unit_id: int):
    unit = policy.require(caller(), SupervisedUnit, unit_id, policy.MANAGE)
    body = json_object()
    try:
        signup.review(caller(), unit, body.get("decision") or "", body.get("reason"))
    except signup.SignupError as exc:
        _fail(exc)
    db.session.commit()
    return jsonify(_dump(unit))


@section
def supervision_paths(spec: APISpec, sec: list) -> None:
    spec.path("/api/v1/supervision/signups", operations={
        "post": {"summary": "Sign an institution up for self-inspection and demerit scoring (S1)",
                 "responses": responses({"type": "object"}, 201)},
        "get": {"summary": "Sign-ups in the caller's jurisdiction, by division", "security": sec,
                "responses": responses({"type": "object"})}})
    spec.path("/api/v1/supervision/signups/{unit_id}", operations={"get": {
        "summary": "One sign-up", "security": sec, "parameters": path_param("unit_id"),
        "responses": responses({"type": "object"})}})
    spec.path("/api/v1/supervision/signups/{unit_id}/review", operations={"post": {
        "summary": "Pass, or return with a reason (注册审核)", "security": sec,
        "parameters": path_param("unit_id"), "responses": responses({"type": "object"})}})
