"""A nurse logs in with her practice certificate number (护士执业证书编号) as well as her user name."""
from __future__ import annotations

from sqlalchemy import select

from service.access.login_names import certificate_lookup
from service.access.models import Account
from service.core.extensions import db
from service.nurses.models import Nurse


@certificate_lookup
def nurse_accounts(number: str) -> list[int]:
    nurses = select(Nurse.id).where(Nurse.certificate_number == number)
    return list(db.session.scalars(select(Account.id).where(Account.nurse_id.in_(nurses))))
