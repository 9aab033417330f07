"""Who reads a physician: she herself; administrations, institutions and platform accounts
where one of her registrations is. A physician reads the institutions she is registered at (the cases
about her: ``service.persons.subjects``)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, select, true

from service.access import policy
from service.access.models import Account
from service.institutions.face import Institution, readable_institutions
from service.physicians.models import Physician, PracticeRegistration


@policy.rule(Physician, name="physician")
def physician_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if action != policy.READ:
        return false()
    if actor.kind == "physician":
        return Physician.id == actor.physician_id
    if policy.reads_everything(actor):
        return true()
    if actor.kind in ("administration", "institution", "staff"):
        return exists().where(
            PracticeRegistration.physician_id == Physician.id,
            PracticeRegistration.institution_id.in_(readable_institutions(actor)),
        )
    return false()


@policy.rule(Institution)
def registered_at(actor: Account, action: str) -> ColumnElement[bool]:
    """A physician reads the institutions she holds (or held) a registration at."""
    if action != policy.READ or actor.kind != "physician" or not actor.physician_id:
        return false()
    return Institution.id.in_(select(PracticeRegistration.institution_id).where(
        PracticeRegistration.physician_id == actor.physician_id))
