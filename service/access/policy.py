"""The one authorization function: which records an actor may read or act on.

Every page and API endpoint asks :func:`scope` (for lists) or :func:`require` (for one record),
so a rule lives in exactly one place. A record outside the actor's read scope is "not found"
(404), never "forbidden": its existence is not revealed. A record the actor may read but not
act on is forbidden (403).

The rules of accounts and administrations live here; each domain package registers the rules
of its own records with :func:`rule` (an institution's, a physician's, a case's), and may add
to another's (the institutions a physician reads are those she is registered at). A model's
rules are OR-ed: each answers ``false()`` for what it does not grant.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from werkzeug.exceptions import Forbidden, NotFound

from service.access.models import ADMINISTRATION_ROLES, Account
from service.core.extensions import db
from service.registry.reference import Administration

READ, CHANGE, MANAGE = "read", "change", "manage"

Rule = Callable[[Account, str], ColumnElement[bool]]
_RULES: dict[type, list[Rule]] = {}
_NAMED: dict[str, type] = {}


def rule(model: type, name: str | None = None) -> Callable[[Rule], Rule]:
    """Register an access rule for ``model`` (and, with ``name``, make the model known by it)."""
    def register(fn: Rule) -> Rule:
        rules = _RULES.setdefault(model, [])
        if fn not in rules:
            rules.append(fn)
        if name:
            _NAMED[name] = model
        return fn
    return register


def model_named(name: str) -> type | None:
    """The model a domain registered under ``name`` (``institution``, ``case``), if any."""
    return _NAMED.get(name)


def division_level(code: str) -> str:
    """GB/T 2260: 2 province + 2 prefecture + 2 county digits; trailing zeros mark the level."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def in_division(code: str, province_col, city_col, county_col) -> ColumnElement[bool]:
    """Rows whose denormalised division columns lie in the subtree of ``code``."""
    level = division_level(code)
    if level == "province":
        return province_col == code
    if level == "city":
        return city_col == code
    return county_col == code


def platform_wide(actor: Account) -> bool:
    """Platform administrators and auditors, who read across organisations."""
    return actor.kind == "staff" and actor.has_role("sysadmin", "auditor")


def actor_division(actor: Account) -> str | None:
    """The division an administration (or a platform account limited to one) watches."""
    if actor.kind == "administration" and actor.administration is not None:
        return actor.administration.division_code
    return actor.division_code


def reads_everything(actor: Account) -> bool:
    """A platform account not limited to a division."""
    return platform_wide(actor) and actor_division(actor) is None


def acts_for_administration(actor: Account) -> bool:
    """An administration account holding one of the administration's working roles."""
    return actor.kind == "administration" and actor.has_role(*ADMINISTRATION_ROLES)


@rule(Administration)
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


@rule(Account)
def _account_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action == READ and actor.kind != "staff":
        return or_(Account.id == actor.id, _account_rule(actor, MANAGE))
    if actor.kind == "staff" and actor.has_role("sysadmin"):
        return true()
    if actor.kind == "administration" and actor.has_role("bureau_accounts"):
        managed = [Account.administration_id.in_(
            select(Administration.id).where(_administration_rule(actor, MANAGE)))]
        institution = model_named("institution")
        if institution is not None:  # and the institutions it issued
            managed.append(Account.institution_id.in_(
                select(institution.id).where(scope(actor, MANAGE, institution))))
        return or_(*managed)
    return Account.id == actor.id if action == READ else false()


def scope(actor: Account, action: str, model: type) -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``model`` that ``actor`` may ``action``."""
    if actor is None or not actor.is_enabled:
        return false()
    rules = _RULES.get(model)
    if not rules:
        raise LookupError(f"no access rule for {model.__name__}")
    if len(rules) == 1:
        return rules[0](actor, action)
    return or_(*(r(actor, action) for r in rules))


def can(actor: Account, action: str, obj: Any) -> bool:
    """Whether ``actor`` may ``action`` the loaded record ``obj``."""
    model = type(obj)
    return bool(db.session.scalar(
        select(exists().where(model.id == obj.id, scope(actor, action, model)))
    ))


def readable(actor: Account, name: str, record_id: int) -> bool:
    """Whether the actor may read the record of the model registered as ``name``."""
    model = model_named(name)
    if model is None:
        return False
    return bool(db.session.scalar(
        select(exists().where(model.id == record_id, scope(actor, READ, model)))
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
