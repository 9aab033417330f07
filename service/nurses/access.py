"""Who reads a nurse: she herself; administrations, institutions and platform accounts that
read her institution. A nurse reads her own institution."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from service.access import policy
from service.access.models import Account
from service.institutions.face import Institution, readable_institutions
from service.nurses.models import Nurse


@policy.rule(Nurse, name="nurse")
def nurse_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action != policy.READ:
        return false()
    if actor.kind == "nurse":
        return Nurse.id == actor.nurse_id
    if policy.reads_everything(actor):
        return true()
    if actor.kind in ("administration", "institution", "staff"):
        return Nurse.institution_id.in_(readable_institutions(actor))
    return false()


@policy.rule(Institution)
def works_at(actor: Account, action: str) -> ColumnElement[bool]:
    """A nurse reads the institution she is registered at."""
    if action != policy.READ or actor.kind != "nurse" or not actor.nurse_id:
        return false()
    return Institution.id.in_(select(Nurse.institution_id).where(Nurse.id == actor.nurse_id))
