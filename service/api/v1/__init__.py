"""REST v1: ``/api/v1``. JSON bodies, bearer tokens, the error shape of ``errors.py``."""
from __future__ import annotations

from flask import Blueprint

from ...extensions import csrf

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them

from . import (  # noqa: E402,F401  (routes attach to bp)
    accounts,
    auth,
    cases,
    documents,
    institution_physicians,
    openapi,
    physician_accounts,
    physician_cases,
    registry,
)
