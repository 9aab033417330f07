"""Verification reminders (seed 001): each institution is told once, three months before its
verification falls due; the daily clock runs this through the jobs' daily table."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from service.access.targets import Target, notify
from service.core.extensions import UTCDateTime, db
from service.core.times import add_months, utcnow
from service.institutions.models import Institution
from service.jobs.periodic import daily

REMIND_MONTHS_BEFORE = 3


class ReminderLog(db.Model):
    """Reminders already sent, so the daily job tells each institution once per due date."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("kind", "institution_id", "due"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    due: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@daily("verification_due")
def verification_reminders(today: date) -> int:
    """Tell each institution once, three months before its verification falls due."""
    horizon = add_months(today, REMIND_MONTHS_BEFORE)
    due = db.session.scalars(select(Institution).where(
        Institution.verification_due.between(today, horizon),
        Institution.is_filed_clinic.is_(False),
        Institution.status.in_(("active", "deferred")),
        ~Institution.id.in_(select(ReminderLog.institution_id).where(
            ReminderLog.kind == "verification_due", ReminderLog.due == Institution.verification_due)),
    ).order_by(Institution.id))
    sent = 0
    for inst in due:
        try:
            with db.session.begin_nested():
                db.session.add(ReminderLog(kind="verification_due", institution_id=inst.id,
                                           due=inst.verification_due))
        except IntegrityError:
            continue  # another run got there first
        notify(
            Target("institution", inst.id), "校验提醒",
            f"贵机构校验期将于 {inst.verification_due.isoformat()} 届满，请在届满前通过本平台提交校验申请。",
        )
        sent += 1
    db.session.commit()
    return sent
