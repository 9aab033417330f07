"""Background work on dramatiq.

Dramatiq binds actors to a broker when they are declared, so the broker is chosen here from
``BROKER_URL`` at import: Redis (``redis://``) or RabbitMQ (``amqp://``) in production, an
in-memory stub broker in the embedded default and in tests (an in-process worker consumes it).
"""
from __future__ import annotations

import os
import threading

import dramatiq
from dramatiq.brokers.stub import StubBroker


def make_broker(url: str | None) -> dramatiq.Broker:
    if not url:
        return StubBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise RuntimeError(f"unsupported BROKER_URL scheme: {url.split(':', 1)[0]}")


class AppContextMiddleware(dramatiq.Middleware):
    """Runs every message inside a Flask application context and cleans the session after."""

    def __init__(self) -> None:
        self.app = None
        self._local = threading.local()

    def before_process_message(self, broker, message) -> None:
        if self.app is None:
            raise RuntimeError("no Flask app bound to the dramatiq broker")
        ctx = self.app.app_context()
        ctx.push()
        self._local.ctx = ctx

    def _finish(self) -> None:
        from service.core.extensions import db

        ctx = getattr(self._local, "ctx", None)
        if ctx is not None:
            db.session.remove()
            ctx.pop()
            self._local.ctx = None

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        self._finish()

    def after_skip_message(self, broker, message) -> None:
        self._finish()


broker = make_broker(os.environ.get("BROKER_URL"))
app_context = AppContextMiddleware()
broker.add_middleware(app_context)
dramatiq.set_broker(broker)


def bind(app) -> None:
    """Give the workers of this process the application to run messages in."""
    app_context.app = app


def in_process_broker() -> bool:
    return isinstance(broker, StubBroker)


def broker_state() -> str:
    """``ok`` when the broker answers, else a short reason (for ``/healthz``)."""
    if isinstance(broker, StubBroker):
        return "ok"
    try:
        client = getattr(broker, "client", None)
        if client is not None:  # Redis
            client.ping()
        else:  # RabbitMQ
            broker.connection  # noqa: B018 - opening the connection is the check
        return "ok"
    except Exception as exc:  # any failure means "cannot work now"
        return f"error: {type(exc).__name__}"


_embedded_worker: dramatiq.Worker | None = None


def start_embedded_worker(threads: int = 2) -> dramatiq.Worker:
    """Consume the in-memory broker in this process (the embedded default)."""
    global _embedded_worker
    if _embedded_worker is None:
        _embedded_worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=500)
        _embedded_worker.start()
    return _embedded_worker
