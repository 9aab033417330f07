"""Who reads and acts on an institution: administrations read their division subtree and act
only on the institutions they issued; an institution reads itself. Persons' domains add that a
person reads the institutions she is registered at."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from service.access import policy
from service.access.models import Account
from service.institutions.models import Institution


def in_reach(actor: Account) -> ColumnElement[bool]:
    """Institutions whose division lies in the actor's division subtree (or everything)."""
    code = policy.actor_division(actor)
    if code is None:
        return true() if policy.platform_wide(actor) else false()
    return policy.in_division(
        code, Institution.province_code, Institution.city_code, Institution.division_code
    )


@policy.rule(Institution, name="institution")
def institution_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action == policy.READ:
        if policy.platform_wide(actor) or actor.kind == "administration":
            return in_reach(actor)
        if actor.kind == "institution":
            return Institution.id == actor.institution_id
        return false()
    if action in (policy.CHANGE, policy.MANAGE):
        # Only the issuing authority acts on an institution; upper levels only watch.
        if policy.acts_for_administration(actor):
            return Institution.issuing_authority_id == actor.administration_id
        if action == policy.CHANGE and actor.kind == "institution" and actor.has_role("inst_admin"):
            return Institution.id == actor.institution_id
        return false()
    return false()
