"""医师在外省注册情况 (seed 003 ch.3): the institution sees where its physicians are registered
in other provinces (a physician may hold one practice location per province)."""
from __future__ import annotations

from flask import jsonify, render_template
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from service.api.v1 import bp as api_bp
from service.api.v1.common import authenticated, caller
from service.core.extensions import db
from service.core.masking import mask_id
from service.physicians import services
from service.physicians.institution_pages import bp, reader
from service.physicians.models import PHYSICIAN_CATEGORIES, PracticeRegistration
from service.physicians.rules import location_name

KIND_NAMES = {"main": "主要执业机构", "multi_site": "多执业机构备案",
              "legacy_multi_location": "多地点执业"}


def _province(code: str) -> str:
    return code[:2] + "0000"


def other_province_registrations(inst) -> list[PracticeRegistration]:
    """Active registrations outside the institution's province of the physicians whose active
    main registration is at the institution, ordered by physician name."""
    here = aliased(PracticeRegistration)
    ours = select(here.physician_id).where(
        here.institution_id == inst.id, here.kind == "main", here.status == "active")
    rows = db.session.scalars(
        select(PracticeRegistration).options(joinedload(PracticeRegistration.physician))
        .where(PracticeRegistration.physician_id.in_(ours),
               PracticeRegistration.status == "active",
               PracticeRegistration.institution_id != inst.id)
        .order_by(PracticeRegistration.physician_id, PracticeRegistration.id)).all()
    province = _province(inst.province_code)
    found = [r for r in rows if _province(r.location_code) != province]
    return sorted(found, key=lambda r: (r.physician.name, r.physician_id, r.id))


def row(reg: PracticeRegistration) -> dict:
    return {
        "physician_id": reg.physician_id, "name": reg.physician.name,
        "id_number": mask_id(reg.physician.id_number), "kind": reg.kind,
        "kind_name": KIND_NAMES.get(reg.kind, reg.kind), "institution": reg.institution.name,
        "location_code": reg.location_code, "location_name": location_name(reg.location_code),
        "category": reg.category, "category_name": PHYSICIAN_CATEGORIES.get(reg.category, ""),
        "scope": reg.scope, "valid_from": reg.valid_from.isoformat(),
    }


@bp.get("/other-provinces")
@login_required
def other_provinces():
    inst = reader()
    rows = [row(r) for r in other_province_registrations(inst)]
    return render_template("institution/other_provinces.html", inst=inst, rows=rows)


@api_bp.get("/institutions/<int:institution_id>/physicians/other-provinces")
@authenticated
def other_provinces_api(institution_id: int):
    inst = services.institution_in_scope(caller(), institution_id)
    return jsonify({"items": [row(r) for r in other_province_registrations(inst)]})
