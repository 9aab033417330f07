"""Counter entry (窗口受理): an administration clerk starts a business for a walk-in applicant
— a new institution's registration in a division of the administration's area, or a business
of an institution it issued (from the institution's page, beside its licence prints)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from service.access.policy import CHANGE, can, require
from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import definitions, runtime
from service.institutions import face
from service.institutions.licences import current
from service.institutions.models import Institution
from service.institutions.pages import bp
from service.institutions.routes import NEW_INSTITUTION_PROCESSES
from service.registry.reference import Division


def _clerk() -> None:
    if current_user.kind != "administration" or not current_user.has_role("bureau_clerk"):
        abort(404)


def _counter_processes() -> list:
    return [d for d in definitions.all_latest()
            if d.process_id in NEW_INSTITUTION_PROCESSES and "bureau" in (d.startable_by or [])]


def _divisions() -> list[Division]:
    """County-level divisions of the clerk's area (its own, or those below a city/province)."""
    code = current_user.administration.division_code
    prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
    return list(db.session.scalars(select(Division).where(
        Division.level == "county", or_(Division.code == code, Division.code.startswith(prefix)))
        .order_by(Division.code)))


@bp.get("/counter")
@login_required
def counter():
    _clerk()
    return render_template("institutions/counter.html", processes=_counter_processes(),
                           divisions=_divisions(),
                           own=current_user.administration.division_code)


@bp.post("/counter")
@login_required
def counter_start():
    _clerk()
    process_id = request.form.get("process", "")
    division = request.form.get("division_code", "")
    if process_id not in {d.process_id for d in _counter_processes()}:
        flash("请选择要受理的业务。", "error")
        return redirect(url_for("institutions.counter"), 303)
    try:
        case = runtime.start(current_user, process_id, {"division_code": division})
    except ApiError as exc:
        db.session.rollback()
        reasons = [m for ms in (exc.fields or {}).values() for m in ms]
        flash("；".join(reasons) or exc.message, "error")
        return redirect(url_for("institutions.counter"), 303)
    return casework.to_started_case(current_user, case)


@face.detail_panel("licence_and_businesses")
def licence_panel(inst, actor) -> face.Panel:
    """The licence prints and, for the issuing authority, the businesses its counter starts."""
    processes = []
    if actor.kind == "administration" and can(actor, CHANGE, inst) and actor.has_role("bureau_clerk"):
        processes = [d for d in definitions.all_latest()
                     if "bureau" in (d.startable_by or []) and d.process_id not in NEW_INSTITUTION_PROCESSES]
    return face.Panel("institutions/_licence_panel.html", {
        "inst": inst, "licence": current(inst.id), "processes": processes})


@bp.post("/<int:institution_id>/start")
@login_required
def start_for(institution_id: int):
    """A walk-in institution's business entered at the counter of its issuing authority."""
    _clerk()
    inst = require(current_user, Institution, institution_id, CHANGE)
    process_id = request.form.get("process", "")
    back = redirect(url_for("institutions.detail", institution_id=inst.id), 303)
    if process_id not in {d.process_id for d in licence_panel(inst, current_user).context["processes"]}:
        flash("请选择要受理的业务。", "error")
        return back
    try:
        case = runtime.start(current_user, process_id, {"institution_id": inst.id})
    except ApiError as exc:
        db.session.rollback()
        flash("；".join(m for ms in (exc.fields or {}).values() for m in ms) or exc.message, "error")
        return back
    return casework.to_started_case(current_user, case)
