"""Home page per role."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..access.policy import READ, scope
from ..extensions import db
from ..registry.institutions import INSTITUTION_STATUSES, Institution
from ..registry.persons import Nurse, Physician

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    actor = current_user
    context: dict = {}
    if actor.kind in ("administration", "staff"):
        visible = scope(actor, READ, Institution)
        by_status = dict(db.session.execute(
            select(Institution.status, func.count()).where(visible).group_by(Institution.status)
        ).all())
        soon = date.today() + timedelta(days=92)
        context["status_counts"] = [(k, v, by_status.get(k, 0)) for k, v in INSTITUTION_STATUSES.items()]
        context["total"] = sum(by_status.values())
        context["due_soon"] = list(db.session.scalars(
            select(Institution).where(
                visible, Institution.verification_due <= soon, Institution.status != "cancelled",
                Institution.is_filed_clinic.is_(False),
            ).order_by(Institution.verification_due, Institution.id).limit(10)
        ))
        context["today"] = date.today()
    elif actor.kind == "institution":
        context["institution"] = actor.institution
        context["physician_count"] = db.session.scalar(
            select(func.count()).select_from(Physician).where(scope(actor, READ, Physician))
        )
        context["nurse_count"] = db.session.scalar(
            select(func.count()).select_from(Nurse).where(scope(actor, READ, Nurse))
        )
    elif actor.kind == "physician" and actor.physician is not None:
        return redirect(url_for("physician.home"))  # her own portal (seed 003 ch.2)
    elif actor.kind == "nurse":
        context["nurse"] = actor.nurse
    return render_template("home.html", **context)
