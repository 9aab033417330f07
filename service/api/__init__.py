"""The REST API (v1): thin views over the same services the pages use."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.api import health, v1

    app.register_blueprint(health.bp)
    app.register_blueprint(v1.bp)
