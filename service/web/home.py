"""Home page per role: each domain package contributes what its users work on."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

bp = Blueprint("home", __name__)

_CONTEXT: dict[str, list[Callable]] = {}


def home_context(*kinds: str) -> Callable:
    """Register a contributor to the home page of accounts of ``kinds``: (actor) -> dict of
    template values, or a response (a redirect to the role's own portal)."""
    def register(fn: Callable) -> Callable:
        for kind in kinds:
            contributors = _CONTEXT.setdefault(kind, [])
            if fn not in contributors:
                contributors.append(fn)
        return fn
    return register


@bp.get("/")
@login_required
def index():
    context: dict = {}
    for contribute in _CONTEXT.get(current_user.kind, []):
        result = contribute(current_user)
        if isinstance(result, Response):
            return result
        context.update(result or {})
    return render_template("home.html", **context)
