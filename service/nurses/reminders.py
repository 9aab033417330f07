"""The nurses' daily job (N3): reminders to renew, to the nurse and her institution, at each of
the province's reminder days before expiry (60 and 30 by default), and registrations past
their last day flagged expired (then she is not on the roster as registered)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from service.access.targets import Target, notify
from service.core.extensions import db
from service.jobs.periodic import daily
from service.nurses.actions import show_current
from service.nurses.models import NurseRegistration
from service.nurses.rules import rules_for
from service.registry.versioning import change_context


def _expire(reg: NurseRegistration) -> None:
    reg.status = "expired"
    show_current(reg.nurse, reg)
    body = (f"{reg.nurse.name}在{reg.institution.name}的护士执业注册已于 {reg.valid_to} 届满，"
            "注册已过期，不得以注册护士身份执业。")
    for target in (Target("nurse", reg.nurse_id), Target("institution", reg.institution_id)):
        notify(target, "护士执业注册已过期", body)


def _remind(reg: NurseRegistration, today: date) -> bool:
    left = (reg.valid_to - today).days
    due = [d for d in rules_for(reg.institution.province_code).reminder_days if left <= d]
    if not due or (reg.reminded_days is not None and reg.reminded_days <= min(due)):
        return False
    reg.reminded_days = min(due)
    body = (f"{reg.nurse.name}在{reg.institution.name}的护士执业注册将于 {reg.valid_to} 届满"
            f"（还有 {left} 天），需继续执业的，请在届满前 30 日提出延续注册申请。")
    for target in (Target("nurse", reg.nurse_id), Target("institution", reg.institution_id)):
        notify(target, "护士执业注册延续提醒", body)
    return True


@daily("nurse_renewal")
def renewal_reminders(today: date) -> int:
    """Flag the registrations past their last day, remind those nearing it; how many."""
    done = 0
    with change_context(None, "护士执业注册到期"):
        for reg in db.session.scalars(select(NurseRegistration).where(
                NurseRegistration.status == "active").order_by(NurseRegistration.id)):
            if reg.valid_to < today:
                _expire(reg)
                done += 1
            elif _remind(reg, today):
                done += 1
    db.session.commit()
    return done
