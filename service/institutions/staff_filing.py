"""Filing of a cancelled institution's staff (I6, 注册备案): when an institution is cancelled,
each physician and nurse registered there becomes a task of the issuing authority — one
``staff_filing`` case per person, in the authority's inbox with a 30-day limit — recording
whether her registration moved to a new institution (that institution files the change
through the person's own change process) or was filed as ended there.

The administration holds the task: it registered the persons at the institution and is the
one office that knows the institution is gone; the persons' domains show who they are through
``face.staff_source`` (institutions never import them).
"""
from __future__ import annotations

from service.core.errors import ApiError
from service.engine import plugins, runtime
from service.engine.plugins import ActionContext, CheckContext, action, check
from service.institutions.cancellation_start import authority_clerk
from service.institutions.face import StaffMember, staff_of
from service.institutions.models import Institution

PROCESS = "staff_filing"
KIND_NAMES = {"physician": "医师", "nurse": "护士"}

plugins.process_info(
    PROCESS,
    help=("医疗机构注销后，对在该机构注册执业的医师、护士逐人办理注册备案：已到新机构执业的，"
          "记录新机构（由新机构为其办理变更注册）；未到新机构执业的，备案其在该机构的执业注册终止。"),
    outcomes={"moved": "已变更执业机构", "filed": "已备案"},
)


def raise_filing_tasks(inst: Institution, ctx: ActionContext, ground: str) -> list[StaffMember]:
    """One filing case per person registered at the institution cancelled on ``ground``, in
    the same transaction as the cancellation; returns the persons (listed for the authority)."""
    staff = staff_of(inst.id)
    clerk = authority_clerk(inst, ctx.actor) if staff else None
    if clerk is None:
        return staff
    for member in staff:
        case = runtime.start(clerk, PROCESS, {"institution_id": inst.id}, {
            "person_kind": member.kind, "person_name": member.name,
            "certificate_number": member.certificate_number,
            "ground": ground, "cancelled_by_case": ctx.case.id}, commit=False)
        case.title = (f"执业人员注册备案：{member.name}（{KIND_NAMES.get(member.kind, member.kind)}，"
                      f"证书编号 {member.certificate_number or '—'}）— {inst.name}")
    return staff


@check("staff_filing_start")
def staff_filing_start(ctx: CheckContext) -> dict[str, list[str]]:
    """Raised by a cancellation only: the institution must be cancelled, the person named."""
    if ctx.institution.status != "cancelled":
        return {"subject": ["仅医疗机构注销后为其执业人员办理注册备案"]}
    if not ctx.data.get("person_name"):
        return {"data.person_name": ["请指明办理注册备案的执业人员"]}
    return {}


@action("record_staff_filing")
def record_staff_filing(ctx: ActionContext) -> str:
    decision = ctx.data.get("decision")
    if decision not in ("moved", "filed"):
        raise ApiError(422, "请选择办理结果")
    return decision
