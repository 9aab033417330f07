"""Who reads a case (``api.md``: its starter, every organisation that holds or held a task in it,
the administrations whose division contains the subject, auditors), plus what domain packages
add through the plug-in table (a person reads the cases about her)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, true

from service.access import policy
from service.access.models import Account
from service.engine import plugins
from service.engine.models import Case, WorkItem


@policy.rule(Case, name="case")
def case_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action != policy.READ:
        return false()
    if policy.reads_everything(actor):
        return true()
    rules = [Case.started_by_id == actor.id]
    code = policy.actor_division(actor)
    if code is not None and (actor.kind == "administration" or policy.platform_wide(actor)):
        rules.append(policy.in_division(code, Case.province_code, Case.city_code, Case.division_code))
    org_kind, org_id = actor.inbox_key
    if org_id is not None:
        rules.append(exists().where(
            WorkItem.case_id == Case.id, WorkItem.organisation_kind == org_kind,
            WorkItem.organisation_id == org_id,
        ))
    rules.append(exists().where(WorkItem.case_id == Case.id, WorkItem.organisation_kind == "account",
                                WorkItem.organisation_id == actor.id))
    if actor.kind == "institution":
        rules.append(Case.subject_institution_id == actor.institution_id)
    rules.extend(c for c in (reader(actor) for reader in plugins.case_readers()) if c is not None)
    return or_(*rules)


def may_print(actor: Account, case: Case) -> bool:
    """Who prints a case's papers (the online service notice, an application form): the subject
    institution, and the administrations (the case is already known readable)."""
    if actor.kind == "institution":
        return actor.institution_id is not None and actor.institution_id == case.subject_institution_id
    return actor.kind == "administration"
