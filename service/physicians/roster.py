"""Physicians as institutions show them: on the verification roster and the detail page."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service.core.extensions import db
from service.institutions.face import Panel, StaffMember, detail_panel, staff_source
from service.physicians.models import PracticeRegistration


def _active_registrations(institution_id: int) -> list[PracticeRegistration]:
    return list(db.session.scalars(select(PracticeRegistration).where(
        PracticeRegistration.institution_id == institution_id,
        PracticeRegistration.status == "active",
    ).order_by(PracticeRegistration.kind, PracticeRegistration.id)
        .options(selectinload(PracticeRegistration.physician))))


@staff_source("physician")
def registered_physicians(institution_id: int) -> list[StaffMember]:
    """Physicians with an active registration at the institution."""
    return [StaffMember("physician", r.physician.name, r.physician.id_number,
                        r.certificate_number or "", r.physician.title or "")
            for r in _active_registrations(institution_id)]


@detail_panel("physician")
def physicians_panel(inst, actor) -> Panel:
    return Panel("physician/_institution_panel.html",
                 {"registrations": _active_registrations(inst.id)})
