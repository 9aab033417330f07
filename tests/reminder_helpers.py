"""Institutions made for the reminder tests: copies of inst.chaoyang1 (issued by Chaoyang) with
the dates a reminder looks at, and the clock's daily run on a chosen date."""
from __future__ import annotations

from datetime import date
from uuid import uuid4

from sqlalchemy import select


def make_institution(database, **fields) -> int:
    """A new institution like inst.chaoyang1 with ``fields`` changed; its id."""
    from service.access.models import Account
    from service.institutions.models import Institution

    with database.session() as s:
        template = s.scalar(select(Account).where(Account.username == "inst.chaoyang1")).institution
        unique = {"id", "uscc", "registration_number", "version", "created_at"}
        copy = Institution(**{c.key: getattr(template, c.key) for c in Institution.__table__.columns
                              if c.key not in unique})
        copy.name = fields.pop("name", f"提醒测试医院{uuid4().hex[:6]}")
        for key, value in fields.items():
            setattr(copy, key, value)
        s.add(copy)
        s.commit()
        return copy.id


def with_account(database, institution_id: int) -> str:
    """An institution account (password Demo12345) for the institution; its user name."""
    from conftest import DEMO_PASSWORD

    from service.access.models import Account
    from service.access.passwords import hash_password

    username = f"inst.remind.{uuid4().hex[:8]}"
    with database.session() as s:
        s.add(Account(username=username, display_name="提醒测试机构", kind="institution",
                      roles=["inst_admin"], institution_id=institution_id,
                      password_hash=hash_password(DEMO_PASSWORD), must_change_password=False))
        s.commit()
    return username


def run_daily(app, day: date) -> None:
    """The clock's daily run on ``day`` (every registered daily job)."""
    from service.jobs.periodic import send_reminders

    with app.app_context():
        send_reminders.fn(day.isoformat())


def inbox(database, *, institution_id: int | None = None, administration_id: int | None = None,
          subject: str) -> list[str]:
    from service.access.models import Account
    from service.notify.models import Notification

    column = Account.institution_id if institution_id is not None else Account.administration_id
    value = institution_id if institution_id is not None else administration_id
    return [n.body for n in database.scalars(
        select(Notification).join(Account, Account.id == Notification.account_id)
        .where(column == value, Notification.channel == "inbox", Notification.subject == subject)
        .order_by(Notification.id))]
