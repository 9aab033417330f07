"""dramatiq actors of the integration: webhook deliveries and their sweep."""
from __future__ import annotations

import logging

import dramatiq

from service.integration import webhooks
from service.jobs import broker, periodic

log = logging.getLogger(__name__)


@dramatiq.actor(broker=broker, queue_name="webhooks", max_retries=0)
def deliver_webhook(delivery_id: int) -> None:
    """One attempt; a failed one is scheduled again after its backoff (kept in the row too,
    so a lost message is found by the sweep)."""
    wait = webhooks.attempt(delivery_id)
    if wait is not None:
        deliver_webhook.send_with_options(args=(delivery_id,), delay=int(wait * 1000))


@periodic.every_minute
@dramatiq.actor(broker=broker, queue_name="webhooks", max_retries=0)
def sweep_webhooks() -> None:
    """Enqueue due deliveries again (the clock runs this every minute)."""
    ids = webhooks.due_ids()
    for delivery_id in ids:
        deliver_webhook.send(delivery_id)
    if ids:
        log.info("webhook sweep enqueued %d deliveries", len(ids))
