"""The rules of the physician processes (P1–P9), checked before a step so that a refusal comes
at once, in Chinese, and changes nothing (see ``engine/checks.py``).

Each process names its check on the start event and on its user tasks. The same rules run
again when the institution agrees and when the authority approves, because the registry may
have changed since the application (another registration approved meanwhile). A reviewer who
disagrees, returns or refuses is never stopped.

Refusal grounds (《医师法》第十六条) come from two places, both read here:
- registry facts: earlier registrations cancelled for a revoked certificate or a failed
  assessment, with the cancellation date (``PracticeRegistration.end_reason`` / ``valid_to``);
- the application's declarations: the date a criminal sentence was completed and the date of
  a revocation decision, which the registry cannot know; the authority sees them in the form.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from service.core.extensions import db
from service.core.times import SHANGHAI, add_years
from service.engine.models import Case
from service.engine.plugins import CheckContext, check
from service.institutions.face import Institution
from service.persons import cases as persons_cases
from service.persons import checks as persons_checks
from service.physicians import assessments
from service.physicians.models import Physician, PracticeRegistration
from service.registry import codes
from service.registry.reference import Division

# 《医师法》第十六条: years a refusal ground bars registration
CRIMINAL_BAR_YEARS = 2
REVOCATION_BAR_YEARS = 2
FAILED_ASSESSMENT_BAR_YEARS = 1
# seed 003 ch.3 §8 and domain.md: the institution reports within 30 days (a later report
# must say why)
REPORT_DAYS = 30
APPLICANT_TASKS = ("apply", "report")
DECLINING = {"disagree", "return", "reject", "keep"}
OPEN_STATUSES = ("active", "filed")


# --- registry reading shared with the actions ---------------------------------------------

def local_today(moment: datetime | None = None) -> date:
    return (moment or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()


def location_for(inst: Institution, level: str) -> str:
    """The practice location: the province for physicians, the county for assistants."""
    return inst.division_code if level == "assistant" else inst.province_code


def location_name(code: str) -> str:
    division = db.session.get(Division, code)
    return division.full_name if division else code


def scope_names(category: str) -> dict[str, str]:
    """The practice scopes (执业范围) of a category, code -> name."""
    return codes.children("physician_scope", category)


def scope_code(category: str, name: str) -> str | None:
    return next((code for code, n in scope_names(category).items() if n == name), None)


def registrations(physician: Physician, *statuses: str, kind: str | None = None,
                  institution_id: int | None = None) -> list[PracticeRegistration]:
    return [r for r in physician.registrations
            if (not statuses or r.status in statuses) and (kind is None or r.kind == kind)
            and (institution_id is None or r.institution_id == institution_id)]


def main_for(physician: Physician, inst: Institution) -> PracticeRegistration | None:
    """Her active main registration at the institution's location, else her first one."""
    mains = registrations(physician, "active", kind="main")
    here = [r for r in mains if r.location_code == location_for(inst, r.level)]
    return (here or mains or [None])[0]


def application_of(case: Case) -> dict:
    """The latest submitted application form of the case (events keep the full form)."""
    return persons_cases.application_of(case, APPLICANT_TASKS)


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- collecting reasons -------------------------------------------------------------------

class Reasons(persons_checks.Reasons):
    """Field -> reasons (``service.persons.checks``), with this domain's applicant tasks."""

    applicant_tasks = APPLICANT_TASKS


def _declined(ctx: CheckContext) -> bool:
    return ctx.data.get("decision") in DECLINING


def _application(ctx: CheckContext) -> dict:
    if ctx.stage == "start":
        return {}
    if ctx.stage in APPLICANT_TASKS:
        return ctx.data
    return application_of(ctx.case)


def _no_duplicate(ctx: CheckContext, reasons: Reasons) -> None:
    if ctx.stage != "start" or ctx.person is None:
        return
    running = db.session.scalar(select(Case.id).where(
        Case.process_id == ctx.process_id, Case.status == "open",
        Case.subject_physician_id == ctx.person.id,
        Case.subject_institution_id == ctx.institution.id).limit(1))
    if running is not None:
        reasons.add("_form", f"已有一件同类业务正在办理（业务编号 {running}），请勿重复申请")


def _physician_required(ctx: CheckContext, reasons: Reasons) -> bool:
    if ctx.person is None:
        reasons.add("_form", "请指明办理业务的医师（subject.physician_id）")
        return False
    return True


# --- the rules ----------------------------------------------------------------------------

def one_main_per_location(physician: Physician, location: str, reasons: Reasons,
                          ignore: PracticeRegistration | None = None) -> None:
    """One practice location has exactly one main institution (seed 003 §2.4)."""
    for r in registrations(physician, "active", kind="main"):
        if r.location_code == location and r is not ignore:
            reasons.add("_form", f"您在{location_name(location)}已有主要执业机构"
                                 f"（{r.institution.name}），一个执业地点只能有一个主要执业机构；"
                                 "如需更换请申请变更")


