"""A physician logs in with her qualification (资格证书编码) or practice (执业证书编码)
certificate number as well as her user name (seed 003)."""
from __future__ import annotations

from sqlalchemy import or_, select

from service.access.login_names import certificate_lookup
from service.access.models import Account
from service.core.extensions import db
from service.physicians.models import Physician, Qualification


@certificate_lookup
def physician_accounts(number: str) -> list[int]:
    qualified = select(Qualification.id).where(Qualification.certificate_number == number)
    physicians = select(Physician.id).where(or_(Physician.certificate_number == number,
                                                Physician.qualification_id.in_(qualified)))
    return list(db.session.scalars(select(Account.id).where(Account.physician_id.in_(physicians))))
