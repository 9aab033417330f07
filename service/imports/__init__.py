"""Legacy import (数据导入, I10): CSV or XLSX files of the old stand-alone system, checked row by
row and imported all rows or none by a background job, and the reconciliation of persons whose
institution name the registry does not know. The domains register their row kinds
(:mod:`service.imports.kinds`); this package knows none of them."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.imports import api, api_spec, pages, tasks  # noqa: F401  (routes, actor)

    app.register_blueprint(pages.bp)
