"""Physicians over REST: one physician with her registrations, and the qualification lookup."""
from __future__ import annotations

from flask import jsonify, request

from service.access.policy import require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller
from service.core.masking import mask_id
from service.physicians.lookups import find_qualification
from service.physicians.models import Physician
from service.physicians.schemas import PhysicianSchema


@bp.get("/physicians/<int:physician_id>")
@authenticated
def physician(physician_id: int):
    return jsonify(PhysicianSchema().dump(require(caller(), Physician, physician_id)))


@bp.get("/qualifications")
@authenticated
def qualification_lookup():
    """Look up a physician's qualification by resident ID (institutions and administrations)."""
    q = find_qualification(caller(), request.args.get("id_number", ""))
    return jsonify({"name": q.name, "id_number": mask_id(q.id_number), "category": q.category,
                    "level": q.level, "year": q.year, "certificate_number": q.certificate_number,
                    "school": q.school, "education": q.education})
