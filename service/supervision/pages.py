"""S1 pages: sign-up (注册页面 1–2), following a review and correcting a return, the
administration's 注册审核 list and detail, proof images, and the institution's portal."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access import policy
from service.core.extensions import db
from service.documents.models import Document
from service.documents.service import DocumentError, file_path, store_upload
from service.registry import codes
from service.registry.reference import Division
from service.supervision import signup
from service.supervision.access import member_of
from service.supervision.catalogue import checklist_province, scope_names, scope_tree
from service.supervision.models import SupervisedUnit

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
SESSION_KEY = "sv_signup_unit"


def _form_data() -> dict:
    data = {k: request.form.get(k, "") for k in request.form if k not in ("subject_codes", "scope")}
    data["subject_codes"] = request.form.getlist("subject_codes")
    data["scope"] = request.form.getlist("scope")
    return data


def _proofs() -> list:
    """Deferred stores of the uploaded proof images (they need the uploader's account)."""
    files = [f for f in request.files.getlist("proofs") if f and f.filename]
    return [lambda account, f=f: store_upload(account, f, kind="机构证明材料").id for f in files]


def _form_context(province_division: str = "500000") -> dict:
    province, version = checklist_province(province_division)
    counties = db.session.scalars(select(Division).where(
        Division.level == "county", Division.code.like(province_division[:2] + "%"))
        .order_by(Division.code)).all()
    return {"counties": counties, "levels": codes.choices("level"),
            "natures": codes.choices("management_class"),
            "subjects": [(c, n) for c, n in codes.choices("subject") if "." not in c],
            "tree": scope_tree(province, version)}


@bp.route("/signup", methods=["GET", "POST"])
def signup_page():
    errors: dict = {}
    data: dict = {}
    if request.method == "POST":
        data = _form_data()
        try:
            unit = signup.submit(data, _proofs())
        except (signup.SignupError, DocumentError) as exc:
            db.session.rollback()
            errors = exc.fields if isinstance(exc, signup.SignupError) else {"proofs": [exc.message]}
        else:
            db.session.commit()
            session[SESSION_KEY] = unit.id
            flash("注册已提交，请等待所在地区卫生健康行政部门审核，审核通过后方可用手机号登录。", "success")
            return redirect(url_for("supervision.signup_status"))
    return render_template("supervision/signup.html", data=data, errors=errors,
                           **_form_context()), 400 if errors else 200


def _followed_unit() -> SupervisedUnit | None:
    unit_id = session.get(SESSION_KEY)
    return db.session.get(SupervisedUnit, unit_id) if unit_id else None


@bp.route("/signup/status", methods=["GET", "POST"])
def signup_status():
    error = None
    if request.method == "POST" and "phone" in request.form:
        unit = signup.unit_for_credentials(request.form.get("phone", ""), request.form.get("password", ""))
        if unit is None:
            error = "手机号码或密码错误"
        else:
            session[SESSION_KEY] = unit.id
    unit = _followed_unit()
    return render_template("supervision/status.html", unit=unit, error=error,
                           scope=_scope_text(unit) if unit else ""), 401 if error else 200


@bp.route("/signup/correct", methods=["GET", "POST"])
def signup_correct():
    unit = _followed_unit()
    if unit is None or unit.status != "returned":
        return redirect(url_for("supervision.signup_status"))
    errors: dict = {}
    data = {k: getattr(unit, k) for k in signup.UNIT_FIELDS}
    if request.method == "POST":
        data = _form_data()
        try:
            signup.correct(unit, data, _proofs())
        except (signup.SignupError, DocumentError) as exc:
            db.session.rollback()
            errors = exc.fields if isinstance(exc, signup.SignupError) else {"proofs": [exc.message]}
        else:
            db.session.commit()
            flash("修改已重新提交，请等待审核。", "success")
            return redirect(url_for("supervision.signup_status"))
    return render_template("supervision/signup.html", data=data, errors=errors, correcting=unit,
                           **_form_context(unit.province_code)), 400 if errors else 200


def _scope_text(unit: SupervisedUnit) -> str:
    return "、".join(scope_names(unit.checklist_province, unit.checklist_version, unit.scope))


@bp.get("/reviews")
@login_required
def reviews():
    if current_user.kind not in ("administration", "staff"):
        abort(403)
    units = db.session.scalars(select(SupervisedUnit).where(
        policy.scope(current_user, policy.READ, SupervisedUnit))
        .order_by(SupervisedUnit.division_code, SupervisedUnit.id)).all()
    return render_template("supervision/reviews.html", units=units)


@bp.route("/reviews/<int:unit_id>", methods=["GET", "POST"])
@login_required
def review(unit_id: int):
    unit = policy.require(current_user, SupervisedUnit, unit_id)
    errors: dict = {}
    if request.method == "POST":
        policy.require(current_user, SupervisedUnit, unit_id, policy.MANAGE)
        try:
            signup.review(current_user, unit, request.form.get("decision", ""),
                          request.form.get("reason"))
        except signup.SignupError as exc:
            db.session.rollback()
            errors = exc.fields
        else:
            db.session.commit()
            flash("审核结果已提交。", "success")
            return redirect(url_for("supervision.reviews"))
    return render_template("supervision/review.html", unit=unit, errors=errors,
                           scope=_scope_text(unit),
                           may_review=policy.can(current_user, policy.MANAGE, unit)), \
        400 if errors else 200


@bp.get("/units/<int:unit_id>/proofs/<int:document_id>")
def proof(unit_id: int, document_id: int):
    """A proof image, for those who read the sign-up (or follow it after submitting)."""
    unit = db.session.get(SupervisedUnit, unit_id)
    followed = session.get(SESSION_KEY) == unit_id
    readable = current_user.is_authenticated and policy.readable(current_user, "supervised_unit", unit_id)
    if unit is None or document_id not in unit.licence_document_ids or not (followed or readable):
        abort(404)
    doc = db.session.get(Document, document_id)
    return send_file(file_path(doc), mimetype=doc.media_type, download_name=doc.filename)


@bp.get("/")
@login_required
def portal():
    member = member_of(current_user)
    if member is None:
        abort(404)
    return render_template("supervision/portal.html", member=member, unit=member.unit,
                           scope=_scope_text(member.unit))
