"""S4 demerit_report (seed 004 §1.4, §1.2.6, §2.3): the scorer finds or adds the person, picks
articles of the province's rule set (``seed/supervision/demerit_rules_*.csv``), attaches
material, 暂存 or 确认上报. Points accumulate per person over a rolling 12-month cycle; crossing
a threshold of the rule set that opens a case starts ``demerit_threshold`` for the
administration of the person's institution."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from service.access.models import Account
from service.access.targets import Target, notify
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.times import add_months
from service.engine import runtime
from service.engine.plugins import ActionContext, CheckContext, action, check
from service.registry.validation import normalise_id, resident_id_problem
from service.registry.versioning import change_context
from service.supervision.catalogue import DemeritRule, DemeritThreshold
from service.supervision.drafts import Drafts
from service.supervision.inspection import _photos, beijing_today
from service.supervision.messages import tell
from service.supervision.models import (
    GENDERS,
    MEASURES,
    TITLES,
    DemeritReport,
    ScoredPerson,
    SupervisedUnit,
    SupervisionMember,
    ThresholdCrossing,
)

CERTIFICATE = re.compile(r"^[A-Za-z0-9-]{4,30}$")
IMMUTABLE = "已确认上报的记分记录不可修改"
DRAFTS = Drafts(DemeritReport, "scorer_id", "report_id", IMMUTABLE, "只能修改自己录入的暂存记录",
                "请从记分录入开始一次记分", "删除暂存的记分记录")
submit, delete = DRAFTS.submit, DRAFTS.delete
check("sv_demerit_start")(DRAFTS.start_rule)


def cycle_of(province: str) -> tuple[int, str]:
    """(months, anchor) of the province's newest thresholds: ``rolling`` counts the months
    ending on the day, ``calendar_year`` from 1 January (``seed/README.md``)."""
    row = db.session.execute(select(DemeritThreshold.cycle_months, DemeritThreshold.cycle_anchor)
                             .where(DemeritThreshold.province == province)
                             .order_by(DemeritThreshold.version.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (12, "rolling")


def cycle_start(day: date, cycle: tuple[int, str] = (12, "rolling")) -> date:
    """The first day of the cycle that contains ``day``."""
    months, anchor = cycle
    if anchor == "calendar_year":
        return date(day.year, 1, 1)
    return add_months(day, -months) + timedelta(days=1)


def points_in_cycle(person_id: int, day: date, cycle: tuple[int, str] = (12, "rolling")) -> int:
    """The person's submitted points in the cycle ending on ``day`` (one range of index
    ``ix_sv_demerit_person``)."""
    return db.session.scalar(select(func.coalesce(func.sum(DemeritReport.points), 0)).where(
        DemeritReport.person_id == person_id, DemeritReport.status == "submitted",
        DemeritReport.scored_on >= cycle_start(day, cycle), DemeritReport.scored_on <= day))


# --- persons ---------------------------------------------------------------------------------

def search_persons(unit: SupervisedUnit, name: str, id_number: str) -> list[ScoredPerson]:
    """记分录入查询: 必须输入人员姓名或者身份证号 (fuzzy, within the institution)."""
    name, id_number = (name or "").strip(), (id_number or "").strip().upper()
    if not name and not id_number:
        raise ApiError(422, "必须输入人员姓名或者身份证号，才可以进行查询",
                       fields={"name": ["必须输入人员姓名或者身份证号，才可以进行查询"]})
    query = select(ScoredPerson).where(ScoredPerson.unit_id == unit.id)
    if name:
        query = query.where(ScoredPerson.name.contains(name, autoescape=True))
    if id_number:
        query = query.where(ScoredPerson.id_number.contains(id_number, autoescape=True))
    return list(db.session.scalars(query.order_by(ScoredPerson.name, ScoredPerson.id).limit(200)))


def save_person(actor: Account, unit: SupervisedUnit, data: dict,
                person: ScoredPerson | None = None) -> ScoredPerson:
    """添加人员 / 编辑: every field required; the ID valid and not added before."""
    text = {k: (data.get(k) or "").strip() if isinstance(data.get(k), str) else ""
            for k in ("name", "gender", "id_number", "title", "scope", "certificate_number")}
    text["id_number"] = normalise_id(text["id_number"])
    fields: dict = {}
    for key, message in (("name", "请输入姓名"), ("gender", "请选择性别"), ("title", "请选择职称"),
                         ("scope", "请输入执业范围"), ("certificate_number", "请输入执业证书编号")):
        if not text[key]:
            fields[key] = [message]
    if text["gender"] and text["gender"] not in GENDERS:
        fields["gender"] = ["性别不正确"]
    if text["title"] and text["title"] not in TITLES:
        fields["title"] = ["职称不正确"]
    if len(text["name"]) > 40 or len(text["scope"]) > 200:
        fields.setdefault("name" if len(text["name"]) > 40 else "scope", []).append("内容过长")
    if text["certificate_number"] and not CERTIFICATE.match(text["certificate_number"]):
        fields["certificate_number"] = ["执业证书编号为 4–30 位字母、数字或 -"]
    if problem := resident_id_problem(text["id_number"]):
        fields["id_number"] = [problem]
    elif db.session.scalar(select(ScoredPerson.id).where(
            ScoredPerson.id_number == text["id_number"],
            ScoredPerson.id != (person.id if person else 0))):
        fields["id_number"] = ["该身份证号已添加，不可重复添加"]
    if fields:
        raise ApiError(422, fields=fields)
    person = person or ScoredPerson(unit_id=unit.id, created_by_id=actor.id)
    for key, value in text.items():
        setattr(person, key, value)
    with change_context(actor.id, "记分人员维护"):
        db.session.add(person)
        db.session.flush()
    return person


# --- rule sets -------------------------------------------------------------------------------

def rule_set(province: str, day: date | None = None) -> tuple[str, str, list[DemeritRule]]:
    """(province key, version, articles in force) of the newest rule set of the province."""
    day = day or beijing_today()
    version = db.session.scalar(select(func.max(DemeritRule.version)).where(
        DemeritRule.province == province))
    if version is None:
        raise ApiError(422, "本省尚未发布不良执业记分规则")
    rules = db.session.scalars(select(DemeritRule).where(
        DemeritRule.province == province, DemeritRule.version == version,
        or_(DemeritRule.valid_from.is_(None), DemeritRule.valid_from <= day),
        or_(DemeritRule.valid_to.is_(None), DemeritRule.valid_to >= day))
        .order_by(DemeritRule.article_no, DemeritRule.code)).all()
    return province, version, list(rules)


def rules_of(report: DemeritReport) -> list[DemeritRule]:
    return list(db.session.scalars(select(DemeritRule).where(
        DemeritRule.province == report.rule_province, DemeritRule.version == report.rule_version,
        DemeritRule.code.in_(report.rule_codes)).order_by(DemeritRule.article_no, DemeritRule.code)))


def _articles(report: DemeritReport, codes: object) -> None:
    """点击暂存或者确认上报，必须选择扣分项目."""
    if not isinstance(codes, list) or not codes:
        raise ApiError(422, fields={"rule_codes": ["请选择扣分项目"]})
    _, _, rules = rule_set(report.rule_province)
    known = {r.code: r for r in rules}
    if any(not isinstance(c, str) or c not in known for c in codes):
        raise ApiError(422, fields={"rule_codes": ["扣分项目不在本省记分规则内"]})
    chosen = list(dict.fromkeys(codes))
    report.rule_codes = chosen
    report.points = sum(known[c].points for c in chosen)


def start(actor: Account, member: SupervisionMember, person: ScoredPerson, data: dict) -> DemeritReport:
    """A new report (暂存 or before 确认上报) and its case, in the caller's transaction."""
    if "scoring" not in (member.duties or []):
        raise ApiError(403, "您没有医疗机构不良记分的业务范围")
    unit = member.unit
    if person.unit_id != unit.id:
        raise ApiError(404)
    province = unit.province_code
    province, version, _ = rule_set(province)
    report = DemeritReport(person_id=person.id, unit_id=unit.id, scorer_id=actor.id,
                           rule_province=province, rule_version=version, status="draft",
                           scored_on=beijing_today(), division_code=unit.division_code,
                           city_code=unit.city_code, province_code=unit.province_code)
    _articles(report, data.get("rule_codes"))
    report.attachment_ids = _photos(actor, data.get("attachment_ids"), "attachment_ids")
    db.session.add(report)
    db.session.flush()
    report.case_id = runtime.start(actor, "demerit_report", {"unit_id": unit.id},
                                   {"report_id": report.id}, commit=False).id
    return report


