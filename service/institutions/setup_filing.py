"""Setup approval (I1, 设置审批): the decision letter or the refusal with reasons; and clinic
filing (诊所备案): the record at once, with its filing certificate (filed clinics are exempt
from annual verification)."""
from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.casework import common as casework
from service.casework.cases import bp
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.times import utcnow
from service.engine import events, plugins
from service.engine.models import Case
from service.engine.plugins import ActionContext, CheckContext, action, check, prefill
from service.engine.visibility import may_print
from service.institutions.licence_prints import db_authority, pdf_response
from service.institutions.registration import build_institution, open_institution_account
from service.institutions.registration_rules import (
    CODE_TABLES,
    application_problems,
    last_application,
)
from service.printing import render_pdf
from service.registry import codes
from service.registry.reference import Administration, Division
from service.registry.validation import (
    normalise_id,
    normalise_uscc,
    resident_id_problem,
    uscc_problem,
)


def setup_problems(form: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    problem = resident_id_problem(normalise_id(form.get("legal_representative_id_number") or ""))
    if problem:
        errors["legal_representative_id_number"] = [problem]
    if form.get("applicant_uscc"):
        problem = uscc_problem(normalise_uscc(form["applicant_uscc"]))
        if problem:
            errors["applicant_uscc"] = [problem]
    for key, table in CODE_TABLES:
        if form.get(key) and not codes.valid(form[key], table):
            errors[key] = ["代码不在代码表中"]
    return errors


@check("setup_application")
def setup_application(ctx: CheckContext) -> dict[str, list[str]]:
    return setup_problems(ctx.data)


@check("setup_review")
def setup_review(ctx: CheckContext) -> dict[str, list[str]]:
    if ctx.data.get("decision") != "approve":
        return {}
    return setup_problems(last_application(ctx.case))


@prefill("setup_application")
def setup_prefill(case, last: dict | None) -> dict:
    return last or {"beds": 0, "dental_chairs": 0, "subjects": []}


@action("approve_setup")
def approve_setup(ctx: ActionContext) -> str:
    """Approval: the decision letter (设置医疗机构批准书) becomes printable."""
    return "approved"


@check("clinic_filing_application")
def clinic_filing_application(ctx: CheckContext) -> dict[str, list[str]]:
    errors = application_problems(ctx.data, division_code=ctx.case.division_code)
    if ctx.data.get("category_code") and not str(ctx.data["category_code"]).startswith("D2"):
        errors.setdefault("category_code", []).append("备案仅适用于诊所")
    return errors


@check("clinic_filing_confirmation")
def clinic_filing_confirmation(ctx: CheckContext) -> dict[str, list[str]]:
    """An online filing is confirmed only while its items still hold (the registry may have
    changed since the applicant submitted)."""
    if ctx.data.get("decision") != "approve":
        return {}
    return clinic_filing_application(CheckContext(
        ctx.process_id, ctx.stage, ctx.actor, ctx.institution, ctx.person, ctx.case,
        last_application(ctx.case, "enter_filing")))


@action("file_clinic")
def file_clinic(ctx: ActionContext) -> str:
    """Filing: the clinic's record at once, exempt from verification, with its account."""
    case = ctx.case
    form = ctx.data  # filing is one step: its form's items are task data (x-task-data)
    problems = application_problems(form, division_code=case.division_code)
    if problems:
        raise ApiError(422, "；".join(m for ms in problems.values() for m in ms), fields=problems)
    authority = db.session.scalar(select(Administration).where(
        Administration.division_code == case.division_code))
    inst = build_institution(form, db.session.get(Division, case.division_code), authority)
    inst.is_filed_clinic, inst.verification_due = True, None
    db.session.add(inst)
    db.session.flush()
    case.subject_institution_id, case.title = inst.id, f"诊所备案：{inst.name}"
    open_institution_account(ctx.actor, case, inst, form["contact_phone"])
    return "approved"


@plugins.printout
def setup_printouts(actor, case: Case, history: list) -> list[plugins.Printout]:
    if not may_print(actor, case) or case.status != "completed":
        return []
    if case.process_id == "institution_setup" and case.outcome in ("approved", "refused"):
        label = "打印设置医疗机构批准书" if case.outcome == "approved" else "打印不予设置决定书"
        return [plugins.Printout(label, url_for("cases.setup_letter", case_id=case.id))]
    if case.process_id == "clinic_filing" and case.outcome == "approved":
        return [plugins.Printout("打印诊所备案凭证", url_for("cases.filing_certificate", case_id=case.id))]
    return []


def _completed(case_id: int, process_id: str) -> Case:
    case = casework.readable_case(current_user, case_id)
    if case.process_id != process_id or case.status != "completed" or not may_print(current_user, case):
        abort(404)
    return case


@bp.get("/<int:case_id>/prints/setup-letter.pdf")
@login_required
def setup_letter(case_id: int):
    case = _completed(case_id, "institution_setup")
    history = events.events_of(case.id)
    decision = next((e for e in reversed(history) if e.task == "approval"), None)
    pdf = render_pdf("setup_letter.html", case=case, application=last_application(case),
                     approved=case.outcome == "approved", decided_at=decision.at if decision else case.completed_at,
                     comment=((decision.data.get("form") or {}).get("comment") if decision else None),
                     authority_name=(db_authority(case.division_code) or Administration(name="")).name,
                     printed_at=utcnow())
    return pdf_response(pdf, f"setup-{case.id}.pdf")


@bp.get("/<int:case_id>/prints/filing-certificate.pdf")
@login_required
def filing_certificate(case_id: int):
    case = _completed(case_id, "clinic_filing")
    inst = case.subject_institution
    pdf = render_pdf("filing_certificate.html", institution=inst, case=case,
                     category_name=codes.name(inst.category_code, "institution_category"),
                     subjects=[codes.name(c, "subject") for c in inst.subject_codes],
                     authority_name=inst.issuing_authority.name, filed_at=case.completed_at,
                     printed_at=utcnow())
    return pdf_response(pdf, f"filing-{case.id}.pdf")
