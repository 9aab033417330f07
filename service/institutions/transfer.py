"""Transfer (I9, 机构移交): the issuing authority proposes, its approver agrees, the receiving
administration accepts or declines; on acceptance the receiver issues and acts on the
institution, and the record moves to the new division, out of the old authority's sight."""
from __future__ import annotations

from sqlalchemy import select

from service.access.targets import Target
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import plugins
from service.engine.plugins import ActionContext, CheckContext, action, check
from service.institutions import licences
from service.institutions.lifecycle_rules import county
from service.institutions.models import Institution
from service.institutions.registration_rules import last_application
from service.registry.reference import Administration


def receiver_of(form: dict) -> Administration | None:
    code = form.get("to_division_code")
    return db.session.scalar(select(Administration).where(Administration.division_code == code)) \
        if code else None


def _within(admin: Administration, code: str) -> bool:
    if admin.level == "province":
        return code[:2] == admin.division_code[:2]
    if admin.level == "city":
        return code[:4] == admin.division_code[:4]
    return code == admin.division_code


def proposal_problems(inst: Institution, form: dict) -> dict[str, list[str]]:
    receiver = receiver_of(form)
    if receiver is None:
        return {"to_division_code": ["该行政区划没有卫生健康行政部门"]}
    if receiver.id == inst.issuing_authority_id:
        return {"to_division_code": ["接收机关不能是本机关"]}
    new = form.get("new_division_code") or inst.division_code
    if form.get("new_division_code") and county(new) is None:
        return {"new_division_code": ["请填写县（区）级行政区划代码"]}
    if not _within(receiver, new):
        return {"new_division_code": ["机构所在行政区划须在接收机关辖区内，请填写移交后所在行政区划"]}
    return {}


@check("transfer_proposal")
def transfer_proposal(ctx: CheckContext) -> dict[str, list[str]]:
    return proposal_problems(ctx.institution, ctx.data)


@plugins.route("receiver")
def receiving_authority(case) -> Target:
    receiver = receiver_of(case.routing_data)
    if receiver is None:
        raise ApiError(422, "该行政区划没有卫生健康行政部门")
    return Target("administration", receiver.id)


plugins.lane("receiver", ("bureau_clerk", "bureau_head"), "接收机关")


@action("transfer_institution")
def transfer_institution(ctx: ActionContext) -> str:
    """Acceptance: the receiver becomes the issuing authority; the record may move division."""
    inst = db.session.get(Institution, ctx.case.subject_institution_id, with_for_update=True)
    form = last_application(ctx.case, "propose")
    problems = proposal_problems(inst, form)
    if problems:
        raise ApiError(422, "；".join(m for ms in problems.values() for m in ms), fields=problems)
    inst.issuing_authority_id = receiver_of(form).id
    if form.get("new_division_code"):
        inst.set_division(county(form["new_division_code"]))
    # the issuer is printed: the receiver reissues the licence, the old code becomes void
    licences.issue(inst, at=ctx.at, case_id=ctx.case.id, reason="机构移交",
                   valid_from=inst.licence_valid_from, valid_to=inst.licence_valid_to)
    return "accepted"
