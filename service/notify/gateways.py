"""Delivery gateways. The default ``log`` gateway keeps the message in the outbox and the log."""
from __future__ import annotations

import logging
from typing import Protocol

from service.notify.models import Notification

log = logging.getLogger("yizheng.notify")


class Gateway(Protocol):
    def send(self, message: Notification) -> None:
        """Deliver one message or raise."""


class LogGateway:
    """Writes the message to the application log; the outbox row is the record of it."""

    def send(self, message: Notification) -> None:
        log.info(
            "notification %s via %s to %s: %s | %s",
            message.id, message.channel, message.address or "-", message.subject, message.body,
        )


GATEWAYS: dict[str, type] = {"log": LogGateway}


def gateway(name: str) -> Gateway:
    try:
        return GATEWAYS[name]()
    except KeyError:
        raise RuntimeError(f"unknown NOTIFY_GATEWAY {name!r}; known: {sorted(GATEWAYS)}") from None
