"""The rules of the nurse businesses N1–N4 (Nurses Regulation arts 7–10), with their figures
read from ``seed/nurses/registration_rules.csv`` (a province's row overrides the national one):
checks run before a case starts and before each step, and refuse with Chinese reasons."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import select

from service.core.extensions import db
from service.core.times import SHANGHAI, add_years, utcnow
from service.engine.models import Case
from service.engine.plugins import CheckContext, check
from service.nurses.models import Nurse, NurseRegistration
from service.persons import checks as persons_checks
from service.persons.cases import application_of
from service.registry.seeding import SEED_DIR, as_int, rows

RULES_FILE = SEED_DIR / "nurses" / "registration_rules.csv"
APPLICANT_TASKS = ("apply", "report")
DECLINING = ("disagree", "reject", "return")
LATE_RENEWAL = ("reregister", "accept")


@dataclass(frozen=True)
class NurseRules:
    """One province's figures (or the national default)."""

    exam_window_years: int
    training_months: int
    validity_years: int
    renewal_opens_days: int  # how long before expiry a renewal may first be applied for
    renewal_window_days: int  # applied later than this before expiry, a renewal is late
    reminder_days: tuple[int, ...]
    # a renewal applied after expiry (plus grace): "reregister" refuses it (she registers anew,
    # N1); "accept" takes it as a late renewal
    late_renewal: str
    late_grace_days: int


@cache
def _table() -> dict[str, NurseRules]:
    table = {}
    for row in rows(RULES_FILE):
        if row["late_renewal"] not in LATE_RENEWAL:
            raise ValueError(f"{RULES_FILE.name}: late_renewal must be one of {LATE_RENEWAL}")
        table[row["province_code"]] = NurseRules(
            as_int(row["exam_window_years"]), as_int(row["training_months"]),
            as_int(row["validity_years"]), as_int(row["renewal_opens_days"]),
            as_int(row["renewal_window_days"]),
            tuple(sorted((int(d) for d in row["reminder_days"].split()), reverse=True)),
            row["late_renewal"], as_int(row["late_grace_days"], 0))
    return table


def rules_for(province_code: str | None) -> NurseRules:
    table = _table()
    return table.get(province_code or "") or table[""]


def local_today(moment: datetime | None = None) -> date:
    return (moment or utcnow()).astimezone(SHANGHAI).date()


def valid_to(start: date, rules: NurseRules) -> date:
    """The last day of a registration starting on ``start``."""
    return date.fromordinal(add_years(start, rules.validity_years).toordinal() - 1)


def active_registration(nurse: Nurse) -> NurseRegistration | None:
    return next((r for r in nurse.registrations if r.status == "active"), None)


def renewable_registration(nurse: Nurse, institution_id: int) -> NurseRegistration | None:
    """Her newest registration at the institution that is in force or expired (N3)."""
    return next((r for r in reversed(nurse.registrations) if r.institution_id == institution_id
                 and r.status in ("active", "expired")), None)


@dataclass(frozen=True)
class RenewalTiming:
    """When a renewal of ``reg`` may be applied for, as of ``today``: not yet open (the first
    day it opens), on time, late but accepted, or refused (registers anew)."""

    opens_on: date
    late: bool
    refused: bool

    @classmethod
    def of(cls, reg: NurseRegistration, today: date, rules: NurseRules) -> RenewalTiming:
        last_day_on_time = reg.valid_to - timedelta(days=rules.renewal_window_days)
        after_grace = today > reg.valid_to + timedelta(days=rules.late_grace_days)
        return cls(reg.valid_to - timedelta(days=rules.renewal_opens_days),
                   late=today > last_day_on_time,
                   refused=after_grace and rules.late_renewal == "reregister")


class Reasons(persons_checks.Reasons):
    """Field -> reasons (``service.persons.checks``), with this domain's applicant tasks."""

    applicant_tasks = APPLICANT_TASKS


def _no_duplicate(ctx: CheckContext, reasons: Reasons) -> None:
    if ctx.stage != "start":
        return
    running = db.session.scalar(select(Case.id).where(
        Case.process_id == ctx.process_id, Case.status == "open",
        Case.subject_nurse_id == ctx.person.id).limit(1))
    if running is not None:
        reasons.add("_form", f"已有一件同类业务正在办理（业务编号 {running}），请勿重复申请")


def _nurse_required(ctx: CheckContext, reasons: Reasons) -> bool:
    if not isinstance(ctx.person, Nurse):
        reasons.add("_form", "请指明办理业务的护士（subject.nurse_id）")
        return False
    return True


