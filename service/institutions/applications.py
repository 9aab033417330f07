"""The institution's applications and their progress on one page (seed 001 (七), 医疗机构申请
信息查询): every business about the institution, newest first, its state in the words the
institution edition uses ("网上服务申请材料修正中，待提交", ...)."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access.policy import READ, require
from service.casework.common import outcome_name
from service.core.extensions import db
from service.core.params import to_int
from service.engine.models import Case, CaseEvent, WorkItem
from service.institutions.models import Institution
from service.institutions.pages import bp

PAGE_SIZE = 50
# the authority's steps, in the words of the online service
UNDER_REVIEW = {"material_review", "review", "acceptance", "supplement_documents"}
AT_COUNTER = {"counter_confirmation"}
FOR_DECISION = {"conclusion", "approval", "closure_review"}


def progress_words(case: Case, items: list[WorkItem], resubmitting: set[str], deferred: bool) -> str:
    """Where an application stands, as the institution reads it."""
    if case.status == "completed":
        return f"已办结：{outcome_name(case)}"
    if case.status != "open":
        return case.status_name
    mine = [i for i in items if i.organisation_kind == "institution"]
    if mine:
        if any(i.task in resubmitting for i in mine):
            return "网上服务申请材料修正中，待提交"
        if any(i.draft for i in mine):
            return "网上服务申请已保存，待提交"
        return "网上服务申请待提交"
    tasks = {i.task for i in items}
    if tasks & AT_COUNTER:
        return "网上服务材料审核通过，请打印网上服务通知书到窗口办理"
    if tasks & FOR_DECISION:
        return "审核通过，待审批"
    if tasks & UNDER_REVIEW:
        return "网上服务申请已提交，待审核"
    if items:
        return f"办理中：{'、'.join(i.title for i in items)}"
    if case.process_id == "institution_verification" and deferred:
        return "暂缓校验中，期满后重新申请校验"
    return "办理中，等待期限届满"


def rows(inst: Institution, before: int | None, limit: int = PAGE_SIZE) -> tuple[list[dict], int | None]:
    """One page of the institution's own businesses (not its persons'), newest first."""
    stmt = select(Case).where(Case.subject_institution_id == inst.id,
                              Case.subject_physician_id.is_(None), Case.subject_nurse_id.is_(None))
    if before is not None:
        stmt = stmt.where(Case.id < before)
    cases = list(db.session.scalars(stmt.order_by(Case.id.desc()).limit(limit + 1)))
    more, cases = len(cases) > limit, cases[:limit]
    ids = [c.id for c in cases]
    items: dict[int, list[WorkItem]] = {}
    for item in db.session.scalars(select(WorkItem).where(
            WorkItem.case_id.in_(ids), WorkItem.status == "open").order_by(WorkItem.id)):
        items.setdefault(item.case_id, []).append(item)
    done = {(c, t) for c, t in db.session.execute(select(CaseEvent.case_id, CaseEvent.task).where(
        CaseEvent.case_id.in_(ids), CaseEvent.type == "task_completed").distinct())}
    out = [{"case": c, "items": items.get(c.id, []),
            "progress": progress_words(c, items.get(c.id, []), {t for k, t in done if k == c.id},
                                       inst.status == "deferred")}
           for c in cases]
    return out, (cases[-1].id if more else None)


@bp.get("/mine/applications")
@login_required
def own_applications():
    if current_user.kind != "institution" or current_user.institution_id is None:
        abort(404)
    inst = require(current_user, Institution, current_user.institution_id, READ)
    raw = request.args.get("before")
    before = to_int(raw) if raw else None
    if raw and before is None:
        abort(400)
    page, next_before = rows(inst, before)
    return render_template("institutions/applications.html", inst=inst, rows=page,
                           next_before=next_before)
