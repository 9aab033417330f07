"""Nurses (护士): the registry of nurses and their registrations, as institutions and
administrations see them."""
from __future__ import annotations

from flask import Flask

from service import persons


def register(app: Flask) -> None:
    from service.nurses import (  # noqa: F401  (plug-ins and routes register on import)
        access,
        accounts,
        actions,
        api,
        api_accounts,
        home,
        legacy_import,
        login_names,
        nurse_pages,
        pages,
        print_pages,
        processes,
        reminders,
        roster,
        routes,
        rules,
        signup_pages,
    )

    persons.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(nurse_pages.bp)
    app.register_blueprint(signup_pages.bp)
    app.register_blueprint(print_pages.bp)