def _opened(ctx: CheckContext) -> tuple[Reasons, bool]:
    """Every nurse check's start: a reviewer declining is never stopped; the case names a
    nurse; one open case of a process per nurse. Whether the process's own rules apply."""
    reasons = Reasons(ctx)
    if ctx.data.get("decision") in DECLINING or not _nurse_required(ctx, reasons):
        return reasons, False
    _no_duplicate(ctx, reasons)
    return reasons, True


def exam_in_window(nurse: Nurse, application: dict, today: date, rules: NurseRules,
                   reasons: Reasons) -> None:
    """Art. 7: within the window after the exam; later, with proof of the training months."""
    q = nurse.qualification
    if q is None:
        reasons.add("_form", "未查询到您的护士执业资格考试成绩，不能申请执业注册")
        return
    if today <= add_years(q.exam_date, rules.exam_window_years) or reasons.stage == "start":
        return
    months = application.get("training_months")
    if not isinstance(months, int) or months < rules.training_months:
        reasons.add("training_months", (
            f"通过护士执业资格考试已超过 {rules.exam_window_years} 年，须在教学、综合医院接受"
            f" {rules.training_months} 个月以上临床护理培训并考核合格"))
    if not application.get("training_proof"):
        reasons.add("training_proof", "请上传临床护理培训考核合格证明")


def _application(ctx: CheckContext) -> dict:
    if ctx.stage == "start":
        return {}
    if ctx.stage in APPLICANT_TASKS:
        return ctx.data
    return application_of(ctx.case, APPLICANT_TASKS)


@check("nurse_registration")
def registration_rules(ctx: CheckContext) -> dict[str, list[str]]:
    reasons, go = _opened(ctx)
    if not go:
        return reasons
    if (reg := active_registration(ctx.person)) is not None:
        reasons.add("_form", f"您已在{reg.institution.name}执业注册，有效期至 {reg.valid_to}；"
                             "请办理变更或延续注册")
    exam_in_window(ctx.person, _application(ctx), local_today(),
                   rules_for(ctx.institution.province_code), reasons)
    return reasons



@check("nurse_change")
def change_rules(ctx: CheckContext) -> dict[str, list[str]]:
    """N2 (Nurses Regulation art. 9): a registration in force, to another institution."""
    reasons, go = _opened(ctx)
    if not go:
        return reasons
    current, today = active_registration(ctx.person), local_today()
    if current is None or current.valid_to < today:
        reasons.add("_form", "变更注册须在执业注册有效期内申请；您目前没有有效的护士执业注册"
                    + ("，请先办理延续注册" if current is not None else ""))
    elif current.institution_id == ctx.institution.id:
        reasons.add("_form", f"您已在{ctx.institution.name}执业注册，无需变更；请选择新的执业机构")
    return reasons


@check("nurse_renewal")
def renewal_rules(ctx: CheckContext) -> dict[str, list[str]]:
    """N3 (Nurses Regulation art. 10): at her institution, from the day renewals open; applied
    within the last days before expiry it is late (a reason is asked); after expiry (and the
    province's grace) the province's ``late_renewal`` rule decides."""
    reasons, go = _opened(ctx)
    if not go:
        return reasons
    reg = renewable_registration(ctx.person, ctx.institution.id)
    if reg is None:
        reasons.add("_form", f"您在{ctx.institution.name}没有可延续的护士执业注册")
        return reasons
    today, rules = local_today(), rules_for(ctx.institution.province_code)
    timing = RenewalTiming.of(reg, today, rules)
    if today < timing.opens_on:
        reasons.add("_form", f"您的注册有效期至 {reg.valid_to}，自 {timing.opens_on} 起可以申请延续注册")
    elif timing.refused:
        reasons.add("_form", f"您的护士执业注册已于 {reg.valid_to} 届满，未在有效期内申请延续，"
                             "不能延续注册；请重新申请护士执业注册")
    elif timing.late and ctx.stage in APPLICANT_TASKS and not str(
            ctx.data.get("late_reason") or "").strip():
        reasons.add("late_reason", f"未在注册有效期届满前 {rules.renewal_window_days} 日申请延续注册，"
                                   "请说明逾期原因")
    return reasons


@check("nurse_cancellation")
def cancellation_rules(ctx: CheckContext) -> dict[str, list[str]]:
    """N4: a registration at the institution to cancel; a ground's date not in the future."""
    reasons, go = _opened(ctx)
    if not go:
        return reasons
    if not any(r.status in ("active", "expired") and r.institution_id == ctx.institution.id
               for r in ctx.person.registrations):
        reasons.add("_form", f"该护士在{ctx.institution.name}没有可注销的执业注册")
    occurred = _application(ctx).get("occurred_on")
    if isinstance(occurred, str) and occurred > local_today().isoformat():
        reasons.add("occurred_on", "情形发生日期不能晚于今天")
    return reasons