def save(actor: Account, report: DemeritReport, data: dict) -> None:
    DRAFTS.own(actor, report)
    _articles(report, data.get("rule_codes"))
    if "attachment_ids" in data:
        report.attachment_ids = _photos(actor, data.get("attachment_ids"), "attachment_ids")
    db.session.flush()


@check("sv_demerit_complete")
def complete_rule(ctx: CheckContext) -> dict[str, list[str]]:
    return {} if DRAFTS.of_case(ctx).rule_codes else {"rule_codes": ["请选择扣分项目"]}


def _thresholds(report: DemeritReport) -> list[DemeritThreshold]:
    return list(db.session.scalars(select(DemeritThreshold).where(
        DemeritThreshold.province == report.rule_province,
        DemeritThreshold.version == report.rule_version).order_by(DemeritThreshold.threshold)))


def _opener(unit: SupervisedUnit) -> Account | None:
    """Whom the service opens a threshold case for: an account of the division's administration."""
    return db.session.scalars(select(Account).where(
        Account.administration_id == unit.administration_id, Account.kind == "administration",
        Account.is_enabled.is_(True)).order_by(Account.id)).first()


@action("sv_demerit_submit")
def demerit_submit(ctx: ActionContext) -> str:
    """Freeze the report; a threshold crossed in the 12 months opens ``demerit_threshold``."""
    report = DRAFTS.of_case(ctx)
    report.status, report.submitted_at = "submitted", ctx.at
    report.scored_on = beijing_today(ctx.at)
    db.session.flush()
    cycle = cycle_of(report.rule_province)
    total = points_in_cycle(report.person_id, report.scored_on, cycle)
    before = total - report.points
    unit = db.session.get(SupervisedUnit, report.unit_id)
    person = db.session.get(ScoredPerson, report.person_id)
    crossed = sorted({t.threshold for t in _thresholds(report) if before < t.threshold <= total})
    for t in _thresholds(report):
        if t.threshold in crossed and not t.opens_case:
            admin = db.session.scalars(select(SupervisionMember).where(
                SupervisionMember.unit_id == unit.id, SupervisionMember.is_admin)).first()
            if admin is not None:
                tell(admin.account, "不良执业记分提醒",
                     f"{person.name}本周期累计记分 {total} 分，已达 {t.threshold} 分：{t.measure}。")
    opener = _opener(unit)
    for level in crossed:
        if not any(t.opens_case and t.threshold == level for t in _thresholds(report)) or opener is None:
            continue
        crossing = ThresholdCrossing(person_id=person.id, unit_id=unit.id, report_id=report.id,
                                     threshold=level, points=total,
                                     cycle_from=cycle_start(report.scored_on, cycle))
        db.session.add(crossing)
        db.session.flush()
        crossing.case_id = runtime.start(opener, "demerit_threshold", {"unit_id": unit.id},
                                         {"crossing_id": crossing.id}, commit=False).id
    return "submitted"


