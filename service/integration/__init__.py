"""Other systems (D3): API clients with scoped long-lived tokens, inbound callbacks correlated
to waiting cases (``national_ack``), and signed outbound webhooks fed from the steps and
registry changes that happen, in their transaction."""
from __future__ import annotations

import os

from flask import Flask


def _settings(app: Flask) -> None:
    """Webhook and simulator settings from the environment (docs/operations.md)."""
    env = os.environ
    embedded = bool(app.config.get("EMBEDDED"))
    hosts = env.get("WEBHOOK_ALLOWED_HOSTS", "")
    app.config.setdefault("WEBHOOK_ALLOWED_HOSTS",
                          {h.strip().lower() for h in hosts.split(",") if h.strip()})
    app.config.setdefault("WEBHOOK_ALLOW_LOOPBACK", embedded)
    app.config.setdefault("WEBHOOK_RETRY_SECONDS", float(env.get("WEBHOOK_RETRY_SECONDS") or 30))
    app.config.setdefault("WEBHOOK_MAX_ATTEMPTS", int(env.get("WEBHOOK_MAX_ATTEMPTS") or 10))
    simulator = env.get("NATIONAL_REGISTRY_SIMULATOR")
    app.config.setdefault("NATIONAL_REGISTRY_SIMULATOR", simulator.strip().lower() in (
        "1", "true", "yes", "on") if simulator else embedded and not app.config.get("TESTING"))
    app.config.setdefault("NATIONAL_REGISTRY_SIMULATOR_DELAY_MS",
                          int(env.get("NATIONAL_REGISTRY_SIMULATOR_DELAY_MS") or 1500))


def register(app: Flask) -> None:
    from service.integration import api, api_spec, feed, jobs, national  # noqa: F401

    _settings(app)
