"""The saved application printed (已保存校验申请书, seed 001 Q4): the verification application
with its staff roster, for the legal representative to sign, stamp and upload."""
from __future__ import annotations

from flask import Response, abort, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.casework import common as casework
from service.casework.cases import bp
from service.core.extensions import db
from service.core.times import utcnow
from service.engine import events, plugins
from service.engine.models import Case, CaseEvent, WorkItem
from service.engine.visibility import may_print
from service.institutions.verification import verification_application
from service.institutions.verification_rules import PROCESS
from service.printing import render_pdf
from service.registry import codes

KINDS = {"physician": "医师", "nurse": "护士", "other": "其他卫生技术人员"}
HINT = "打印后由法定代表人或主要负责人签字、加盖公章，扫描成一个 PDF 文件后在“医疗机构校验申请书”处上传。"


def saved_application(case: Case, history: list[CaseEvent]) -> dict:
    """The open form's saved draft, else the latest submission, else the pre-filled form."""
    tasks = casework.same_form_tasks(case, "submit_application")
    item = db.session.scalar(select(WorkItem).where(
        WorkItem.case_id == case.id, WorkItem.status == "open", WorkItem.task.in_(tasks)))
    if item is not None and item.draft:
        return item.draft
    submitted = casework.latest_submission(history, tasks)
    if submitted is not None and submitted.data.get("form"):
        return submitted.data["form"]
    return verification_application(case, None)


@plugins.printout
def application_printouts(actor, case: Case, history: list[CaseEvent]) -> list[plugins.Printout]:
    if case.process_id != PROCESS or not may_print(actor, case):
        return []
    return [plugins.Printout(
        "打印校验申请书", url_for("cases.verification_application_pdf", case_id=case.id),
        f"校验申请书-{case.id}.pdf", HINT if actor.kind == "institution" else None)]


@bp.get("/<int:case_id>/prints/verification-application.pdf")
@login_required
def verification_application_pdf(case_id: int):
    case = casework.readable_case(current_user, case_id)
    if case.process_id != PROCESS or not may_print(current_user, case):
        abort(404)
    inst = case.subject_institution
    form = saved_application(case, events.events_of(case.id))
    pdf = render_pdf(
        "verification_application.html", inst=inst, form=form, business_number=case.number, kinds=KINDS,
        category=codes.name(inst.category_code, "institution_category"),
        subjects="、".join(codes.name(c, "subject") for c in inst.subject_codes),
        printed_at=utcnow())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="application-{case.id}.pdf"'
    response.cache_control.private = True
    return response
