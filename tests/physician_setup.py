"""Registry set-ups the physician scenarios need beyond the demo data: an account for a demo
physician without one, registrations in a given state, a qualification level."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update


def institution_id(database, name: str) -> int:
    from service.institutions.face import Institution

    return database.scalar(select(Institution.id).where(Institution.name == name))


def add_account(database, username: str, *, physician_id: int | None = None,
                institution_id: int | None = None, password: str = "Demo12345") -> None:
    """A working account (activated) for a physician or an institution of the demo data."""
    from service.access.models import Account
    from service.access.passwords import hash_password
    from service.core.times import utcnow

    kind, roles = ("physician", ["physician"]) if physician_id else ("institution",
                                                                   ["inst_admin", "inst_clerk"])
    with database.session() as s:
        s.add(Account(username=username, display_name=username, kind=kind, roles=roles,
                      password_hash=hash_password(password), physician_id=physician_id,
                      institution_id=institution_id, activated_at=utcnow()))
        s.commit()


def add_registration(database, physician_id: int, institution_id: int, *, kind: str = "main",
                     status: str = "active", location: str = "110000", level: str = "physician",
                     end_reason: str | None = None, valid_to: date | None = None,
                     scope: str = "内科专业") -> int:
    from service.physicians.models import Physician, PracticeRegistration
    from service.registry.versioning import change_context

    with database.session() as s, change_context(None, "测试数据"):
        physician = s.get(Physician, physician_id)
        reg = PracticeRegistration(
            physician_id=physician_id, kind=kind, institution_id=institution_id, category="1",
            level=level, scope=scope, location_code=location,
            certificate_number=physician.certificate_number, status=status,
            valid_from=date(2015, 3, 1), valid_to=valid_to, end_reason=end_reason)
        s.add(reg)
        s.commit()
        return reg.id


def set_qualification_level(database, physician_id: int, level: str) -> None:
    from service.physicians.models import Physician, Qualification

    with database.session() as s:
        q_id = s.get(Physician, physician_id).qualification_id
        s.execute(update(Qualification).where(Qualification.id == q_id).values(level=level))
        s.commit()


def activate(database, username: str) -> None:
    from service.access.models import Account
    from service.core.times import utcnow

    with database.session() as s:
        s.execute(update(Account).where(Account.username == username)
                  .values(activated_at=utcnow()))
        s.commit()


def registrations(database, physician_id: int) -> list:
    """(kind, institution id, location, status, level, end reason) of each registration."""
    from service.physicians.models import PracticeRegistration

    return [(r.kind, r.institution_id, r.location_code, r.status, r.level, r.end_reason)
            for r in database.scalars(select(PracticeRegistration).where(
                PracticeRegistration.physician_id == physician_id)
                .order_by(PracticeRegistration.id))]
