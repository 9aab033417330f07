"""Queue notifications in the outbox and deliver them."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from service.core.extensions import db
from service.core.times import utcnow
from service.notify.gateways import gateway
from service.notify.models import Notification

MAX_ATTEMPTS = 5


def queue(channel: str, subject: str, body: str, *, account_id: int | None = None,
          address: str | None = None) -> Notification:
    """Add a message to the outbox in the caller's transaction; delivery starts after commit."""
    message = Notification(
        channel=channel, subject=subject, body=body, account_id=account_id, address=address
    )
    db.session.add(message)
    # written with the caller's next flush (a step flushes once); sent after commit
    db.session.info.setdefault("notifications_to_send", []).append(message)
    return message


def deliver(message_id: int) -> str:
    """Send one queued message through the configured gateway; returns its new status."""
    message = db.session.get(Notification, message_id, with_for_update=True)
    if message is None or message.status == "sent":
        return message.status if message else "missing"
    message.attempts += 1
    try:
        gateway(current_app.config["NOTIFY_GATEWAY"]).send(message)
    except Exception as exc:  # a gateway failure must not lose the message
        message.error = str(exc)[:200]
        message.status = "failed" if message.attempts >= MAX_ATTEMPTS else "pending"
    else:
        message.status, message.sent_at, message.error = "sent", utcnow(), None
    db.session.commit()
    return message.status


def pending_ids(limit: int = 500, older_than: timedelta | None = None) -> list[int]:
    """Pending messages, oldest first; with ``older_than``, only those queued before then."""
    stmt = select(Notification.id).where(Notification.status == "pending")
    if older_than is not None:
        stmt = stmt.where(Notification.created_at < utcnow() - older_than)
    return list(db.session.scalars(stmt.order_by(Notification.id).limit(limit)))
