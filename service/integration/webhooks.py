"""Outbound webhooks: events written to an outbox in the transaction of the change they
report, delivered after commit with the signature of api.md, retried with exponential backoff.

A delivery is claimed by moving its next attempt past a lease before the HTTP request, so no
lock is held while the receiver answers and a second worker skips it; the answer is written
with the attempt. ``X-Yizheng-Delivery`` is the delivery's id, the same on every attempt, so
receivers drop duplicates.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from service.core.extensions import db
from service.core.times import utcnow
from service.integration.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

# Events a subscription may name, with what they report.
EVENTS = {
    "case.started": "业务发起",
    "case.completed": "业务办结",
    "institution.registered": "医疗机构执业登记",
    "institution.changed": "医疗机构登记信息变更",
    "physician.registered": "医师执业注册",
}
TIMEOUT = (3, 10)  # connect, read (seconds)
LEASE = timedelta(seconds=60)  # a claimed delivery is not claimed again meanwhile
MAX_BACKOFF = timedelta(hours=1)
USER_AGENT = "Yizheng-Webhooks/1"


class UrlRefused(ValueError):
    """A webhook URL the service will not call, with the reason in Chinese."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` (api.md)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def check_url(url: str) -> None:
    """Refuse what is not http(s) or resolves to a loopback, private, link-local or reserved
    address, unless its host is allow-listed (``WEBHOOK_ALLOWED_HOSTS``) or, in the embedded
    default, loopback (no SSRF into the service's own network)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("须为 http:// 或 https:// 开头的完整地址")
    host = parts.hostname.lower()
    if host in current_app.config["WEBHOOK_ALLOWED_HOSTS"]:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UrlRefused("无法解析该地址的主机名") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_loopback and current_app.config["WEBHOOK_ALLOW_LOOPBACK"]:
            continue
        if not address.is_global:
            raise UrlRefused("不允许回调到本机、内网或保留地址（如需要，请由运维加入允许名单）")


# --- writing: the outbox, in the caller's transaction ----------------------------------------

def emit(session: Session, event_name: str, data: dict, division_code: str | None) -> None:
    """Queue ``event_name`` for every active subscription to it (and to the division) in the
    session's transaction; delivery starts after commit."""
    subscriptions = session.execute(select(
        WebhookSubscription.id, WebhookSubscription.events, WebhookSubscription.division_code,
    ).where(WebhookSubscription.active.is_(True))).all()
    now = utcnow()
    for sub_id, events, division in subscriptions:
        if event_name not in (events or []):
            continue
        if division and not (division_code or "").startswith(division.rstrip("0") or division):
            continue
        body = json.dumps({"id": str(uuid.uuid4()), "event": event_name, "at": now.isoformat(),
                           "data": data}, ensure_ascii=False, sort_keys=True, default=str)
        delivery_id = session.execute(insert(WebhookDelivery).values(
            subscription_id=sub_id, event=event_name, body=body, status="pending", attempts=0,
            next_attempt_at=now, created_at=now).returning(WebhookDelivery.id)).scalar_one()
        session.info.setdefault("webhooks_to_send", []).append(delivery_id)


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    ids = session.info.pop("webhooks_to_send", [])
    if not ids:
        return
    from service.integration.jobs import deliver_webhook

    for delivery_id in ids:
        try:
            deliver_webhook.send(delivery_id)
        except Exception as exc:  # committed: never fail the write; the sweep sends it
            log.warning("webhook delivery %s not enqueued (%s); the sweep will send it",
                        delivery_id, type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("webhooks_to_send", None)


# --- delivering ------------------------------------------------------------------------------

def attempt(delivery_id: int) -> float | None:
    """One attempt of a due delivery; returns the seconds until the next one when it must be
    retried, else None (delivered, failed for good, not due or taken by another worker)."""
    now = utcnow()
    claimed = db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
    ).values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + LEASE))
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    db.session.commit()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    sub = db.session.get(WebhookSubscription, delivery.subscription_id)
    code, error, started = None, None, time.monotonic()
    try:
        check_url(sub.url)
        code = _post(sub, delivery)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except UrlRefused as exc:
        error = str(exc)
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
    took = int((time.monotonic() - started) * 1000)
    db.session.add(WebhookAttempt(delivery_id=delivery.id, attempt=delivery.attempts,
                                  status_code=code, error=error, duration_ms=took, at=utcnow()))
    wait = None
    if error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
    elif delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"] or not sub.active:
        delivery.status, delivery.last_error = "failed", error
    else:
        wait = backoff(delivery.attempts)
        delivery.last_error, delivery.next_attempt_at = error, utcnow() + timedelta(seconds=wait)
    db.session.commit()
    return wait


def backoff(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: the base doubled per failed attempt, capped."""
    base = float(current_app.config["WEBHOOK_RETRY_SECONDS"])
    return min(base * 2 ** (attempts - 1), MAX_BACKOFF.total_seconds())


_http = threading.local()


def _session() -> requests.Session:
    """One HTTP session per worker thread: connections to a receiver are kept alive."""
    session = getattr(_http, "session", None)
    if session is None:
        session = _http.session = requests.Session()
        session.trust_env = False  # no proxy from the environment between us and receivers
    return session


def _post(sub: WebhookSubscription, delivery: WebhookDelivery) -> int:
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    response = _session().post(sub.url, data=body, timeout=TIMEOUT, allow_redirects=False, headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Yizheng-Event": delivery.event, "X-Yizheng-Delivery": str(delivery.id),
        "X-Yizheng-Timestamp": timestamp,
        "X-Yizheng-Signature": signature(sub.secret, timestamp, body),
    })
    response.close()
    return response.status_code


def replay(delivery: WebhookDelivery) -> None:
    """Deliver a failed delivery again (the same id and body), from its next attempt on."""
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    db.session.info.setdefault("webhooks_to_send", []).append(delivery.id)


def due_ids(limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due (their message was lost or is late)."""
    return list(db.session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow(),
    ).order_by(WebhookDelivery.next_attempt_at).limit(limit)))
