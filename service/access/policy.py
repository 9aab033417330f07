"""The one authorization function: which records an actor may read or act on.

Every page and API endpoint asks :func:`scope` (for lists) or :func:`require` (for one record),
so a rule lives in exactly one place. A record outside the actor's read scope is "not found"
(404), never "forbidden": its existence is not revealed. A record the actor may read but not
act on is forbidden (403).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from werkzeug.exceptions import Forbidden, NotFound

from ..extensions import db
from ..registry.institutions import Institution
from ..registry.persons import Nurse, Physician, PracticeRegistration
from ..registry.reference import Administration
from .models import ADMINISTRATION_ROLES, Account

READ, CHANGE, MANAGE = "read", "change", "manage"


def division_level(code: str) -> str:
    """GB/T 2260: 2 province + 2 prefecture + 2 county digits; trailing zeros mark the level."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _in_division(code: str, province_col, city_col, county_col) -> ColumnElement[bool]:
    level = division_level(code)
    if level == "province":
        return province_col == code
    if level == "city":
        return city_col == code
    return county_col == code


def _platform_wide(actor: Account) -> bool:
    return actor.kind == "staff" and actor.has_role("sysadmin", "auditor")


def _actor_division(actor: Account) -> str | None:
    if actor.kind == "administration" and actor.administration is not None:
        return actor.administration.division_code
    return actor.division_code


def _institution_in_reach(actor: Account) -> ColumnElement[bool]:
    """Institutions whose division lies in the actor's division subtree (or everything)."""
    code = _actor_division(actor)
    if code is None:
        return true() if _platform_wide(actor) else false()
    return _in_division(
        code, Institution.province_code, Institution.city_code, Institution.division_code
    )


def _institution_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action == READ:
        if _platform_wide(actor) or actor.kind == "administration":
            return _institution_in_reach(actor)
        if actor.kind == "institution":
            return Institution.id == actor.institution_id
        if actor.kind == "physician" and actor.physician_id:
            return Institution.id.in_(
                select(PracticeRegistration.institution_id).where(
                    PracticeRegistration.physician_id == actor.physician_id
                )
            )
        if actor.kind == "nurse" and actor.nurse_id:
            return Institution.id.in_(
                select(Nurse.institution_id).where(Nurse.id == actor.nurse_id)
            )
        return false()
    if action in (CHANGE, MANAGE):
        # Only the issuing authority acts on an institution; upper levels only watch.
        if actor.kind == "administration" and actor.has_role(*ADMINISTRATION_ROLES):
            return Institution.issuing_authority_id == actor.administration_id
        if action == CHANGE and actor.kind == "institution" and actor.has_role("inst_admin"):
            return Institution.id == actor.institution_id
        return false()
    return false()


def _registration_visible(actor: Account) -> ColumnElement[bool]:
    """Registrations at institutions the actor reads, or located in its division."""
    reach = select(Institution.id).where(_institution_rule(actor, READ))
    return PracticeRegistration.institution_id.in_(reach)


def _physician_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action != READ:
        return false()
    if actor.kind == "physician":
        return Physician.id == actor.physician_id
    if _platform_wide(actor) and _actor_division(actor) is None:
        return true()
    if actor.kind in ("administration", "institution", "staff"):
        return exists().where(
            PracticeRegistration.physician_id == Physician.id, _registration_visible(actor)
        )
    return false()


def _nurse_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action != READ:
        return false()
    if actor.kind == "nurse":
        return Nurse.id == actor.nurse_id
    if _platform_wide(actor) and _actor_division(actor) is None:
        return true()
    if actor.kind in ("administration", "institution", "staff"):
        return Nurse.institution_id.in_(select(Institution.id).where(_institution_rule(actor, READ)))
    return false()


