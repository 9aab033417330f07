"""Who reads a signed-up institution: the administrations over its division (in their subtree),
its own members, platform accounts; who reviews it: the administration of its division."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from service.access import policy
from service.access.models import Account
from service.supervision.models import SupervisedUnit, SupervisionMember

# An institution account of the registry may administer its institution's sign-up too.
MEMBER_KINDS = ("supervision", "institution")


def member_of(actor: Account) -> SupervisionMember | None:
    """The supervision membership of a supervision account."""
    if actor is None or actor.kind not in MEMBER_KINDS:
        return None
    return SupervisionMember.query.filter_by(account_id=actor.id).first()


@policy.rule(SupervisedUnit, name="supervised_unit")
def unit_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if actor.kind in MEMBER_KINDS:
        own = SupervisedUnit.id.in_(select(SupervisionMember.unit_id).where(
            SupervisionMember.account_id == actor.id))
        if action == policy.READ:
            return own
        return own if action == policy.CHANGE and actor.has_role("inst_admin") else false()
    if action == policy.READ:
        if policy.reads_everything(actor):
            return true()
        division = policy.actor_division(actor)
        if division and actor.kind in ("administration", "staff"):
            return policy.in_division(division, SupervisedUnit.province_code,
                                      SupervisedUnit.city_code, SupervisedUnit.division_code)
        return false()
    if action == policy.MANAGE and policy.acts_for_administration(actor):
        return SupervisedUnit.administration_id == actor.administration_id
    return false()
