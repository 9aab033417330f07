"""The nurse as the shared account services see her (``service.persons.accounts``): while she
holds a registration in force, the institution she is registered at gives her an activation
code (and may revoke an account that is not hers); without one, the number of her exam record
(护士执业资格考试合格证明编号) activates her, or her first registration's approval does."""
from __future__ import annotations

from sqlalchemy import select

from service.access.policy import READ, scope
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import to_id
from service.core.times import shanghai_today
from service.nurses.models import Nurse
from service.persons.accounts import AccountKind, account_kind


def registered(nurse: Nurse) -> bool:
    return nurse.status == "active" and nurse.institution_id is not None


def nurse_here(actor, inst, nurse_id: object) -> Nurse:
    """A nurse registered at the institution (in force today) whom the actor reads, else 404."""
    ident = to_id(str(nurse_id)) if isinstance(nurse_id, int | str) and not isinstance(
        nurse_id, bool) else None
    nurse = db.session.scalars(select(Nurse).where(
        Nurse.id == ident, Nurse.registered_at(inst.id, shanghai_today()),
        scope(actor, READ, Nurse))).first() if ident else None
    if nurse is None:
        raise ApiError(404, "本机构没有该护士的有效执业注册")
    return nurse


NURSE = account_kind(AccountKind(
    "nurse", Nurse, "nurse_id", "护士", "护士执业资格考试合格证明编号", registered,
    lambda nurse: nurse.institution if registered(nurse) else None,
    lambda nurse: nurse.qualification.certificate_number if nurse.qualification else None,
    nurse_here))
