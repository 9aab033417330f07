"""The yearly reminder (domain.md: at least one comprehensive self-inspection a year): an
institution whose last comprehensive self-inspection — or, without one, its admission — is 12
months old is told once per due date, its administrator and its inspectors."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from service.core.extensions import db
from service.core.times import SHANGHAI, add_months
from service.jobs.periodic import daily
from service.supervision.messages import tell
from service.supervision.models import SelfInspection, SupervisedUnit, SupervisionMember


def inspection_due(unit: SupervisedUnit, last: date | None) -> date:
    """When the next comprehensive self-inspection is due."""
    start = last or (unit.reviewed_at or unit.submitted_at).astimezone(SHANGHAI).date()
    return add_months(start, 12)


@daily("self_inspection_yearly")
def yearly_reminders(today: date) -> int:
    last = (select(SelfInspection.unit_id, func.max(SelfInspection.inspected_on).label("last"))
            .where(SelfInspection.status == "submitted", SelfInspection.comprehensive)
            .group_by(SelfInspection.unit_id).subquery())
    rows = db.session.execute(select(SupervisedUnit, last.c.last).outerjoin(
        last, last.c.unit_id == SupervisedUnit.id).where(SupervisedUnit.status == "active")
        .order_by(SupervisedUnit.id)).all()
    sent = 0
    for unit, last_on in rows:
        due = inspection_due(unit, last_on)
        if due > today or unit.inspection_reminded_for == due:
            continue
        unit.inspection_reminded_for = due
        for member in db.session.scalars(select(SupervisionMember).where(
                SupervisionMember.unit_id == unit.id)):
            if member.is_admin or "inspection" in (member.duties or []):
                tell(member.account, "年度全面自查提醒",
                     f"{unit.name}近 12 个月未上报全面的依法执业自查（应于 {due:%Y-%m-%d} 前完成），"
                     "请尽快通过自查填报完成本年度全面自查。")
        sent += 1
    db.session.commit()
    return sent
