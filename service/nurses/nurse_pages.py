"""The nurse's own pages: apply for registration (N1) at an institution she picks."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import runtime
from service.institutions.face import Institution

bp = Blueprint("nurse", __name__, url_prefix="/nurse")
SEARCH_LIMIT = 20


def _nurse_only() -> None:
    if current_user.kind != "nurse" or current_user.nurse_id is None:
        abort(404)


@bp.get("/registration")
@login_required
def registration():
    _nurse_only()
    q = request.args.get("q", "").strip()[:40]
    found = list(db.session.scalars(
        select(Institution).where(Institution.status == "active", Institution.name.contains(q))
        .order_by(Institution.name, Institution.id).limit(SEARCH_LIMIT))) if q else []
    return render_template("nurses/registration.html", q=q, found=found)


@bp.post("/registration")
@login_required
def start_registration():
    _nurse_only()
    raw = request.form.get("institution_id", "")
    if not raw.isdigit() or len(raw) > 9:
        abort(400)
    try:
        case = runtime.start(current_user, "nurse_registration", {"institution_id": int(raw)})
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message if not exc.fields else "；".join(
            m for ms in exc.fields.values() for m in ms), "error")
        return redirect(url_for("nurse.registration"), 303)
    return casework.to_started_case(current_user, case)