def assistant_single_location(physician: Physician, reasons: Reasons) -> None:
    """An assistant practises at one county-level location only (《医师法》第十四条)."""
    if registrations(physician, "active", kind="main"):
        reasons.add("_form", "执业助理医师的执业地点为县级行政区划，只能有一个执业地点；"
                             "如需到其他地点执业请申请变更")


def refusal_grounds(physician: Physician, application: dict, today: date,
                    reasons: Reasons) -> None:
    """《医师法》第十六条: sentence, revocation, cancellation for a failed assessment."""
    completed = _date(application.get("penalty_completed_on"))
    if completed and today < add_years(completed, CRIMINAL_BAR_YEARS):
        reasons.add("penalty_completed_on", "受刑事处罚，刑罚执行完毕不满二年，不予注册"
                                            "（《医师法》第十六条）")
    revoked = _date(application.get("revoked_on"))
    if revoked and today < add_years(revoked, REVOCATION_BAR_YEARS):
        reasons.add("revoked_on", "受吊销《医师执业证书》行政处罚，自处罚决定之日起不满二年，"
                                  "不予注册（《医师法》第十六条）")
    for r in registrations(physician, "cancelled"):
        ended = r.valid_to
        if ended is None:
            continue
        if r.end_reason == "certificate_revoked" and today < add_years(ended, REVOCATION_BAR_YEARS):
            reasons.add("revoked_on", f"该医师于 {ended.isoformat()} 因吊销《医师执业证书》被注销"
                                      "注册，不满二年，不予注册（《医师法》第十六条）")
        if r.end_reason == "failed_assessment" and today < add_years(
                ended, FAILED_ASSESSMENT_BAR_YEARS):
            reasons.add("_form", f"该医师于 {ended.isoformat()} 因定期考核不合格被注销注册，"
                                 "不满一年，不予注册（《医师法》第十六条）")
        if r.end_reason == "criminal_penalty" and not completed and application:
            reasons.add("penalty_completed_on", "该医师曾因受刑事处罚被注销注册，请填写刑罚执行完毕日期")
    second = assessments.failed_twice(assessments.records_of(physician.id))
    if second is not None and second.assessed_on and today < add_years(
            second.assessed_on, FAILED_ASSESSMENT_BAR_YEARS):
        reasons.add("_form", f"该医师 {second.cycle} 周期定期考核于 {second.assessed_on.isoformat()} "
                             "再次考核仍不合格，不满一年，不予注册（《医师法》第十六条）")


def scope_in_category(category: str, scope: object, reasons: Reasons) -> None:
    if scope and scope not in scope_names(category):
        reasons.add("scope", "执业范围不属于该执业类别")


def reported_in_time(application: dict, field: str, today: date, reasons: Reasons) -> None:
    """Dates not in the future; more than 30 days late needs a reason."""
    day = _date(application.get(field))
    if day is None:
        return
    if day > today:
        reasons.add(field, "日期不能晚于今天")
    elif (today - day).days > REPORT_DAYS and not (application.get("late_reason") or "").strip():
        reasons.add("late_reason", f"情形发生已超过 {REPORT_DAYS} 日，须填写逾期报告原因")


# --- the checks the BPMN files name --------------------------------------------------------

def _new_registration(ctx: CheckContext, reasons: Reasons) -> None:
    """P1 registration and P9 military in: a new main registration at the institution."""
    physician, inst = ctx.person, ctx.institution
    level = physician.qualification.level
    if level == "assistant":
        assistant_single_location(physician, reasons)
    else:
        one_main_per_location(physician, location_for(inst, level), reasons)
    application = _application(ctx)
    refusal_grounds(physician, application, local_today(), reasons)
    category = application.get("category")
    if category and category != physician.qualification.category:
        reasons.add("category", f"执业类别应与医师资格类别（{physician.qualification.category_name}）一致")
    if category:
        scope_in_category(category, application.get("scope"), reasons)
    department_of_institution(inst, application.get("department"), reasons)


def department_of_institution(inst: Institution, name: object, reasons: Reasons) -> None:
    """拟执业科室 names one of the institution's departments, when it has set them up: the
    approval puts her in it (issue 17 item 13)."""
    from service.physicians.services import department_names

    if not isinstance(name, str) or not name.strip():
        return
    active = department_names(inst)
    if active and name.strip() not in active:
        reasons.add("department", f"拟执业科室应为{inst.name}设置的科室之一：" + "、".join(active))


@check("physician_registration")
@check("physician_military_in")
def registration_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    _new_registration(ctx, reasons)
    return reasons


@check("physician_change")
def change_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    physician, inst = ctx.person, ctx.institution
    if not registrations(physician, "active", kind="main"):
        reasons.add("_form", "您尚无有效的执业注册，不能申请变更；请申请执业注册")
        return reasons
    application = _application(ctx)
    if not application:
        return reasons
    current = db.session.get(PracticeRegistration, application.get("registration_id") or 0)
    if current is None or current.physician_id != physician.id or current.kind != "main" \
            or current.status != "active":
        reasons.add("registration_id", "请选择您本人有效的主要执业机构注册")
        return reasons
    location = location_for(inst, current.level)
    if location != current.location_code:
        one_main_per_location(physician, location, reasons, ignore=current)
    category, scope = application.get("category"), application.get("scope")
    scope_in_category(category, scope, reasons)
    unchanged = (inst.id == current.institution_id and category == current.category
                 and scope_names(category).get(scope) == current.scope)
    if unchanged:
        reasons.add("_form", "申请内容与现有注册相同，没有需要变更的事项")
    return reasons


