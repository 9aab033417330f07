"""In-app messages (系统消息): the notifications of the ``inbox`` channel addressed to an
account. Every notice the service sends an account (``access.targets.notify``, seed 004's
notices) is one; SMS and e-mail carrying codes or passwords are never shown in the list."""
from __future__ import annotations

from sqlalchemy import func, select

from service.core.extensions import db
from service.core.times import utcnow
from service.notify.models import Notification

CHANNEL = "inbox"


def _mine(account_id: int):
    return select(Notification).where(Notification.account_id == account_id,
                                      Notification.channel == CHANNEL)


def messages(account_id: int, *, unread: bool = False, before: int | None = None,
             limit: int = 50) -> list[Notification]:
    """Newest first (keyset on id)."""
    stmt = _mine(account_id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    return list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def unread_count(account_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.account_id == account_id, Notification.channel == CHANNEL,
        Notification.read_at.is_(None)))


def mark_read(account_id: int, message_id: int) -> Notification | None:
    """The holder's message, marked read (None when it is not hers)."""
    message = db.session.scalars(_mine(account_id).where(Notification.id == message_id)).first()
    if message is not None and message.read_at is None:
        message.read_at = utcnow()
    return message
