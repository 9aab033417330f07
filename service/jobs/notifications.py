"""Deliver outbox messages once the transaction that wrote them has committed.

The enqueue after commit is the fast path. A message whose enqueue failed (the broker was
down at that moment) or whose delivery message died with its worker stays ``pending`` in the
outbox; the clock's sweep enqueues it again, so delivery resumes without a hand. Delivery is
safe to repeat: it locks the row and skips a message already sent.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import dramatiq
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from service.notify import outbox

log = logging.getLogger(__name__)
# a pending message older than this has lost its delivery message; younger ones are in flight
# (a failed gateway attempt waits up to min_backoff × 2^retries before it is retried)
SWEEP_AFTER = timedelta(minutes=2)


@dramatiq.actor(queue_name="notifications", max_retries=5, min_backoff=2000)
def send_notification(message_id: int) -> None:
    if outbox.deliver(message_id) == "pending":
        raise RuntimeError(f"notification {message_id} not delivered yet")


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    for message in session.info.pop("notifications_to_send", []):
        identity = inspect(message).identity  # kept when the committed object is expired
        if identity is None:  # never written (dropped with a rolled-back savepoint)
            continue
        try:
            send_notification.send(identity[0])
        except Exception as exc:  # the write is committed: never fail it; the sweep sends it
            log.warning("notification %s not enqueued (%s); the outbox sweep will send it",
                        identity[0], type(exc).__name__)


@dramatiq.actor(queue_name="notifications", max_retries=0)
def sweep_outbox() -> None:
    """Enqueue delivery again for messages left pending (enqueued by the clock every minute)."""
    ids = outbox.pending_ids(limit=1000, older_than=SWEEP_AFTER)
    for message_id in ids:
        send_notification.send(message_id)
    if ids:
        log.info("outbox sweep re-enqueued %d notifications", len(ids))


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("notifications_to_send", None)