@check("physician_upgrade")
def upgrade_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    physician, inst = ctx.person, ctx.institution
    assistant = [r for r in registrations(physician, "active", kind="main")
                 if r.level == "assistant"]
    if not assistant:
        reasons.add("_form", "您没有有效的执业助理医师注册，不能申请升级")
        return reasons
    if assistant[0].institution_id != inst.id:
        reasons.add("_form", f"助理医师升执业医师须主要执业机构不变，请向"
                             f"{assistant[0].institution.name}申请")
    qualification = physician.qualification
    if qualification.level != "physician":
        reasons.add("_form", "资格信息中尚无执业医师资格，不能申请升级")
    one_main_per_location(physician, location_for(inst, "physician"), reasons)
    application = _application(ctx)
    number = application.get("qualification_certificate_number")
    if number and number != qualification.certificate_number:
        reasons.add("qualification_certificate_number", "执业医师资格证书编码与资格信息不符")
    scope_in_category(assistant[0].category, application.get("scope"), reasons)
    refusal_grounds(physician, application, local_today(), reasons)
    return reasons


@check("physician_multi_site_filing")
def multi_site_filing_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    physician, inst = ctx.person, ctx.institution
    main = main_for(physician, inst)
    if main is None:
        reasons.add("_form", "须先注册执业地点和主要执业机构，才能申请多执业机构备案")
        return reasons
    if registrations(physician, "active", institution_id=inst.id):
        reasons.add("_form", f"您已在{inst.name}注册或备案，无需再次备案")
    if main.level == "assistant" and inst.division_code != main.location_code:
        reasons.add("_form", f"执业助理医师只能在执业地点（{location_name(main.location_code)}）"
                             "内的机构备案")
    scope_in_category(main.category, _application(ctx).get("scope"), reasons)
    return reasons


@check("physician_multi_site_cancel")
def multi_site_cancel_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    if not registrations(ctx.person, "active", kind="multi_site", institution_id=ctx.institution.id):
        reasons.add("_form", f"您在{ctx.institution.name}没有有效的多执业机构备案")
    return reasons


@check("physician_legacy_cancel")
def legacy_cancel_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    legacy = registrations(ctx.person, "active", kind="legacy_multi_location",
                           institution_id=ctx.institution.id)
    if not legacy:
        reasons.add("_form", f"您在{ctx.institution.name}没有可取消的多地点执业记录")
        return reasons
    chosen = _application(ctx).get("registration_id")
    if chosen is not None and chosen not in {r.id for r in legacy}:
        reasons.add("registration_id", "请选择您在该机构的一条有效多地点执业记录")
    return reasons


@check("physician_to_military")
def to_military_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    if not registrations(ctx.person, "active", kind="main", institution_id=ctx.institution.id):
        reasons.add("_form", "变更到军队须向您的主要执业机构申请")
    return reasons


def _works_here(ctx: CheckContext, reasons: Reasons) -> None:
    """A report by the institution is about one of its own physicians."""
    if not registrations(ctx.person, "active", institution_id=ctx.institution.id):
        reasons.add("_form", f"该医师不在{ctx.institution.name}执业，不能为其办理")


@check("physician_cancellation")
def cancellation_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    starter = ctx.actor if ctx.case is None else ctx.case.started_by
    by_institution = starter.kind == "institution"
    if by_institution:
        _works_here(ctx, reasons)
    elif not registrations(ctx.person, *OPEN_STATUSES, institution_id=ctx.institution.id):
        reasons.add("_form", "注销注册须向您执业所在的医疗机构申请")
    application = _application(ctx)
    if ctx.stage == "report":
        reported_in_time(application, "occurred_on", local_today(), reasons)
    elif ctx.stage == "apply" and (_date(application.get("occurred_on")) or date.min) > local_today():
        reasons.add("occurred_on", "日期不能晚于今天")
    assessment_ground(ctx.person, application.get("reason"), reasons)
    return reasons


def assessment_ground(physician: Physician, reason: object, reasons: Reasons) -> None:
    """An assessment ground of cancellation (《医师法》第十七条) must be on her 考核信息."""
    records = assessments.records_of(physician.id)
    if reason == "failed_assessment" and assessments.failed_twice(records) is None:
        reasons.add("reason", "该医师的考核信息中没有“考核不合格、再次考核仍不合格”的记录，"
                              "不能以此情形注销注册")
    if reason == "missed_assessments" and assessments.missed_two_cycles(records) is None:
        reasons.add("reason", "该医师的考核信息中没有连续两个考核周期未参加考核的记录，"
                              "不能以此情形注销注册")


@check("physician_filing")
def filing_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    _works_here(ctx, reasons)
    if ctx.stage == "report":
        reported_in_time(ctx.data, "left_on", local_today(), reasons)
    return reasons

