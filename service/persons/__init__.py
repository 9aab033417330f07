"""Persons (physicians and nurses): what their domains share — sign-up against a qualification
record, contact codes, the applicant of a person's case and who reads it, activation codes,
recovery and revocation of accounts, and the printed application. Each domain keeps its own
records, wording and rules and registers them here."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The shared pages and plug-ins, once, whichever persons' domain registers first."""
    from service.persons import (  # noqa: F401  (routes register on import)
        accounts_api,
        prints,
        revocation,
    )

    if prints.bp.name not in app.blueprints:
        app.register_blueprint(prints.bp)
