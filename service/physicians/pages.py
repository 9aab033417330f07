"""The physician's own pages (医师个人版, seed 003 ch.2 §2): basic, qualification, practice and
assessment information, account activation, and her cases.

Business applications (业务申请, 信息维护) are in ``physician_business.py`` and security
settings in ``physician_security.py``; both add their routes to this blueprint.

Until her account is activated a physician sees only activation, her qualification, the
applications allowed before activation and their cases (seed 003 ch.4); every other page
sends her to the activation page.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from service.access.models import Account
from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_id
from service.engine import definitions, runtime
from service.engine.models import Case, WorkItem
from service.engine.routing import may_act
from service.persons import activation
from service.physicians import assessments
from service.physicians.forms import ActivationCodeForm, CertificateForm, put_errors
from service.physicians.models import Physician, PracticeRegistration
from service.physicians.routes import ALLOWED_BEFORE_ACTIVATION, authority_for
from service.physicians.rules import location_name
from service.registry.reference import Administration

bp = Blueprint("physician", __name__, url_prefix="/physician")

# Open to an account that is not activated yet; "task_forms" and "cases" serve the cases of
# the applications allowed before activation (the engine and the case rule decide the rest).
BEFORE_ACTIVATION = {
    "physician.activate", "physician.qualification", "physician.businesses",
    "physician.apply", "physician.cases", "auth.logout", "auth.change_password", "static",
}
BEFORE_ACTIVATION_AREAS = {"task_forms", "cases", "api_v1", "health", "signup", "recovery", "help"}


@bp.before_app_request
def _activation_first():
    if request.blueprint in BEFORE_ACTIVATION_AREAS or request.endpoint in BEFORE_ACTIVATION:
        return None
    if not current_user.is_authenticated or current_user.kind != "physician":
        return None
    if current_user.activated_at is None:
        return redirect(url_for("physician.activate"))
    return None


def me() -> Account:
    """The logged-in physician (404 for anyone else: these pages are hers alone)."""
    if current_user.kind != "physician" or current_user.physician is None:
        abort(404)
    return current_user


def physician() -> Physician:
    return me().physician


def approving_authority(reg: PracticeRegistration) -> Administration | None:
    """The authority the institution set for the category (审批机关设置), else its issuer."""
    if reg.institution is None:
        return None
    return db.session.get(Administration, authority_for(reg.institution, reg.category).id)


def _page(template: str, **context):
    doc = physician()
    return render_template(
        f"physician/{template}", physician=doc, masked_id=mask_id(doc.id_number),
        registrations=doc.registrations, approving_authority=approving_authority,
        location_name=location_name, **context)


@bp.get("/")
@login_required
def home():
    """基本信息, with the practice summary under it."""
    return _page("home.html")


@bp.get("/qualification")
@login_required
def qualification():
    """资格信息: the qualification record as the national records hold it (never changed here)."""
    return _page("qualification.html", q=physician().qualification)


@bp.get("/practice")
@login_required
def practice():
    """执业信息: every registration, with the lifelong certificate number."""
    return _page("practice.html")


@bp.get("/assessment")
@login_required
def assessment():
    """考核信息: her periodic assessments and the grounds they make."""
    records = assessments.records_of(me().physician_id)
    return _page("assessment.html", assessments=records, grounds=assessments.grounds(records))


@bp.route("/activate", methods=["GET", "POST"])
@login_required
def activate():
    account = me()
    info = activation.state(account)
    if info.activated:
        if request.method == "POST":
            flash("您的账户已激活，无需重复激活。", "info")
        return redirect(url_for("physician.home"))
    code_form, cert_form = ActivationCodeForm(prefix="a"), CertificateForm(prefix="c")
    status = 200
    if request.method == "POST":
        form = code_form if request.form.get("method") == "code" else cert_form
        if form.validate_on_submit():
            try:
                if form is code_form:
                    activation.by_code(account, code_form.code.data)
                else:
                    activation.by_certificate(account, cert_form.certificate_number.data)
            except activation.ActivationError as exc:
                db.session.rollback()
                put_errors(form, {exc.field: [exc.message]},
                           "code" if form is code_form else "certificate_number")
                status = exc.status
            else:
                db.session.commit()
                flash("恭喜，您的账户已激活，现在可以使用全部功能。", "success")
                return redirect(url_for("physician.home"), 303)
        else:
            status = 400
        info = activation.state(account)
    return render_template(
        "physician/activate.html", info=info, code_form=code_form, cert_form=cert_form,
        allowed=_allowed_before_activation()), status


def _allowed_before_activation() -> list:
    return [d for d in definitions.all_latest()
            if d.process_id in ALLOWED_BEFORE_ACTIVATION]


@bp.get("/cases")
@login_required
def cases():
    """业务查询: her applications and the cases about her, newest first; her open tasks."""
    account = me()
    rows = list(db.session.scalars(
        select(Case).where(or_(Case.started_by_id == account.id,
                               Case.subject_physician_id == account.physician_id))
        .order_by(Case.id.desc()).limit(200)))
    items = list(db.session.scalars(select(WorkItem).where(
        WorkItem.organisation_kind == "physician",
        WorkItem.organisation_id == account.physician_id, WorkItem.status == "open")
        .order_by(WorkItem.id)))
    return render_template(
        "physician/cases.html", cases=rows, items=[i for i in items if may_act(account, i)],
        names=casework.process_names())


def start_case(process_id: str, institution_id: int, data: dict | None = None):
    """Start one of her businesses and open its first form (or the case page)."""
    try:
        case = runtime.start(me(), process_id, {"institution_id": institution_id}, data)
    except ApiError as exc:
        db.session.rollback()
        flash(casework.fields_text(exc) if exc.fields else exc.message, "error")
        return None
    return casework.to_started_case(me(), case)
