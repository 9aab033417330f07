"""Checks of a registration application (I2), answered at once with Chinese reasons: the
identifiers (python-stdnum), the code tables and the subject catalogue, the division."""
from __future__ import annotations

from sqlalchemy import select

from service.core.extensions import db
from service.engine.events import events_of
from service.engine.plugins import CheckContext, check
from service.institutions.models import Institution
from service.institutions.routes import NEW_INSTITUTION_PROCESSES
from service.registry import codes
from service.registry.validation import (
    normalise_id,
    normalise_uscc,
    resident_id_problem,
    uscc_problem,
)

CODE_TABLES = (("category_code", "institution_category"), ("economic_type_code", "economic_type"),
               ("management_class", "management_class"), ("level_code", "level"))


def application_problems(data: dict, *, division_code: str | None) -> dict[str, list[str]]:
    """Why a registration application cannot be registered as entered (empty when it can)."""
    errors: dict[str, list[str]] = {}
    code = normalise_uscc(data.get("uscc") or "")
    problem = uscc_problem(code)
    if problem:
        errors["uscc"] = [problem]
    elif db.session.scalar(select(Institution.id).where(Institution.uscc == code)):
        errors["uscc"] = ["该统一社会信用代码已登记为医疗机构"]
    for key in ("legal_representative_id_number", "principal_id_number"):
        if key == "legal_representative_id_number" or data.get(key):
            problem = resident_id_problem(normalise_id(data.get(key) or ""))
            if problem:
                errors[key] = [problem]
    for key, table in CODE_TABLES:
        if data.get(key) and not codes.valid(data[key], table):
            errors[key] = ["代码不在代码表中"]
    bad = [s for s in data.get("subjects") or [] if not codes.valid(str(s), "subject")]
    if bad:
        errors["subjects"] = [f"诊疗科目 {'、'.join(map(str, bad))} 不在诊疗科目名录中"]
    if division_code and data.get("name") and db.session.scalar(select(Institution.id).where(
            Institution.division_code == division_code, Institution.name == data["name"].strip(),
            Institution.status != "cancelled")):
        errors["name"] = ["本行政区划内已有同名医疗机构"]
    return errors


def last_application(case, task: str = "enter_application") -> dict:
    """The application as last submitted (the full form is kept in the step's event)."""
    for event in reversed(events_of(case.id)):
        if event.type == "task_completed" and event.task == task:
            return event.data.get("form") or {}
    return {}


@check("new_institution_start")
def new_institution_start(ctx: CheckContext) -> dict[str, list[str]]:
    """A new institution's business starts where it will be, not on an existing record."""
    if ctx.institution is not None and ctx.institution.id is not None \
            and ctx.process_id in NEW_INSTITUTION_PROCESSES:
        return {"subject": ["该医疗机构已登记，请办理变更、校验等业务"]}
    return {}


@check("registration_application")
def registration_application(ctx: CheckContext) -> dict[str, list[str]]:
    return application_problems(ctx.data, division_code=ctx.case.division_code)


@check("acceptance_once")
def acceptance_once(ctx: CheckContext) -> dict[str, list[str]]:
    """Missing documents are listed once (Licensing Law art. 32): no second notice."""
    if ctx.data.get("decision") != "missing":
        return {}
    if any(e.type == "task_completed" and e.task == "supplement_documents"
           for e in events_of(ctx.case.id)):
        return {"decision": ["补正材料已一次性告知，补正后应作出受理或不予受理的决定"]}
    return {}


@check("registration_review")
def registration_review(ctx: CheckContext) -> dict[str, list[str]]:
    """A reviewer who passes an application sees it re-checked against today's registry."""
    if ctx.data.get("decision") != "approve":
        return {}
    return application_problems(last_application(ctx.case), division_code=ctx.case.division_code)


@check("registration_approval")
def registration_approval(ctx: CheckContext) -> dict[str, list[str]]:
    if ctx.data.get("decision") != "approve":
        return {}
    return application_problems(last_application(ctx.case), division_code=ctx.case.division_code)
