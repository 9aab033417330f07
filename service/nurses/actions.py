"""Actions of the nurse processes (N1–N4): the only place their registry effects happen, inside
the approving step's transaction, so every change is a new version attributed to the case."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from service.access.models import Account
from service.access.targets import Target, notify
from service.core.extensions import db
from service.engine.plugins import ActionContext, action, prefill
from service.institutions.face import Institution
from service.nurses.certificates import ensure_certificate_number
from service.nurses.models import Nurse, NurseRegistration
from service.nurses.rules import (
    RenewalTiming,
    active_registration,
    local_today,
    renewable_registration,
    rules_for,
    valid_to,
)


def _nurse(ctx: ActionContext) -> Nurse:
    # the row lock serialises two approvals for the same nurse (PostgreSQL)
    return db.session.get(Nurse, ctx.case.subject_nurse_id, with_for_update=True)


def show_current(nurse: Nurse, reg: NurseRegistration | None) -> None:
    """Copy her current registration onto the nurse (lists, roster and home read it there)."""
    if reg is None:
        nurse.status = "cancelled" if nurse.registrations else "unregistered"
        nurse.institution_id = None
        return
    nurse.institution_id, nurse.status = reg.institution_id, reg.status
    nurse.registered_on, nurse.valid_until = reg.valid_from, reg.valid_to


def activate(nurse: Nurse, ctx: ActionContext) -> None:
    """An account used before activation is activated by the approval (seed 003 ch.4)."""
    db.session.execute(update(Account).where(
        Account.nurse_id == nurse.id, Account.activated_at.is_(None)).values(
            activated_at=ctx.at))


def refused(ctx: ActionContext, nurse: Nurse, reason: str) -> str:
    notify(Target("nurse", nurse.id), f"{ctx.case.deployed.name}未获批准",
           f"您的业务（编号 {ctx.case.id}）未能办理：{reason}")
    return "refused"


@action("nurse_register")
def register(ctx: ActionContext) -> str:
    """N1: a registration at the institution for the province's validity period, and her
    certificate number (kept for life)."""
    nurse = _nurse(ctx)
    inst = db.session.get(Institution, ctx.case.subject_institution_id)
    if (current := active_registration(nurse)) is not None:
        return refused(ctx, nurse, f"已在{current.institution.name}执业注册")
    start = local_today(ctx.at)
    reg = NurseRegistration(
        institution_id=inst.id, status="active", valid_from=start, case_id=ctx.case.id,
        valid_to=valid_to(start, rules_for(inst.province_code)),
        certificate_number=ensure_certificate_number(nurse, start.year, inst.province_code))
    nurse.registrations.append(reg)
    show_current(nurse, reg)
    activate(nurse, ctx)
    notify(Target("nurse", nurse.id), "护士执业注册已批准",
           f"您在{inst.name}的护士执业注册已批准，证书编号 {reg.certificate_number}，"
           f"有效期至 {reg.valid_to}。")
    notify(Target("institution", inst.id), "护士执业注册已批准",
           f"{nurse.name}的护士执业注册已批准，业务编号 {ctx.case.id}。")
    return "approved"


@action("nurse_change")
def change(ctx: ActionContext) -> str:
    """N2 (Nurses Regulation art. 9): the registration moves to the new institution for the
    rest of its validity; the old one is changed out and the old institution told (and, across
    provinces, the old issuing administration)."""
    nurse = _nurse(ctx)
    inst = db.session.get(Institution, ctx.case.subject_institution_id)
    today = local_today(ctx.at)
    old = active_registration(nurse)
    if old is None or old.valid_to < today:
        return refused(ctx, nurse, "没有有效期内的护士执业注册")
    reg = NurseRegistration(institution_id=inst.id, status="active", valid_from=today,
                            valid_to=old.valid_to, case_id=ctx.case.id,
                            certificate_number=nurse.certificate_number)
    old.status, old.end_reason, old.valid_to = "changed_out", "changed", today
    nurse.registrations.append(reg)
    show_current(nurse, reg)
    activate(nurse, ctx)
    notify(Target("nurse", nurse.id), "护士变更注册已批准",
           f"您已变更至{inst.name}执业，注册有效期至 {reg.valid_to}。")
    notify(Target("institution", inst.id), "护士变更注册已批准",
           f"{nurse.name}已变更至本机构执业，业务编号 {ctx.case.id}。")
    moved = (f"护士{nurse.name}（证书编号 {nurse.certificate_number}）已变更至{inst.name}执业，"
             f"自 {today} 起不再在{old.institution.name}执业。业务编号 {ctx.case.id}。")
    notify(Target("institution", old.institution_id), "本机构护士变更执业机构", moved)
    if old.institution.province_code != inst.province_code:
        notify(Target("administration", old.institution.issuing_authority_id),
               "护士跨省变更执业地点通报", moved)
    return "approved"


@action("nurse_renew")
def renew(ctx: ActionContext) -> str:
    """N3 (Nurses Regulation art. 10): a new registration for the province's validity period,
    from the day after the old one ends (from today if it had already expired); the old one is
    marked renewed. The certificate number stays."""
    nurse = _nurse(ctx)
    inst = db.session.get(Institution, ctx.case.subject_institution_id)
    old = renewable_registration(nurse, inst.id)
    today, rules = local_today(ctx.at), rules_for(inst.province_code)
    if old is None or RenewalTiming.of(old, today, rules).refused:
        return refused(ctx, nurse, "注册已届满，不能延续注册，请重新申请护士执业注册")
    start = max(old.valid_to + timedelta(days=1), today)
    reg = NurseRegistration(institution_id=inst.id, status="active", valid_from=start,
                            valid_to=valid_to(start, rules), case_id=ctx.case.id,
                            certificate_number=old.certificate_number)
    old.status = "renewed"
    nurse.registrations.append(reg)
    show_current(nurse, reg)
    activate(nurse, ctx)
    body = f"{nurse.name}在{inst.name}的护士执业注册已延续，有效期至 {reg.valid_to}。"
    notify(Target("nurse", nurse.id), "护士延续注册已批准", body)
    notify(Target("institution", inst.id), "护士延续注册已批准",
           f"{body}业务编号 {ctx.case.id}。")
    return "approved"


@prefill("nurse_application")
def application(case, last: dict | None) -> dict:
    """A returned application comes back as sent; a new one starts with her title on record."""
    if last:
        return last
    nurse = case.subject_nurse
    return {"title": nurse.title} if nurse is not None and nurse.title else {}


@action("nurse_cancel")
def cancel(ctx: ActionContext) -> str:
    """N4: her registration at the institution is cancelled (注销注册) for the ground given."""
    nurse = _nurse(ctx)
    reg = next((r for r in nurse.registrations if r.status in ("active", "expired")
                and r.institution_id == ctx.case.subject_institution_id), None)
    if reg is None:
        return refused(ctx, nurse, "在该机构没有可注销的护士执业注册")
    reg.status, reg.end_reason = "cancelled", ctx.data["reason"]
    show_current(nurse, None)
    notify(Target("nurse", nurse.id), "护士注销注册已批准",
           f"您在{reg.institution.name}的护士执业注册已注销（业务编号 {ctx.case.id}）。")
    return "approved"
