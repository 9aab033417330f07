"""Applicant accounts (申请人账户): a prospective institution without a licence applies online.

The applicant signs up herself (name and resident ID, a phone and an e-mail each proved by a
code, a user name and a password: ``service.access.signup``), then starts 设置审批, 诊所备案 or
执业登记 where the institution will be, answers returns for correction and follows her own
cases (she reads only the cases she started; their tasks go to her account alone). When
approval creates the institution, its account is opened and the case links to it.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access import signup as self_signup
from service.access.login import login_rate_limit
from service.access.models import Account
from service.access.passwords import hash_password
from service.access.signup import SignupError, SignupRequest
from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db, limiter
from service.core.masking import mask_email, mask_phone
from service.core.times import utcnow
from service.engine import definitions, runtime
from service.engine.models import Case
from service.institutions.routes import NEW_INSTITUTION_PROCESSES
from service.persons.signup_api import SignupDoor, add_signup_routes
from service.registry.reference import Administration, Division
from service.web.home import home_context

bp = Blueprint("applicants", __name__, url_prefix="/applicants")
KIND = "applicant"
ROLES = ["applicant"]
SIGNUP_FIELDS = ("name", "id_number", "phone", "phone_code", "email", "email_code", "username",
                 "password")


def check_identity(name: str | None, id_number: str | None) -> tuple[str, str]:
    """Step 1: a real name and a valid resident ID (no register to match them against)."""
    return self_signup.checked_name_and_id(name, id_number)


def create_account(req: SignupRequest) -> Account:
    """Step 2: the applicant's account, active at once (her contacts are proved); the caller
    commits."""
    name, _ = check_identity(req.name, req.id_number)
    checked = self_signup.check_contacts(req)
    now = utcnow()
    account = Account(
        username=req.username.strip(), password_hash=hash_password(req.password),
        display_name=name, kind=KIND, roles=ROLES, phone=checked.phone, email=checked.email,
        phone_verified_at=now, email_verified_at=now, activated_at=now)
    return self_signup.save_account(account, checked)


def summary(account: Account) -> dict:
    return {"username": account.username, "phone": mask_phone(account.phone),
            "email": mask_email(account.email), "activated": True}


add_signup_routes("/applicants", "applicant_signup", SignupDoor(
    check_identity=check_identity, create_account=create_account, summary=summary,
    activation=lambda identity: "none"))


def startable() -> list:
    """The new-institution businesses an applicant may start (their BPMN names her lane)."""
    return [d for d in definitions.all_latest()
            if d.process_id in NEW_INSTITUTION_PROCESSES and KIND in (d.startable_by or [])]


def counties() -> list[Division]:
    """County-level divisions with an administration to apply to."""
    return list(db.session.scalars(select(Division).join(
        Administration, Administration.division_code == Division.code).where(
        Division.level == "county").order_by(Division.code)))


def institution_accounts(cases: list[Case]) -> dict[int, Account]:
    """The institution account each approved case of the applicant links to."""
    ids = [c.subject_institution_id for c in cases if c.subject_institution_id]
    if not ids:
        return {}
    accounts = db.session.scalars(select(Account).where(
        Account.institution_id.in_(ids), Account.kind == "institution").order_by(Account.id))
    out: dict[int, Account] = {}
    for account in accounts:
        out.setdefault(account.institution_id, account)
    return out


@home_context(KIND)
def applicant_home(actor):
    return redirect(url_for("applicants.index"))


def _applicant() -> None:
    if current_user.kind != KIND:
        abort(404)


@bp.get("/")
@login_required
def index():
    _applicant()
    cases = list(db.session.scalars(select(Case).where(
        Case.started_by_id == current_user.id).order_by(Case.id.desc()).limit(100)))
    return render_template("institutions/applicant_cases.html", cases=cases,
                           processes=startable(), divisions=counties(),
                           accounts=institution_accounts(cases),
                           outcome_name=casework.outcome_name)


@bp.post("/")
@login_required
def start():
    _applicant()
    process_id = request.form.get("process", "")
    if process_id not in {d.process_id for d in startable()}:
        flash("请选择要申请的业务。", "error")
        return redirect(url_for("applicants.index"), 303)
    try:
        case = runtime.start(current_user, process_id,
                             {"division_code": request.form.get("division_code", "")})
    except ApiError as exc:
        db.session.rollback()
        flash("；".join(m for ms in (exc.fields or {}).values() for m in ms) or exc.message, "error")
        return redirect(url_for("applicants.index"), 303)
    return casework.to_started_case(current_user, case)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def signup():
    """One page: the details, a button per contact that sends its code, and 注册."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    values = {k: (request.form.get(k) or "").strip() for k in SIGNUP_FIELDS if k != "password"}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action in ("sms", "email"):
                check_identity(values["name"], values["id_number"])
                self_signup.send_code(action, values["phone" if action == "sms" else "email"])
                db.session.commit()
                flash("验证码已发送，10 分钟内有效。", "success")
            elif action == "create":
                req = SignupRequest(**values, password=request.form.get("password") or "",
                                    confirm=request.form.get("confirm") or "")
                create_account(req)
                db.session.commit()
                flash("注册成功，请使用新账户登录后在线申请。", "success")
                return redirect(url_for("auth.login"), 303)
        except SignupError as exc:
            db.session.rollback()
            errors = exc.fields
    return render_template("institutions/applicant_signup.html", values=values,
                           errors=errors), 422 if errors else 200
