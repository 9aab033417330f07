"""Deliver outbox messages once the transaction that wrote them has committed."""
from __future__ import annotations

import dramatiq
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from service.notify import outbox


@dramatiq.actor(queue_name="notifications", max_retries=5, min_backoff=2000)
def send_notification(message_id: int) -> None:
    if outbox.deliver(message_id) == "pending":
        raise RuntimeError(f"notification {message_id} not delivered yet")


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    for message in session.info.pop("notifications_to_send", []):
        identity = inspect(message).identity  # kept when the committed object is expired
        if identity is not None:  # None: never written (dropped with a rolled-back savepoint)
            send_notification.send(identity[0])


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("notifications_to_send", None)
