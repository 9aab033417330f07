"""REST v1: ``/api/v1``. JSON bodies, bearer tokens, the error shape of ``core/errors.py``.

The shared routes (tokens, the caller, accounts, the OpenAPI document) are here; domain
packages and the case doors attach theirs to :data:`bp` before it is registered."""
from __future__ import annotations

from flask import Blueprint

from service.core.extensions import csrf

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry them

from service.api.v1 import accounts, auth, notifications, openapi  # noqa: E402,F401  (routes attach to bp)
