"""Auditors (D2): the audit workspace (find cases, timelines, replay), chain verification over
a range as a background job, audit bundles, the access log of personal data and the reveal of
masked event data with a recorded reason."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.audit import access_log, api, api_spec, chain, pages  # noqa: F401

    access_log.install(app)
    app.register_blueprint(pages.bp)
