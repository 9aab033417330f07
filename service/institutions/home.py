"""What administrations and institutions see first on their home page."""
from __future__ import annotations

from flask import current_app, url_for
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


# the institution's persons, as the persons' domains list them (seed 000 机构版: 查询显示本机构
# 医师信息、护士信息); a list whose domain is not installed is left out
STAFF_LISTS = (("本院医师", "institution_physicians.physicians"),
               ("本院护士", "institution_nurses.nurses"))


def staff_links(actor) -> list[tuple[str, str]]:
    """(label, URL) of the lists of the institution's physicians and nurses it may open."""
    if actor.kind != "institution" or not actor.has_role("inst_admin", "inst_clerk"):
        return []
    return [(label, url_for(endpoint)) for label, endpoint in STAFF_LISTS
            if endpoint in current_app.view_functions]


@home_context("institution")
def own_institution(actor) -> dict:
    return {"institution": actor.institution, "staff_links": staff_links(actor)}
