"""Physicians (医师): qualifications, physicians, practice registrations and the businesses
P0–P11 — accounts and activation, the institution's physician functions, registration, change,
filing and cancellation, certificates — with their pages and REST routes."""
from __future__ import annotations

from flask import Flask

from service import persons


def register(app: Flask) -> None:
    from service.physicians import (  # noqa: F401  (plug-ins and routes register on import)
        access,
        accounts,
        actions,
        api,
        api_accounts,
        api_cases,
        api_institution,
        api_spec,
        assessment_doors,
        business_pages,
        home,
        info,
        institution_case_pages,
        institution_code_pages,
        institution_pages,
        legacy_import,
        login_names,
        models,
        other_provinces,
        pages,
        print_pages,
        processes,
        recovery_pages,
        renames,
        replacement,
        revocation,
        roster,
        routes,
        rules,
        security_pages,
        signup_pages,
    )

    persons.register(app)
    app.jinja_env.filters["physician_category"] = (
        lambda code: models.PHYSICIAN_CATEGORIES.get(code, code))
    for module in (pages, print_pages, recovery_pages, signup_pages, institution_pages,
                   assessment_doors):
        app.register_blueprint(module.bp)
