"""Actions of the physician processes (P1–P9): the only place their registry effects happen.

Each action runs on the step that reaches it (the authority's approval), inside that step's
transaction, so every change is a new version attributed to the case; a refused or withdrawn
case never reaches one. The rules were checked before the step (``physician_rules``); the one
invariant two concurrent approvals could still break (one main institution per location) is
checked again here under the physician's row lock and ends the case as refused.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from service.access.models import Account
from service.access.targets import Target, notify
from service.core.extensions import db
from service.core.times import add_years
from service.engine.plugins import ActionContext, action, prefill
from service.institutions.face import Institution
from service.persons import cases as persons_cases
from service.physicians.certificates import ensure_certificate_number
from service.physicians.models import END_REASONS, Physician, PracticeRegistration
from service.physicians.routes import authority_for
from service.physicians.rules import (
    APPLICANT_TASKS,
    OPEN_STATUSES,
    SHANGHAI,
    local_today,
    location_for,
    location_name,
    main_for,
    registrations,
    scope_code,
    scope_names,
)
from service.physicians.services import department_named, put_in_department

FILED_YEARS = 2  # domain.md: filed for two years without practising -> cancelled


def _physician(ctx: ActionContext) -> Physician:
    # the row lock serialises two approvals for the same physician (PostgreSQL)
    return db.session.get(Physician, ctx.case.subject_physician_id, with_for_update=True)


def _institution(ctx: ActionContext) -> Institution:
    return db.session.get(Institution, ctx.case.subject_institution_id)


def _scope(category: str, code: str) -> str:
    return scope_names(category).get(code, code)


def _close(reg: PracticeRegistration, status: str, reason: str, ctx: ActionContext) -> None:
    reg.status, reg.end_reason, reg.valid_to = status, reason, local_today(ctx.at)


def _main_taken(physician: Physician, location: str, ignore=None) -> PracticeRegistration | None:
    return next((r for r in registrations(physician, "active", kind="main")
                 if r.location_code == location and r is not ignore), None)


def _new_main(ctx: ActionContext, physician: Physician, inst: Institution, level: str,
              category: str, scope: str) -> PracticeRegistration:
    number = ensure_certificate_number(physician, level, category, inst.division_code)
    reg = PracticeRegistration(
        physician=physician, kind="main", institution_id=inst.id, category=category, level=level,
        scope=scope, location_code=location_for(inst, level), certificate_number=number,
        status="active", valid_from=local_today(ctx.at))
    db.session.add(reg)
    return reg


def _activate(physician: Physician, ctx: ActionContext) -> None:
    """Seed 003 ch.4: an account used before activation is activated by the approval."""
    for account in db.session.scalars(select(Account).where(
            Account.physician_id == physician.id, Account.activated_at.is_(None))):
        account.activated_at = ctx.at


def _refused(ctx: ActionContext, physician: Physician, reason: str) -> str:
    notify(Target("physician", physician.id), f"{ctx.case.deployed.name}未获批准",
                     f"您的业务（编号 {ctx.case.id}）未能办理：{reason}")
    return "refused"


def _tell_institution(ctx: ActionContext, inst_id: int, subject: str, body: str) -> None:
    notify(Target("institution", inst_id), subject, f"{body}业务编号 {ctx.case.id}。")


def _place_in_department(ctx: ActionContext, physician: Physician, inst: Institution) -> None:
    """拟执业科室 of the application becomes her department at the institution (issue 17 item
    13); a name the institution has no department for is left for it to set."""
    wanted = persons_cases.application_of(ctx.case, APPLICANT_TASKS).get("department")
    dept = department_named(inst, wanted)
    if dept is not None:
        put_in_department(physician.id, inst.id, dept.id)
    elif isinstance(wanted, str) and wanted.strip():
        _tell_institution(ctx, inst.id, "请设置医师所在科室",
                          f"医师{physician.name}申请的拟执业科室“{wanted.strip()}”不在本院科室设置中，"
                          "请在“本院医师”中为其设置所在科室。")


@action("physician_register")
def register(ctx: ActionContext) -> str:
    """P1 registration and P9 military in: a main registration and the lifelong number."""
    physician, inst = _physician(ctx), _institution(ctx)
    level, category = physician.qualification.level, ctx.data["category"]
    taken = _main_taken(physician, location_for(inst, level))
    if taken is not None or (level == "assistant" and registrations(physician, "active", kind="main")):
        return _refused(ctx, physician, "该执业地点已有主要执业机构（一个执业地点只能有一个主要执业机构）")
    reg = _new_main(ctx, physician, inst, level, category, _scope(category, ctx.data["scope"]))
    _activate(physician, ctx)
    _place_in_department(ctx, physician, inst)
    notify(Target("physician", physician.id), "执业注册已批准",
                     f"您在{inst.name}的执业注册已批准，执业证书编码 {reg.certificate_number}。")
    return "approved"


@action("physician_change")
def change(ctx: ActionContext) -> str:
    """P2: scope or category at the same institution is a new version of the registration;
    a new main institution closes the old registration (changed out across locations)."""
    physician, inst = _physician(ctx), _institution(ctx)
    current = db.session.get(PracticeRegistration, ctx.data["registration_id"])
    category = ctx.data["category"]
    scope = _scope(category, ctx.data["scope"])
    location = location_for(inst, current.level)
    if location != current.location_code and _main_taken(physician, location, current):
        return _refused(ctx, physician, "新执业地点已有主要执业机构")
    _activate(physician, ctx)
    if inst.id == current.institution_id:
        current.category, current.scope = category, scope
        notify(Target("physician", physician.id), "变更已批准", f"您在{inst.name}的执业注册变更已批准。")
        return "approved"
    moved = location != current.location_code
    _close(current, "changed_out" if moved else "ended", "changed", ctx)
    for filed_here in registrations(physician, "active", kind="multi_site", institution_id=inst.id):
        _close(filed_here, "ended", "changed", ctx)  # the filing becomes the main registration
    _new_main(ctx, physician, inst, current.level, category, scope)
    old = current.institution
    _tell_institution(ctx, old.id, "医师变更主要执业机构",
                      f"医师{physician.name}已变更主要执业机构至{inst.name}，自{local_today(ctx.at)}起"
                      "不再以贵机构为主要执业机构。")
    if moved:
        notify(authority_for(old, current.category), "医师变更执业地点",
                            f"医师{physician.name}（执业证书编码 {physician.certificate_number}）已由"
                            f"{location_name(current.location_code)}变更至{location_name(location)}"
                            f"（{inst.name}），原注册已变更转出。业务编号 {ctx.case.id}。")
    notify(Target("physician", physician.id), "变更已批准", f"您已变更至{inst.name}执业。")
    return "approved"


@action("physician_upgrade")
def upgrade(ctx: ActionContext) -> str:
    """P3: the assistant registration ends; a physician registration at the same institution."""
    physician, inst = _physician(ctx), _institution(ctx)
    assistant = next(r for r in registrations(physician, "active", kind="main", institution_id=inst.id)
                     if r.level == "assistant")
    if _main_taken(physician, location_for(inst, "physician"), assistant):
        return _refused(ctx, physician, "该执业地点已有执业医师主要执业机构")
    _close(assistant, "ended", "upgraded", ctx)
    _new_main(ctx, physician, inst, "physician", assistant.category,
              _scope(assistant.category, ctx.data["scope"]))
    notify(Target("physician", physician.id), "助理医师升执业医师已批准",
                     f"您在{inst.name}的执业医师注册已批准，原执业助理医师注册已失效。")
    return "approved"


@action("physician_file_multi_site")
def file_multi_site(ctx: ActionContext) -> str:
    """P4: a filed registration at the other institution, with the lifelong number."""
    physician, inst = _physician(ctx), _institution(ctx)
    main = main_for(physician, inst)
    db.session.add(PracticeRegistration(
        physician=physician, kind="multi_site", institution_id=inst.id, category=main.category,
        level=main.level, scope=_scope(main.category, ctx.data["scope"]),
        location_code=location_for(inst, main.level), certificate_number=physician.certificate_number,
        status="active", valid_from=local_today(ctx.at)))
    _tell_institution(ctx, main.institution_id, "本院医师多执业机构备案",
                      f"医师{physician.name}已在{inst.name}办理多执业机构备案。")
    notify(Target("physician", physician.id), "多执业机构备案已批准", f"您在{inst.name}的多执业机构备案已批准。")
    return "approved"


@action("physician_cancel_multi_site")
def cancel_multi_site(ctx: ActionContext) -> str:
    """P5: the filing at this institution ends."""
    physician, inst = _physician(ctx), _institution(ctx)
    for reg in registrations(physician, "active", kind="multi_site", institution_id=inst.id):
        _close(reg, "ended", "filing_cancelled", ctx)
    notify(Target("physician", physician.id), "已取消多执业机构备案", f"您在{inst.name}的多执业机构备案已取消。")
    return "approved"


@action("physician_cancel_legacy")
def cancel_legacy(ctx: ActionContext) -> str:
    """P6: exactly the one legacy multi-location record the application names."""
    physician = _physician(ctx)
    reg = db.session.get(PracticeRegistration, ctx.data["registration_id"])
    _close(reg, "ended", "legacy_cancelled", ctx)
    notify(Target("physician", physician.id), "已取消多地点执业",
                     f"您在{reg.institution.name}的多地点执业记录已取消。")
    return "approved"


@action("physician_to_military")
def to_military(ctx: ActionContext) -> str:
    """P9: every local registration ends (seed 003: 地方的注册信息全部失效)."""
    physician = _physician(ctx)
    for reg in registrations(physician, *OPEN_STATUSES):
        _close(reg, "changed_out", "to_military", ctx)
        _tell_institution(ctx, reg.institution_id, "医师变更到军队",
                          f"医师{physician.name}已变更到军队，在贵机构的执业注册已失效。")
    notify(Target("physician", physician.id), "变更到军队已批准", "您的地方执业注册已全部失效。")
    return "approved"


@action("physician_cancel")
def cancel(ctx: ActionContext) -> str:
    """P7: every active or filed registration is cancelled for the reported reason."""
    physician = _physician(ctx)
    reason = ctx.data["reason"]
    for reg in registrations(physician, *OPEN_STATUSES):
        _close(reg, "cancelled", reason, ctx)
        _tell_institution(ctx, reg.institution_id, "医师注销注册",
                          f"医师{physician.name}已注销注册（{END_REASONS.get(reason, reason)}）。")
    notify(Target("physician", physician.id), "注销注册已批准",
                     f"您的执业注册已注销：{END_REASONS.get(reason, reason)}。")
    return "approved"


@action("physician_file")
def file_registration(ctx: ActionContext) -> dict:
    """P8: her registrations at the institution are filed; cancellation is due two years after
    she left (the timer reads ``cancel_due``, so live and replay fire at the same point)."""
    physician, inst = _physician(ctx), _institution(ctx)
    left_on = datetime.fromisoformat(ctx.data["left_on"]).date()
    filed = registrations(physician, "active", institution_id=inst.id)
    for reg in filed:
        reg.status, reg.end_reason, reg.valid_to = "filed", ctx.data["reason"], left_on
    due = datetime.combine(add_years(left_on, FILED_YEARS), time(), SHANGHAI).astimezone(UTC)
    due = max(due, ctx.at + timedelta(minutes=1))
    notify(Target("physician", physician.id), "注册备案",
                     f"您在{inst.name}的执业注册已备案（{END_REASONS.get(ctx.data['reason'], '')}）；"
                     f"备案满两年仍未执业的，将被注销注册。")
    return {"filed": [r.id for r in filed], "cancel_due": due.isoformat()}


@action("physician_filing_review")
def filing_review(ctx: ActionContext) -> dict:
    """Two years on: still filed and not practising anywhere?"""
    physician = db.session.get(Physician, ctx.case.subject_physician_id)
    filed = [r for r in registrations(physician, "filed") if r.id in ctx.data["filing"]["filed"]]
    practising = registrations(physician, "active", kind="main")
    return {"still_filed": bool(filed) and not practising}


@action("physician_cancel_filed")
def cancel_filed(ctx: ActionContext) -> str:
    """The authority confirms the proposal: the filed registrations are cancelled."""
    physician = _physician(ctx)
    for reg in registrations(physician, "filed"):
        if reg.id in ctx.data["filing"]["filed"]:
            _close(reg, "cancelled", "practice_interrupted", ctx)
    notify(Target("physician", physician.id), "注销注册", "您备案满两年未重新执业，执业注册已注销。")
    return "cancelled"


@prefill("physician_application")
def application(case, last: dict | None) -> dict:
    """A returned application comes back as sent; a new one starts from the registry."""
    if last:
        return last
    physician, inst = case.subject_physician, case.subject_institution
    qualification = physician.qualification
    main = main_for(physician, inst)
    if case.process_id in ("physician_registration", "physician_military_in"):
        return {"category": qualification.category}
    if case.process_id == "physician_change" and main is not None:
        return {"registration_id": main.id, "category": main.category,
                "scope": scope_code(main.category, main.scope) or ""}
    if case.process_id == "physician_upgrade" and main is not None:
        return {"scope": scope_code(main.category, main.scope) or ""}
    if case.process_id == "physician_multi_site_filing" and main is not None:
        return {"scope": scope_code(main.category, main.scope) or ""}
    if case.process_id == "physician_legacy_cancel":
        legacy = registrations(physician, "active", kind="legacy_multi_location",
                               institution_id=inst.id)
        return {"registration_id": legacy[0].id} if legacy else {}
    return {}
