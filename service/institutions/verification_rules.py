"""Who may start annual verification (I4): an institution in practice (not suspended or
cancelled), one open case per institution, no filed clinics."""
from __future__ import annotations

from sqlalchemy import select

from service.core.errors import ApiError
from service.core.extensions import db
from service.engine.models import Case
from service.engine.plugins import CheckContext, check
from service.institutions.lifecycle_rules import institution_in_practice
from service.institutions.models import Institution

PROCESS = "institution_verification"


def open_verification(institution_id: int) -> int | None:
    """The id of the institution's open verification case, if any."""
    return db.session.scalar(select(Case.id).where(
        Case.process_id == PROCESS, Case.status == "open",
        Case.subject_institution_id == institution_id).order_by(Case.id).limit(1))


@check(PROCESS)
def verification_start(ctx: CheckContext) -> dict[str, list[str]]:
    """409 when the case may not start at all; the institution row is locked so that two
    concurrent starts cannot both find no open case."""
    if ctx.stage != "start":
        return {}
    refused = institution_in_practice(ctx)
    if refused:
        return refused
    inst = db.session.get(Institution, ctx.institution.id, with_for_update=True)
    if inst.is_filed_clinic:
        raise ApiError(409, "备案诊所不参加年度校验（取得《诊所备案凭证》的诊所无需申请校验）",
                       code="filed_clinic")
    running = open_verification(inst.id)
    if running is not None:
        raise ApiError(409, f"本机构已有一件校验申请正在办理（业务编号 {db.session.get(Case, running).number}），请勿重复申请",
                       code="verification_open")
    return {}
