"""The institution's nurse pages: its lists of nurses, an expired registration flagged."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from service.access.policy import READ, require
from service.institutions.face import Institution
from service.nurses.lists import LISTS, is_expired, rows

bp = Blueprint("institution_nurses", __name__, url_prefix="/institution")


@bp.get("/nurses")
@login_required
def nurses():
    if current_user.kind != "institution" or current_user.institution_id is None:
        abort(404)
    inst = require(current_user, Institution, current_user.institution_id, READ)
    kind = request.args.get("list", "registered")
    kind = kind if kind in LISTS else "registered"
    return render_template("nurses/institution_nurses.html", inst=inst, kind=kind,
                           lists=LISTS, rows=rows(inst, kind), is_expired=is_expired)
