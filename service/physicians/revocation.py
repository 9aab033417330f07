"""撤销办理 on the institution's physician applications page (the service and its REST door
are every person's: ``service.persons.revocation``)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from service.access.policy import require
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine.models import Case
from service.persons.revocation import revoke
from service.physicians.institution_pages import bp as page_bp
from service.physicians.institution_pages import writer


@page_bp.post("/cases/<int:case_id>/revoke")
@login_required
def revoke_page(case_id: int):
    writer()
    case = require(current_user, Case, case_id)
    try:
        revoke(current_user, case, request.form.get("reason", ""))
    except ApiError as exc:
        db.session.rollback()
        flash(f"未能撤销办理：{exc.message}", "error")
        return redirect(url_for("institution_physicians.applications", state="open"), 303)
    flash("已撤销办理，业务已退回本机构待确认。", "success")
    return redirect(url_for("institution_physicians.applications", state="open"), 303)
