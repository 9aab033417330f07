"""The process designer's platform (D1): the modeler and form editor pages, deploys through
the one validator, versions with their semantic diff, and moving running cases to a newer
version. Over the engine and the case doors; no domain imports it."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.designer import api, api_spec, home, pages  # noqa: F401  (routes, sections)

    app.register_blueprint(pages.bp)
