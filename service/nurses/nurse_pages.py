"""The nurse's own pages: apply for registration (N1) or a change (N2) at an institution she
picks, for the renewal (N3) of her registration, and activate her account."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import runtime
from service.institutions.face import Institution
from service.persons import activation

bp = Blueprint("nurse", __name__, url_prefix="/nurse")
SEARCH_LIMIT = 20
# the businesses she applies for at an institution she picks: their page title and hint
PICKED = {
    "nurse_registration": ("护士执业注册", "通过护士执业资格考试之日起 3 年内提出申请；超过 3 年的，"
                           "须提交在教学、综合医院接受 3 个月临床护理培训并考核合格的证明。请选择拟执业"
                           "的医疗卫生机构，由其确认后报发证机关审批（20 个工作日内）。"),
    "nurse_change": ("护士变更注册", "在注册有效期内变更执业机构：请选择新的执业机构，由其确认后报发证"
                     "机关办理（7 个工作日内）；注册有效期不变，原执业机构将收到通知。"),
}


def _nurse_only() -> None:
    if current_user.kind != "nurse" or current_user.nurse_id is None:
        abort(404)


def _start(process_id: str, institution_id: int, back: str):
    try:
        case = runtime.start(current_user, process_id, {"institution_id": institution_id})
    except ApiError as exc:
        db.session.rollback()
        flash(casework.fields_text(exc) or exc.message, "error")
        return redirect(back, 303)
    return casework.to_started_case(current_user, case)


def _pick(process_id: str):
    _nurse_only()
    if request.method == "POST":
        raw = request.form.get("institution_id", "")
        if not raw.isdigit() or len(raw) > 9:
            abort(400)
        return _start(process_id, int(raw), request.path)
    q = request.args.get("q", "").strip()[:40]
    found = list(db.session.scalars(
        select(Institution).where(Institution.status == "active", Institution.name.contains(q))
        .order_by(Institution.name, Institution.id).limit(SEARCH_LIMIT))) if q else []
    title, hint = PICKED[process_id]
    return render_template("nurses/registration.html", q=q, found=found, title=title, hint=hint)


@bp.route("/registration", methods=["GET", "POST"])
@login_required
def registration():
    return _pick("nurse_registration")


@bp.route("/change", methods=["GET", "POST"])
@login_required
def change():
    return _pick("nurse_change")


@bp.route("/renewal", methods=["GET", "POST"])
@login_required
def renewal():
    """N3 at the institution she is (or was last) registered at."""
    _nurse_only()
    nurse = current_user.nurse
    reg = next((r for r in reversed(nurse.registrations)
                if r.status in ("active", "expired")), None)
    if request.method == "POST":
        if reg is None:
            abort(404)
        return _start("nurse_renewal", reg.institution_id, url_for("nurse.renewal"))
    return render_template("nurses/renewal.html", nurse=nurse, registration=reg)


@bp.route("/activate", methods=["GET", "POST"])
@login_required
def activate():
    """账户激活: her institution's code while registered, else her exam record's number."""
    _nurse_only()
    info, errors, status = activation.state(current_user), {}, 200
    if info.activated:
        return redirect(url_for("home.index"))
    if request.method == "POST":
        try:
            if info.method == "code":
                activation.by_code(current_user, request.form.get("code", "")[:32])
            else:
                activation.by_certificate(current_user,
                                          request.form.get("certificate_number", "")[:32])
        except activation.ActivationError as exc:
            db.session.rollback()
            errors, status = {exc.field: [exc.message]}, exc.status
            info = activation.state(current_user)
        else:
            db.session.commit()
            flash("恭喜，您的账户已激活，现在可以使用全部功能。", "success")
            return redirect(url_for("home.index"), 303)
    return render_template("nurses/activate.html", info=info, errors=errors), status
