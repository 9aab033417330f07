"""Registry reads: institutions, their history, physicians and nurses, within scope."""
from __future__ import annotations

from flask import jsonify, request

from ...access.policy import require
from ...errors import ApiError
from ...extensions import db
from ...masking import mask_id
from ...registry.backfill import BackfillError, backfill_institution
from ...registry.institutions import Institution
from ...registry.persons import Nurse, Physician
from ...registry.physician_lookups import find_qualification
from ...registry.queries import InstitutionFilters, QueryError, page
from ...registry.versioning import history
from . import bp
from .common import authenticated, caller, json_object, list_limit
from .schemas import (
    InstitutionSchema,
    InstitutionSummarySchema,
    NurseSchema,
    PhysicianSchema,
    VersionSchema,
)


@bp.get("/institutions")
@authenticated
def institutions():
    try:
        flt = InstitutionFilters.from_args(request.args)
        items, next_cursor = page(caller(), flt, list_limit(), request.args.get("cursor"))
    except QueryError as exc:
        raise ApiError(400, "查询参数不正确", fields=exc.fields) from None
    return jsonify({"items": InstitutionSummarySchema(many=True).dump(items),
                    "next_cursor": next_cursor})


@bp.get("/institutions/<int:institution_id>")
@authenticated
def institution(institution_id: int):
    inst = require(caller(), Institution, institution_id)
    return jsonify(InstitutionSchema().dump(inst))


@bp.get("/institutions/<int:institution_id>/history")
@authenticated
def institution_history(institution_id: int):
    inst = require(caller(), Institution, institution_id)
    return jsonify({"items": VersionSchema(many=True).dump(history("institution", inst.id)),
                    "next_cursor": None})


@bp.get("/physicians/<int:physician_id>")
@authenticated
def physician(physician_id: int):
    return jsonify(PhysicianSchema().dump(require(caller(), Physician, physician_id)))


@bp.get("/nurses/<int:nurse_id>")
@authenticated
def nurse(nurse_id: int):
    return jsonify(NurseSchema().dump(require(caller(), Nurse, nurse_id)))


@bp.post("/institutions")
@authenticated
def backfill():
    """Backfill (数据补录) an institution licensed before the system."""
    data = json_object()
    try:
        inst = backfill_institution(caller(), data)
    except BackfillError as exc:
        status = 403 if list(exc.fields) == ["_schema"] else 422
        raise ApiError(status, fields=exc.fields) from None
    db.session.commit()
    return jsonify(InstitutionSchema().dump(inst)), 201


@bp.get("/qualifications")
@authenticated
def qualification_lookup():
    """Look up a physician's qualification by resident ID (institutions and administrations)."""
    q = find_qualification(caller(), request.args.get("id_number", ""))
    return jsonify({"name": q.name, "id_number": mask_id(q.id_number), "category": q.category,
                    "level": q.level, "year": q.year, "certificate_number": q.certificate_number,
                    "school": q.school, "education": q.education})
