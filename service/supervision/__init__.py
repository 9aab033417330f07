"""Self-inspection and demerit scoring (依法执业自查与不良执业记分, seed 004): institutions sign
themselves up and are reviewed by their administration (S1); the provincial checklist and demerit
rule catalogues. Uses institutions only through :mod:`service.institutions.face`."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.supervision import access, api, home, pages, unit_pages  # noqa: F401  (plug-ins register on import)

    app.register_blueprint(pages.bp)