@check("sv_threshold_start")
def threshold_start_rule(ctx: CheckContext) -> dict[str, list[str]]:
    crossing = db.session.get(ThresholdCrossing, ctx.data.get("crossing_id") or 0)
    if crossing is None or crossing.case_id is not None:
        return {"crossing_id": ["该业务由系统在累计记分达到阈值时开启"]}
    return {}


def _crossing(ctx) -> ThresholdCrossing:
    return db.session.scalars(select(ThresholdCrossing).where(
        ThresholdCrossing.case_id == ctx.case.id)).one()


def measures_for(crossing: ThresholdCrossing) -> dict[str, str]:
    """The measures the rule set names for thresholds up to the one crossed."""
    report = db.session.get(DemeritReport, crossing.report_id)
    codes = {t.measure_code for t in _thresholds(report)
             if t.opens_case and t.threshold <= crossing.threshold}
    return {code: name for code, name in MEASURES.items() if code in codes}


@check("sv_threshold_decide")
def decide_rule(ctx: CheckContext) -> dict[str, list[str]]:
    allowed = measures_for(_crossing(ctx))
    if ctx.data.get("measure") not in allowed:
        return {"measure": [f"该阈值可选的处理措施：{'、'.join(allowed.values())}"]}
    return {}


@action("sv_threshold_decided")
def threshold_decided(ctx: ActionContext) -> str:
    """Record the measure and notify the person's institution."""
    crossing = _crossing(ctx)
    crossing.measure, crossing.comment = ctx.data["measure"], ctx.data.get("comment") or None
    crossing.decided_at = ctx.at
    unit = db.session.get(SupervisedUnit, crossing.unit_id)
    person = crossing.person
    body = (f"{person.name}本周期累计不良执业记分 {crossing.points} 分（阈值 {crossing.threshold} 分），"
            f"卫生健康行政部门决定：{crossing.measure_name}。{crossing.comment or ''}")
    linked = unit.institution_id is not None
    for m in db.session.scalars(select(SupervisionMember).where(
            SupervisionMember.unit_id == unit.id, SupervisionMember.is_admin)):
        if not (linked and m.account.kind == "institution"):  # the registry's accounts below
            tell(m.account, "不良执业记分处理决定", body)
    if linked:
        notify(Target("institution", unit.institution_id), "不良执业记分处理决定", body)
    return "decided"

