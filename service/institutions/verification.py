"""Actions of annual verification (I4): conclusions become registry changes here, only here."""
from __future__ import annotations

from datetime import timedelta

from service.access.targets import notify
from service.core.extensions import db
from service.core.times import SHANGHAI, add_months, add_years
from service.engine.plugins import ActionContext, action, prefill
from service.institutions import licences
from service.institutions.face import staff_of
from service.institutions.models import Institution
from service.institutions.routes import issuing_authority, subject_institution
from service.institutions.verification_records import VerificationRecord, period_years

REAPPLY_DAYS = 5  # 实施细则: re-apply within 5 days after the deferral period


def _institution(ctx: ActionContext) -> Institution:
    return db.session.get(Institution, ctx.case.subject_institution_id, with_for_update=True)


def _was_deferred(ctx: ActionContext) -> bool:
    return ctx.data.get("deferral") is not None


@action("verification_pass")
def verification_pass(ctx: ActionContext) -> str:
    """Pass: a verification record, the next due date by the 1- or 3-year rule; with renewal
    ticked, the licence renewed as I8 renews it."""
    inst = _institution(ctx)
    years = period_years(inst, after_deferral=_was_deferred(ctx))
    today = ctx.at.astimezone(SHANGHAI).date()  # the Beijing date of the decision
    base = inst.verification_due or today
    if _was_deferred(ctx):
        base = today
    next_due = add_years(base, years)
    db.session.add(VerificationRecord(
        institution_id=inst.id, case_id=ctx.case.id, result="passed", decided_at=ctx.at,
        period_years=years, next_due=next_due, comment=ctx.data.get("comment"),
    ))
    inst.verification_due = next_due
    if inst.status == "deferred":
        inst.status = "active"
    if ctx.data.get("renewal"):  # 同时申请延续: the licence's validity is extended and reissued
        licences.renew(inst, at=ctx.at, case_id=ctx.case.id)
    return "approved"


@action("verification_deferral")
def verification_deferral(ctx: ActionContext, defer_months: int, comment: str | None = None) -> dict:
    """Deferred verification of 1–6 months: the institution is marked deferred until then."""
    inst = _institution(ctx)
    until = add_months(ctx.at, int(defer_months))
    db.session.add(VerificationRecord(
        institution_id=inst.id, case_id=ctx.case.id, result="deferred", decided_at=ctx.at,
        defer_months=int(defer_months), deferred_until=until, comment=comment,
    ))
    inst.status = "deferred"
    return {"deferred_until": until.isoformat(), "defer_months": int(defer_months)}


@action("verification_reapplication_window")
def verification_reapplication_window(ctx: ActionContext) -> dict:
    """The deferral has ended: the institution must re-apply within five days."""
    reapply_by = ctx.at + timedelta(days=REAPPLY_DAYS)
    notify(
        subject_institution(ctx.case), "暂缓校验期满",
        f"贵机构暂缓校验期已满，请于 {reapply_by.date().isoformat()} 前重新提交校验申请，逾期将拟注销执业许可证。",
    )
    return {"reapply_by": reapply_by.isoformat()}


@action("verification_failed")
def verification_failed(ctx: ActionContext) -> str:
    """Failing after a deferral (or not re-applying): the authority is told to cancel."""
    inst = _institution(ctx)
    db.session.add(VerificationRecord(
        institution_id=inst.id, case_id=ctx.case.id, result="failed", decided_at=ctx.at,
        comment=ctx.data.get("comment"),
    ))
    notify(
        issuing_authority(ctx.case), "校验不合格：拟注销执业许可证",
        f"{inst.name}（登记号 {inst.registration_number}）暂缓校验后仍不合格或逾期未重新申请，"
        f"请依法办理注销《医疗机构执业许可证》。业务编号 {ctx.case.number}。",
    )
    from service.institutions.cancellation_start import open_cancellation

    open_cancellation(inst, ctx, "failed_verification",
                      f"暂缓校验后仍不合格或逾期未重新申请校验（校验业务编号 {ctx.case.number}）")
    return "licence_to_be_cancelled"




@prefill("verification_application")
def verification_application(case, last: dict | None) -> dict:
    """The form as the institution last submitted it, or a fresh one from the registry."""
    if last:
        return last
    inst = case.subject_institution
    roster = [
        {"kind": m.kind, "name": m.name, "id_number": m.id_number,
         "certificate_number": m.certificate_number, "title": m.title, "department": m.department}
        for m in staff_of(inst.id)
    ]
    due = inst.verification_due
    years = period_years(inst)
    return {
        "verification_year": (due or case.created_at.date()).year,
        "period_start": add_years(due, -years).isoformat() if due else "",
        "period_end": due.isoformat() if due else "",
        "renewal": False, "contact_person": inst.principal or inst.legal_representative,
        "contact_phone": "", "physicians_count": sum(1 for r in roster if r["kind"] == "physician"),
        "nurses_count": sum(1 for r in roster if r["kind"] == "nurse"), "technicians_count": 0,
        "pharmacists_count": 0, "outpatient_visits": 0, "inpatient_discharges": 0,
        "self_inspection": "", "roster": roster, "application_form": [], "licence_copy": [],
        "work_summary": [], "licensing_application": [], "renewal_application": [],
        "other_materials": [],
    }
