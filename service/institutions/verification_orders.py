"""Overdue verification (issue 16, 实施细则 art. 35): an institution that has not applied by
its due date is ordered to apply within 20 days (a task in its inbox and a notice); when the
period ends without an application, the issuing authority's cancellation case (I6) opens, as
for a failed deferral. The daily job that opens the orders is in ``reminders.py``."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from service.access.targets import notify
from service.core.extensions import db
from service.core.times import SHANGHAI
from service.engine import plugins
from service.engine.models import Case, WorkItem
from service.engine.plugins import ActionContext, CheckContext, action, check
from service.institutions.cancellation_start import open_cancellation
from service.institutions.models import Institution
from service.institutions.routes import issuing_authority, subject_institution

ORDER_DAYS = 20
PROCESS = "verification_order"


def order_until(ordered_on: date) -> datetime:
    """The end of the 20th day after the order (Beijing calendar), in UTC."""
    day_after = ordered_on + timedelta(days=ORDER_DAYS + 1)
    return datetime.combine(day_after, time(), tzinfo=SHANGHAI).astimezone(UTC)


def applied_since(institution_id: int, since: datetime) -> int | None:
    """A verification application the institution submitted since ``since``: its case id."""
    return db.session.scalar(select(Case.id).join(WorkItem, WorkItem.case_id == Case.id).where(
        Case.process_id == "institution_verification", Case.subject_institution_id == institution_id,
        Case.status.in_(("open", "completed")), Case.created_at >= since,
        WorkItem.task.in_(("submit_application", "reapply")), WorkItem.status == "done",
    ).order_by(Case.id).limit(1))


def _ordered_on(data: dict, default: date) -> date | None:
    """The day the order runs from (the daily job's day); None when it is not a date."""
    raw = data.get("ordered_on")
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


@check("verification_order_start")
def verification_order_start(ctx: CheckContext) -> dict[str, list[str]]:
    """An order only for an institution in practice whose verification is overdue, running
    from today or a later day."""
    inst, today = ctx.institution, datetime.now(SHANGHAI).date()
    ordered_on = _ordered_on(ctx.data, today)
    if ordered_on is None or ordered_on < today:
        return {"ordered_on": ["限期起算日应为今日或以后的日期（YYYY-MM-DD）"]}
    if inst.status != "active" or inst.is_filed_clinic:
        return {"subject": ["只对正常执业、应当校验的医疗机构下达限期校验通知"]}
    if inst.verification_due is None or inst.verification_due >= ordered_on:
        return {"subject": ["该医疗机构校验期尚未届满，无需下达限期校验通知"]}
    running = db.session.scalar(select(Case.id).where(
        Case.subject_institution_id == inst.id, Case.status == "open",
        Case.process_id.in_((PROCESS, "institution_verification"))).limit(1))
    if running is not None:
        return {"subject": [f"该医疗机构已有办理中的校验或限期校验业务（业务编号 {running}）"]}
    return {}


@action("verification_order_issue")
def verification_order_issue(ctx: ActionContext) -> dict:
    """The notice: apply within 20 days, or the licence is to be cancelled."""
    inst = db.session.get(Institution, ctx.case.subject_institution_id)
    ordered_on = _ordered_on(ctx.data, ctx.at.astimezone(SHANGHAI).date())
    until = order_until(ordered_on)
    last_day = (until - timedelta(seconds=1)).astimezone(SHANGHAI).date().isoformat()
    notify(subject_institution(ctx.case), "限期校验通知",
           f"贵机构校验期已于 {inst.verification_due.isoformat()} 届满，至今未申请校验。请于 {last_day} 前"
           f"通过本平台提交校验申请；逾期未申请的，将依法注销《医疗机构执业许可证》。业务编号 {ctx.case.id}。")
    return {"ordered_on": ordered_on.isoformat(), "order_until": until.isoformat(), "last_day": last_day}


@check("verification_order_applied")
def verification_order_applied(ctx: CheckContext) -> dict[str, list[str]]:
    """The institution confirms only once it has submitted a verification application."""
    if applied_since(ctx.institution.id, ctx.case.created_at) is None:
        return {"applied": ["尚未提交校验申请：请先在“发起业务”中提交校验申请，再确认"]}
    return {}


@action("verification_order_expired")
def verification_order_expired(ctx: ActionContext) -> str:
    """The 20 days are over: an application made meanwhile closes the order; otherwise the
    issuing authority's cancellation case opens."""
    inst = db.session.get(Institution, ctx.case.subject_institution_id, with_for_update=True)
    if applied_since(inst.id, ctx.case.created_at) is not None:
        return "applied"
    reason = (f"校验期 {inst.verification_due.isoformat()} 届满后未申请校验，经限期 {ORDER_DAYS} 日"
              f"仍未申请（限期校验业务编号 {ctx.case.id}）")
    cancellation = open_cancellation(inst, ctx, "failed_verification", reason)
    notify(issuing_authority(ctx.case), "逾期未校验：拟注销执业许可证",
           f"{inst.name}（登记号 {inst.registration_number}）{reason}，请依法办理注销"
           f"《医疗机构执业许可证》" + (f"（注销业务编号 {cancellation}）。" if cancellation else "。"))
    return "licence_to_be_cancelled"


plugins.process_info(
    PROCESS,
    help=("校验期届满未申请校验的医疗机构，由发证机关下达限期校验通知（20 日）；期限内提交校验申请的办结，"
          "逾期仍未申请的，自动转入注销执业登记。"),
    outcomes={"applied": "已按期申请校验", "licence_to_be_cancelled": "逾期未申请，拟注销执业许可证"},
)
