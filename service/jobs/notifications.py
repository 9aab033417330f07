"""Deliver outbox messages once the transaction that wrote them has committed."""
from __future__ import annotations

import dramatiq
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..notify import outbox


@dramatiq.actor(queue_name="notifications", max_retries=5, min_backoff=2000)
def send_notification(message_id: int) -> None:
    if outbox.deliver(message_id) == "pending":
        raise RuntimeError(f"notification {message_id} not delivered yet")


@dramatiq.actor(queue_name="notifications")
def flush_outbox() -> None:
    """Re-queue whatever is still pending (a safety net after broker outages)."""
    for message_id in outbox.pending_ids():
        send_notification.send(message_id)


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    for message_id in session.info.pop("notifications_to_send", []):
        send_notification.send(message_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("notifications_to_send", None)
