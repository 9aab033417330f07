"""Print-outs of a case: the online service notice (网上服务通知书, seed 001) after material
approval, which the institution stamps and brings to the counter with its licence."""
from __future__ import annotations

from flask import Response, abort, current_app
from flask_login import current_user, login_required

from ..access.policy import may_print
from ..engine import events
from ..printing import render_pdf
from ..registry.versioning import utcnow
from . import case_page, casework
from .cases import bp


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
    approval = case_page.notice_approval(case, history)
    if approval is None or not may_print(current_user, case):
        abort(404)  # not printable before the materials are approved
    institution = case.subject_institution
    pdf = render_pdf(
        "verification_notice.html", institution=institution,
        authority_name=institution.issuing_authority.name, case_id=case.id,
        approved_at=approval.at, renewal=_renewal(case, history, approval),
        counter_address=current_app.config.get("COUNTER_ADDRESS", "本机关政务服务大厅卫生健康窗口"),
        office_hours=current_app.config.get("OFFICE_HOURS", "工作日 09:00-12:00，13:30-17:00"),
        printed_at=utcnow(),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="notice-{case.id}.pdf"'
    response.cache_control.private = True
    return response
