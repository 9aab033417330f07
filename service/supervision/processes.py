"""What seed 004's processes teach the engine: their subject (a signed-up institution,
registered in the registry or not), their lanes and routing rules, and S1's words.

Staff of a signed-up institution belong to no organisation of the registry, so their tasks are
routed to one account (``Target("account", id)``): the inspector or scorer who started the case,
or the institution's administrator.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.access import policy
from service.access.models import Account
from service.access.targets import Target
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import plugins
from service.engine.models import WorkItem
from service.supervision.models import SupervisedUnit, SupervisionMember

PROCESSES = ("supervision_signup", "self_inspection", "demerit_report", "demerit_threshold")


@dataclass(frozen=True)
class UnitSubject:
    """A case's subject for seed 004: the signed-up institution, its division (the case's
    jurisdiction) and the administration of that division; ``id`` is the registry institution
    it is linked to, if any."""

    unit_id: int
    id: int | None
    name: str
    division_code: str
    city_code: str
    province_code: str
    issuing_authority_id: int
    status: str

    @property
    def case_data(self) -> dict:
        return {"unit_id": self.unit_id}


def subject_of(unit: SupervisedUnit) -> UnitSubject:
    return UnitSubject(unit.id, unit.institution_id, unit.name, unit.division_code, unit.city_code,
                       unit.province_code, unit.administration_id, unit.status)


@plugins.subject_loader("supervised_unit")
def load_unit(actor: Account, subject: dict, process_id: str | None = None) -> UnitSubject:
    if not isinstance(subject, dict) or not isinstance(subject.get("unit_id"), int):
        raise ApiError(422, fields={"subject.unit_id": ["必填项"]})
    if process_id == "supervision_signup":
        # the applicant's administrator account is not enabled before the review passes
        m = member(actor, subject["unit_id"])
        if m is not None and m.is_admin:
            return subject_of(m.unit)
    return subject_of(policy.require(actor, SupervisedUnit, subject["unit_id"]))


for _process in PROCESSES:
    plugins.process_subject(_process, "supervised_unit")


def member(actor: Account, unit_id: int) -> SupervisionMember | None:
    return db.session.scalars(select(SupervisionMember).where(
        SupervisionMember.account_id == actor.id, SupervisionMember.unit_id == unit_id)).first()


def _has_duty(duty: str):
    def may_start(actor: Account, definition, subject) -> bool:
        m = member(actor, subject.unit_id) if isinstance(subject, UnitSubject) else None
        return m is not None and subject.status == "active" and duty in (m.duties or [])
    return may_start


def _is_admin(actor: Account, definition, subject) -> bool:
    m = member(actor, subject.unit_id) if isinstance(subject, UnitSubject) else None
    return m is not None and m.is_admin


plugins.lane("sv_admin", ("inst_admin",), "医疗机构管理员", may_start=_is_admin)
plugins.lane("sv_inspector", ("inst_inspector",), "医疗机构自查人员", may_start=_has_duty("inspection"))
plugins.lane("sv_scorer", ("inst_scorer",), "医疗机构记分人员", may_start=_has_duty("scoring"))
plugins.lane("sv_bureau", ("bureau_clerk", "bureau_head"), "卫生健康行政部门",
             may_start=lambda actor, definition, subject: (
                 actor.kind == "administration" and isinstance(subject, UnitSubject)
                 and actor.administration_id == subject.issuing_authority_id))


def unit_of_case(case) -> SupervisedUnit:
    unit_id = (case.routing_data or {}).get("unit_id")
    unit = db.session.get(SupervisedUnit, unit_id) if isinstance(unit_id, int) else None
    if unit is None:
        raise ApiError(422, "该业务没有对应的注册医疗机构")
    return unit


@plugins.route("sv_bureau")
def division_administration(case) -> Target:
    """The administration of the signed-up institution's division (注册审核, thresholds)."""
    return Target("administration", unit_of_case(case).administration_id)


@plugins.route("sv_inspector")
@plugins.route("sv_scorer")
def starter(case) -> Target:
    """The account that started the case: the applicant, the inspector, the scorer."""
    return Target("account", case.started_by_id)


@plugins.route("sv_admin")
def unit_admin(case) -> Target:
    """The signed-up institution's administrator (rectifications are closed by her)."""
    admin = db.session.scalar(select(SupervisionMember.account_id).where(
        SupervisionMember.unit_id == unit_of_case(case).id, SupervisionMember.is_admin))
    return Target("account", admin)


def open_item(case_id: int | None, task: str):
    """The case's open work item of ``task`` (None when the case is not waiting there)."""
    if case_id is None:
        return None
    return db.session.scalars(select(WorkItem).where(
        WorkItem.case_id == case_id, WorkItem.task == task, WorkItem.status == "open")).first()


plugins.process_info("supervision_signup", help="医疗机构注册依法执业自查与不良执业记分：所在地区卫生健康"
                     "行政部门审核，通过后管理员用手机号登录；退回须说明原因，机构修改后重新提交。",
                     outcomes={"approved": "审核通过"})
plugins.process_info("self_inspection", help="工作信息员逐项填报执业自查（是 / 否 / 合理缺项），"
                     "确认上报后不可修改；“否”的项目由机构管理员跟踪整改到位。",
                     outcomes={"submitted": "已上报", "rectified": "已整改"})
plugins.process_info("demerit_report", help="记分人员按本省记分规则为医务人员录入不良执业记分。",
                     outcomes={"submitted": "已上报"})
plugins.process_info("demerit_threshold", help="医务人员 12 个月内累计记分达到阈值：卫生健康行政部门"
                     "决定处理措施（约谈、培训、暂停执业建议）并通知其执业机构。",
                     outcomes={"decided": "已决定"})
