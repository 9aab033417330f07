"""An institution's nurses as lists (issue 13 item 6): registered, expiring (within the
province's first reminder days), expired, and filed (registrations here that ended: changed
out or cancelled). Each row is a registration at the institution, newest first."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from service.core.extensions import db
from service.nurses.models import NurseRegistration
from service.nurses.rules import local_today, rules_for

LISTS = {"registered": "注册护士", "expiring": "即将到期", "expired": "已过期",
         "filed": "已离开本机构"}


def rows(inst, kind: str) -> list[NurseRegistration]:
    """The institution's registrations in one list (an expired one stays flagged even before
    the daily job moved it: its last day has passed)."""
    today = local_today()
    horizon = today + timedelta(days=max(rules_for(inst.province_code).reminder_days))
    reg = NurseRegistration
    where = {
        "registered": [reg.status == "active", reg.valid_to >= today],
        "expiring": [reg.status == "active", reg.valid_to.between(today, horizon)],
        "expired": [(reg.status == "expired") | ((reg.status == "active") & (reg.valid_to < today))],
        "filed": [reg.status.in_(("changed_out", "cancelled"))],
    }[kind]
    return list(db.session.scalars(
        select(reg).options(joinedload(reg.nurse)).where(reg.institution_id == inst.id, *where)
        .order_by(reg.valid_to.desc(), reg.id.desc())))


def is_expired(reg: NurseRegistration) -> bool:
    return reg.status == "expired" or (reg.status == "active" and reg.valid_to < local_today())
