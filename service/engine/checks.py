"""What is checked before a step runs: the business rules a process names, and the documents a
submission references.

A rule the registry or the law sets (one main institution per practice location, no filing
before a registration, ...) is answered where it can be answered at once: before the case
starts (start event property ``check``) and before a submission is applied (user task property
``check``). A refusal answers 422 with the Chinese reasons and changes nothing, so nobody waits
weeks for a refusal the system could have given on the spot.
"""
from __future__ import annotations

from sqlalchemy import select

from service.access.models import Account
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import definitions, forms
from service.engine.models import Case, CaseEvent, ProcessDefinition, WorkItem
from service.engine.plugins import CheckContext, PersonSubject, get_check


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        reasons = list(dict.fromkeys(m for messages in errors.values() for m in messages))
        raise ApiError(422, "；".join(reasons), fields=errors)


def before_start(actor: Account, definition: ProcessDefinition, institution,
                 applicant: PersonSubject | None, data: dict) -> None:
    """Run the start event's check; 422 with its reasons when the case may not start."""
    name = definitions.parsed(definition).start_properties.get("check")
    if not name:
        return
    person = applicant.record if applicant is not None else None
    _refuse(get_check(name)(CheckContext(
        definition.process_id, "start", actor, institution, person, None, dict(data))))


def before_submission(actor: Account, item: WorkItem, data: dict) -> None:
    """Run the task's check on a form that passed its schema; 422 with the reasons otherwise."""
    info = item.case.deployed.parsed.user_tasks.get(item.task)
    name = info.properties.get("check") if info else None
    if not name:
        return
    case = item.case
    _refuse(get_check(name)(CheckContext(
        case.process_id, item.task, actor, case.subject_institution, case.subject_person,
        case, data)))


def four_eyes_conflict(actor: Account, item: WorkItem) -> bool:
    """Whether the actor completed one of the tasks the item's ``four_eyes`` property names
    (the same person never reviews and approves one case)."""
    info = item.case.deployed.parsed.user_tasks.get(item.task)
    names = info.properties.get("four_eyes", "").split() if info else []
    if not names:
        return False
    return db.session.scalar(select(CaseEvent.id).where(
        CaseEvent.case_id == item.case_id, CaseEvent.type == "task_completed",
        CaseEvent.task.in_(names), CaseEvent.actor_id == actor.id).limit(1)) is not None


def is_applicant(actor: Account, case: Case) -> bool:
    """Who may withdraw: the starter, or a colleague at the institution that applied; never the
    institution a person's own application is addressed to (it decides by agreeing or not)."""
    return actor.id == case.started_by_id or (
        actor.kind == "institution" and actor.institution_id is not None
        and actor.institution_id == case.subject_institution_id
        and case.started_by.kind == "institution")


def documents(actor: Account, schema: dict, data: dict) -> dict[str, list[str]]:
    """Document fields naming uploads that do not exist or that the actor may not use."""
    from service.documents.models import Document
    from service.documents.service import can_read

    errors: dict[str, list[str]] = {}
    for name in forms.document_fields(schema):
        for doc_id in data.get(name) or []:
            doc = db.session.get(Document, doc_id) if isinstance(doc_id, int) else None
            if doc is None or not can_read(actor, doc):
                errors.setdefault(name, []).append(f"附件 {doc_id} 不存在或无权使用")
    return errors
