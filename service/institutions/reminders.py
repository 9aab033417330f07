"""The institutions' daily jobs (the clock runs them through the jobs' daily table), each
telling an institution once per due date (``reminder_log``):

- verification (seed 001): three months before it falls due;
- licence renewal (Licensing Law art. 50, I8): 30 days before the licence expires, to the
  institution and its issuing authority, and again once it expired without renewal (the
  institution then shows ``licence_overdue``);
- overdue verification (issue 16): an institution that did not apply by its due date gets a
  20-day order (``verification_order``), whose end opens the cancellation (I6).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, String, UniqueConstraint, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from service.access.targets import Target, notify
from service.core.errors import ApiError
from service.core.extensions import UTCDateTime, db
from service.core.times import add_months, utcnow
from service.engine.models import Case
from service.institutions.cancellation_start import start_for_authority
from service.institutions.lifecycle_rules import RENEWAL_LEAD_DAYS
from service.institutions.models import Institution
from service.jobs.periodic import daily

log = logging.getLogger(__name__)
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


def _not_logged(kind: str, due_column):
    return ~Institution.id.in_(select(ReminderLog.institution_id).where(
        ReminderLog.kind == kind, ReminderLog.due == due_column))


def _first_time(kind: str, inst: Institution, due: date) -> bool:
    """Log the reminder; False when another run logged it first."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(kind=kind, institution_id=inst.id, due=due))
    except IntegrityError:
        return False
    return True


@daily("verification_due")
def verification_reminders(today: date) -> int:
    """Tell each institution once, three months before its verification falls due."""
    horizon = add_months(today, REMIND_MONTHS_BEFORE)
    due = db.session.scalars(select(Institution).where(
        Institution.verification_due.between(today, horizon),
        Institution.is_filed_clinic.is_(False),
        Institution.status.in_(("active", "deferred")),
        _not_logged("verification_due", Institution.verification_due),
    ).order_by(Institution.id))
    sent = 0
    for inst in due:
        if not _first_time("verification_due", inst, inst.verification_due):
            continue
        notify(
            Target("institution", inst.id), "校验提醒",
            f"贵机构校验期将于 {inst.verification_due.isoformat()} 届满，请在届满前通过本平台提交校验申请。",
        )
        sent += 1
    db.session.commit()
    return sent


def _expiring_messages(inst: Institution, end: str) -> tuple[str, str, str]:
    return ("许可证延续提醒",
            f"贵机构《医疗机构执业许可证》有效期将于 {end} 届满。需要继续执业的，请在届满 "
            f"{RENEWAL_LEAD_DAYS} 日前通过本平台申请延续。",
            f"{inst.name}（登记号 {inst.registration_number}）的《医疗机构执业许可证》有效期将于 "
            f"{end} 届满，尚未办理延续。")


def _expired_messages(inst: Institution, end: str) -> tuple[str, str, str]:
    return ("许可证已过期未延续",
            f"贵机构《医疗机构执业许可证》有效期已于 {end} 届满且未办理延续，不得继续执业；"
            "请与发证机关联系。",
            f"{inst.name}（登记号 {inst.registration_number}）的《医疗机构执业许可证》已于 {end} "
            "过期且未延续，请依法处理（逾期不延续的，办理注销）。")


@daily("licence_renewal")
def licence_reminders(today: date) -> int:
    """30 days before the licence expires, and once it expired without renewal: the
    institution and its issuing authority are told, each once per expiry date."""
    sent = 0
    for kind, window, messages in (
            ("licence_expiring", Institution.licence_valid_to.between(
                today, today + timedelta(days=RENEWAL_LEAD_DAYS)), _expiring_messages),
            ("licence_expired", Institution.licence_valid_to < today, _expired_messages)):
        for inst in db.session.scalars(select(Institution).where(
                Institution.status != "cancelled", window,
                _not_logged(kind, Institution.licence_valid_to)).order_by(Institution.id)):
            if not _first_time(kind, inst, inst.licence_valid_to):
                continue
            subject, to_institution, to_authority = messages(inst, inst.licence_valid_to.isoformat())
            notify(Target("institution", inst.id), subject, to_institution)
            notify(Target("administration", inst.issuing_authority_id), subject, to_authority)
            sent += 1
    db.session.commit()
    return sent


ORDER_PROCESS = "verification_order"


def _open(process_id: str):
    return exists().where(Case.subject_institution_id == Institution.id,
                          Case.process_id == process_id, Case.status == "open")


@daily("verification_overdue")
def verification_orders(today: date) -> int:
    """An institution in practice past its verification due date without applying gets a
    20-day order (one per due date) from its issuing authority."""
    overdue = db.session.scalars(select(Institution).where(
        Institution.verification_due < today, Institution.is_filed_clinic.is_(False),
        Institution.status == "active", ~_open("institution_verification"), ~_open(ORDER_PROCESS),
        _not_logged(ORDER_PROCESS, Institution.verification_due)).order_by(Institution.id))
    opened = 0
    for inst in overdue:
        try:
            with db.session.begin_nested():
                db.session.add(ReminderLog(kind=ORDER_PROCESS, institution_id=inst.id,
                                           due=inst.verification_due))
                db.session.flush()
                case_id = start_for_authority(inst, None, ORDER_PROCESS,
                                              {"ordered_on": today.isoformat()})
        except (IntegrityError, ApiError) as exc:
            log.info("no verification order for institution %s: %s", inst.id, exc)
            continue
        opened += case_id is not None
    db.session.commit()
    return opened
