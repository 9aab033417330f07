"""Print-outs of annual verification (I4): the online service notice (网上审核指导服务完成通知单, seed 001)
after material approval, which the institution stamps and brings to the counter with its
licence."""
from __future__ import annotations

from flask import Response, abort, url_for
from flask_login import current_user, login_required

from service.casework import common as casework
from service.casework.cases import bp
from service.core.times import utcnow
from service.engine import events, plugins
from service.engine.models import Case, CaseEvent
from service.engine.visibility import may_print
from service.printing import render_pdf

NOTICE_HINT = ("材料审核已通过。请打印网上审核指导服务完成通知单并加盖本单位公章，携带《医疗机构执业许可证》"
               "副本原件到窗口办理登记盖章手续。")


def notice_approval(case: Case, history: list[CaseEvent]) -> CaseEvent | None:
    """The material approval that makes the online service notice printable (seed 001)."""
    if case.process_id != "institution_verification":
        return None
    for event in reversed(history):
        if (event.type == "task_completed" and event.task == "material_review"
                and (event.data.get("task_data") or {}).get("decision") == "approve"):
            return event
    return None


@plugins.printout
def verification_printouts(actor, case: Case, history: list[CaseEvent]) -> list[plugins.Printout]:
    if notice_approval(case, history) is None or not may_print(actor, case):
        return []
    return [plugins.Printout(
        "打印网上审核指导服务完成通知单", url_for("cases.notice", case_id=case.id),
        f"网上审核指导服务完成通知单-{case.number}.pdf", NOTICE_HINT if actor.kind == "institution" else None)]


def _renewal(case, history, approval) -> bool:
    """Whether the application approved asked for the licence's renewal (延续) as well."""
    tasks = casework.same_form_tasks(case, "submit_application")
    submitted = casework.latest_submission(history, tasks, before_seq=approval.seq)
    return bool(submitted and (submitted.data.get("form") or {}).get("renewal"))


@bp.get("/<int:case_id>/prints/notice.pdf")
@login_required
def notice(case_id: int):
    case = casework.readable_case(current_user, case_id)
    history = events.events_of(case.id)
    approval = notice_approval(case, history)
    if approval is None or not may_print(current_user, case):
        abort(404)  # not printable before the materials are approved
    institution = case.subject_institution
    authority = institution.issuing_authority
    pdf = render_pdf(
        "verification_notice.html", institution=institution, authority=authority,
        business_number=case.number, approved_at=approval.at,
        renewal=_renewal(case, history, approval), printed_at=utcnow(),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="notice-{case.id}.pdf"'
    response.cache_control.private = True
    return response
