"""Medical institutions (医疗机构): the registry of institutions, licences, subjects and
departments; annual verification (I4), practice registration (I2) and its licences; the combined query, backfill and the institution pages
and REST routes. Physicians and nurses use it only through :mod:`service.institutions.face`.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.institutions import (  # noqa: F401  (plug-ins register on import)
        access,
        api,
        api_spec,
        applicants,
        applications,
        cancellation_start,
        counter,
        home,
        legacy_import,
        licence_prints,
        licence_routes,
        lifecycle,
        lifecycle_forms,
        lifecycle_rules,
        mailing,
        models,
        pages,
        prints,
        processes,
        query_outputs,
        registration,
        registration_rules,
        reminder_pages,
        reminders,
        routes,
        setup_filing,
        staff_filing,
        statistics_pages,
        transfer,
        verification,
        verification_orders,
        verification_pages,
        verification_prints,
        verification_rules,
        verification_standards,
    )
    from service.web import filters

    filters.FIELD_LABELS.update(models.FIELD_LABELS)
    app.register_blueprint(pages.bp)
    app.register_blueprint(applicants.bp)
    app.register_blueprint(licence_routes.public)
