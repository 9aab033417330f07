"""Liveness and readiness: ``GET /healthz``."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from service.core.extensions import db
from service.jobs import broker_state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # report, do not raise: this is the health check
        db.session.rollback()
        database = f"error: {type(exc).__name__}"
    broker = broker_state()
    ok = database == "ok" and broker == "ok"
    body = {"status": "ok" if ok else "unavailable", "database": database, "broker": broker}
    return jsonify(body), 200 if ok else 503
