"""What administrations and institutions see first on their home page."""
from __future__ import annotations

from sqlalchemy import func, select

from service.access.policy import READ, scope
from service.core.extensions import db
from service.institutions.models import INSTITUTION_STATUSES, Institution
from service.web.home import home_context


@home_context("administration", "staff")
def jurisdiction_overview(actor) -> dict:
    """Institutions of the jurisdiction by status (the reminders are in ``reminder_pages``)."""
    if actor.kind == "staff" and not actor.has_role("sysadmin", "auditor"):
        return {}  # a process designer oversees no institutions
    visible = scope(actor, READ, Institution)
    by_status = dict(db.session.execute(
        select(Institution.status, func.count()).where(visible).group_by(Institution.status)
    ).all())
    return {
        "status_counts": [(k, v, by_status.get(k, 0)) for k, v in INSTITUTION_STATUSES.items()],
        "total": sum(by_status.values()),
    }


@home_context("institution")
def own_institution(actor) -> dict:
    return {"institution": actor.institution}
