"""Nurses as institutions show them: on the verification roster and the detail page."""
from __future__ import annotations

from sqlalchemy import select

from service.core.extensions import db
from service.core.times import shanghai_today
from service.institutions.face import Panel, StaffMember, detail_panel, staff_source
from service.nurses.models import Nurse


@staff_source("nurse")
def registered_nurses(institution_id: int) -> list[StaffMember]:
    """Nurses whose registration at the institution is in force: an expired one is not,
    even before the daily job flags it."""
    return [StaffMember("nurse", n.name, n.id_number, n.certificate_number or "", n.title or "")
            for n in db.session.scalars(select(Nurse).where(
                Nurse.registered_at(institution_id, shanghai_today())).order_by(Nurse.id))]


@detail_panel("nurse")
def nurses_panel(inst, actor) -> Panel:
    nurses = db.session.scalars(
        select(Nurse).where(Nurse.institution_id == inst.id).order_by(Nurse.id)).all()
    return Panel("nurses/_institution_panel.html", {"nurses": nurses})
