"""The physician's sign-up pages (医师个人版 用户注册, seed 003 ch.2 §1.2), public.

Step 1 (name and resident ID) is remembered in the session for half an hour; step 2 sends the
codes and creates the account; the last page shows the masked summary. The service checks
everything again on the last step, so a stale or forged session gains nothing.
"""
from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from service.access.login import login_rate_limit
from service.core.extensions import db, limiter
from service.core.masking import mask_id
from service.physicians.forms import IdentityForm, SignupAccountForm, put_errors
from service.physicians.signup import (
    SignupError,
    SignupRequest,
    check_identity,
    create_account,
    send_code,
    summary,
)

bp = Blueprint("signup", __name__, url_prefix="/physician/signup")
STEP_TTL = 30 * 60  # seconds a checked identity stays valid between the two steps


def _checked() -> dict | None:
    data = session.get("signup")
    if not isinstance(data, dict) or time.time() - data.get("at", 0) > STEP_TTL:
        return None
    return data


@bp.route("", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def identity():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = IdentityForm()
    refusal = None
    if form.validate_on_submit():
        try:
            found = check_identity(form.name.data, form.id_number.data)
        except SignupError as exc:
            put_errors(form, exc.fields, "id_number")
            refusal = exc.code
        else:
            session["signup"] = {"name": found.qualification.name,
                                 "id_number": found.qualification.id_number,
                                 "at": time.time()}
            return redirect(url_for("signup.account"), 303)
    status = 422 if form.errors or refusal else 200
    return render_template("physician/signup_identity.html", form=form, refusal=refusal), status


@bp.route("/account", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def account():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    checked = _checked()
    if checked is None:
        flash("请先填写姓名和身份证号进行资格校验。", "warning")
        return redirect(url_for("signup.identity"))
    form = SignupAccountForm()
    status = 200
    if form.validate_on_submit():
        action = request.form.get("action", "submit")
        try:
            if action in ("send_sms", "send_email"):
                _send(checked, form, "sms" if action == "send_sms" else "email")
            else:
                created = create_account(SignupRequest(
                    name=checked["name"], id_number=checked["id_number"],
                    phone=form.phone.data or "", phone_code=form.phone_code.data or "",
                    email=form.email.data or "", email_code=form.email_code.data or "",
                    username=form.username.data or "", password=form.password.data or "",
                    confirm=form.confirm.data or ""))
                db.session.commit()
                session.pop("signup", None)
                session["signup_done"] = summary(created)
                return redirect(url_for("signup.done"), 303)
        except SignupError as exc:
            db.session.rollback()
            put_errors(form, exc.fields, "username")
            status = exc.status
    elif form.errors:
        status = 422
    return render_template("physician/signup_account.html", form=form,
                           name=checked["name"], id_number=mask_id(checked["id_number"])), status


def _send(checked: dict, form: SignupAccountForm, channel: str) -> None:
    identity = check_identity(checked["name"], checked["id_number"])
    address = form.phone.data if channel == "sms" else form.email.data
    send_code(identity, channel, address)
    db.session.commit()
    where = "手机" if channel == "sms" else "电子邮箱"
    flash(f"验证码已发送至您的{where}，10 分钟内有效。", "success")


@bp.get("/done")
def done():
    shown = session.get("signup_done")
    if not isinstance(shown, dict):
        return redirect(url_for("auth.login"))
    return render_template("physician/signup_done.html", account=shown)