def _administration_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action == READ:
        return true()  # the list of health administrations is public information
    if action == MANAGE:
        # The province issues accounts to the city and county administrations below it.
        if actor.kind == "staff" and actor.has_role("sysadmin"):
            return true()
        admin = actor.administration
        if actor.kind == "administration" and admin and actor.has_role("bureau_accounts"):
            below = and_(
                Administration.division_code.like(admin.division_code[:2] + "%"),
                Administration.level != "province",
            )
            return or_(Administration.id == admin.id, below) if admin.level == "province" else (
                Administration.id == admin.id
            )
    return false()


def _account_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action == READ and actor.kind != "staff":
        return or_(Account.id == actor.id, _account_rule(actor, MANAGE))
    if actor.kind == "staff" and actor.has_role("sysadmin"):
        return true()
    if actor.kind == "administration" and actor.has_role("bureau_accounts"):
        managed_admins = select(Administration.id).where(_administration_rule(actor, MANAGE))
        issued = select(Institution.id).where(_institution_rule(actor, MANAGE))
        return or_(
            Account.administration_id.in_(managed_admins), Account.institution_id.in_(issued)
        )
    return Account.id == actor.id if action == READ else false()


def _case_rule(actor: Account, action: str) -> ColumnElement[bool]:
    from ..engine.models import Case, WorkItem

    if action != READ:
        return false()
    if _platform_wide(actor) and _actor_division(actor) is None:
        return true()
    rules = [Case.started_by_id == actor.id]
    code = _actor_division(actor)
    if code is not None and (actor.kind == "administration" or _platform_wide(actor)):
        rules.append(_in_division(code, Case.province_code, Case.city_code, Case.division_code))
    org_kind, org_id = actor.inbox_key
    if org_id is not None:
        rules.append(exists().where(
            WorkItem.case_id == Case.id, WorkItem.organisation_kind == org_kind,
            WorkItem.organisation_id == org_id,
        ))
    if actor.kind == "institution":
        rules.append(Case.subject_institution_id == actor.institution_id)
    if actor.kind == "physician" and actor.physician_id:
        rules.append(Case.subject_physician_id == actor.physician_id)
    return or_(*rules)


def case_readable(actor: Account, case_id: int) -> bool:
    """Whether the actor may read the case (used by documents attached to it)."""
    from ..engine.models import Case

    return bool(db.session.scalar(
        select(exists().where(Case.id == case_id, scope(actor, READ, Case)))
    ))


RULES = {
    Institution: _institution_rule,
    Physician: _physician_rule,
    Nurse: _nurse_rule,
    Administration: _administration_rule,
    Account: _account_rule,
}


def may_print(actor: Account, case) -> bool:
    """Who prints a case's papers (the online service notice, a physician's application form):
    the subject institution, and the administrations (the case is already known readable)."""
    if actor.kind == "institution":
        return actor.institution_id is not None and actor.institution_id == case.subject_institution_id
    return actor.kind == "administration"


def scope(actor: Account, action: str, model: type) -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``model`` that ``actor`` may ``action``."""
    if actor is None or not actor.is_enabled:
        return false()
    rule = RULES.get(model)
    if rule is None and model.__name__ == "Case":
        rule = _case_rule
    if rule is None:
        raise LookupError(f"no access rule for {model.__name__}")
    return rule(actor, action)


def can(actor: Account, action: str, obj: Any) -> bool:
    """Whether ``actor`` may ``action`` the loaded record ``obj``."""
    model = type(obj)
    return bool(db.session.scalar(
        select(exists().where(model.id == obj.id, scope(actor, action, model)))
    ))


def require(actor: Account, model: type, record_id: Any, action: str = READ) -> Any:
    """Load one record for ``action``: 404 if the actor cannot read it, 403 if it may only read."""
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < record_id < 2**31:
        raise NotFound()
    obj = db.session.scalars(
        select(model).where(model.id == record_id, scope(actor, READ, model))
    ).first()
    if obj is None:
        raise NotFound()
    if action != READ and not can(actor, action, obj):
        raise Forbidden()
    return obj
