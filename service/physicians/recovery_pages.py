"""Password recovery pages (找回您的登录账户, seed 003 ch.4), public.

A successful check (a code sent to the verified phone or e-mail, or the personal data) grants
ten minutes to set a new password; the grant names the account's session epoch, so it is
spent by the reset itself (which ends every session of the account).
"""
from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from service.access.login import login_rate_limit
from service.access.models import Account
from service.core.extensions import db, limiter
from service.persons.recovery import (
    RecoveryError,
    check_code,
    check_personal,
    reset_password,
    send_code,
)
from service.physicians.forms import (
    ContactCodeForm,
    NewPasswordForm,
    RecoverPersonalForm,
    put_errors,
)
from service.physicians.signup import mask_middle

bp = Blueprint("recovery", __name__, url_prefix="/password/recover")
GRANT_TTL = 10 * 60
CHANNELS = {"sms": "手机", "email": "邮箱"}


@bp.get("")
def index():
    return render_template("physician/recover_index.html")


def _grant(account: Account) -> None:
    session["recovery"] = {"account": account.id, "epoch": account.session_epoch,
                           "at": time.time()}


def _granted() -> Account | None:
    grant = session.get("recovery")
    if not isinstance(grant, dict) or time.time() - grant.get("at", 0) > GRANT_TTL:
        return None
    account = db.session.get(Account, grant.get("account") or 0)
    if account is None or account.session_epoch != grant.get("epoch") or not account.is_enabled:
        return None
    return account


@bp.route("/<channel>", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def by_contact(channel: str):
    if channel not in CHANNELS:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = ContactCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "send":
                send_code(channel, form.address.data)
                db.session.commit()
                flash(f"如该{CHANNELS[channel]}已在本系统通过验证，验证码已发送，10 分钟内有效。", "info")
            else:
                account = check_code(channel, form.address.data, form.code.data)
                db.session.commit()
                _grant(account)
                return redirect(url_for("recovery.reset"), 303)
        except RecoveryError as exc:
            db.session.rollback()
            put_errors(form, {"address" if exc.field in ("phone", "email") else exc.field:
                              [exc.message]}, "code")
            status = exc.status
    elif form.errors:
        status = 422
    return render_template("physician/recover_contact.html", form=form, channel=channel,
                           channel_name=CHANNELS[channel]), status


@bp.route("/personal", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def by_personal_data():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RecoverPersonalForm()
    status, error = 200, None
    if form.validate_on_submit():
        try:
            account = check_personal(form.name.data, form.id_number.data,
                                     form.certificate_number.data)
        except RecoveryError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            db.session.commit()
            _grant(account)
            return redirect(url_for("recovery.reset"), 303)
    elif form.errors:
        status = 422
    return render_template("physician/recover_personal.html", form=form, error=error), status


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def reset():
    account = _granted()
    if account is None:
        flash("验证已过期，请重新验证身份。", "warning")
        return redirect(url_for("recovery.index"))
    form = NewPasswordForm()
    status = 200
    username = mask_middle(account.username, 2, 3)
    if form.validate_on_submit():
        try:
            reset_password(account, form.password.data or "", form.confirm.data or "")
        except RecoveryError as exc:
            put_errors(form, {exc.field: [exc.message]}, "password")
            status = exc.status
        else:
            db.session.commit()
            session.pop("recovery", None)
            flash(f"密码已重置，请使用用户名 {username} 和新密码登录。", "success")
            return redirect(url_for("auth.login"), 303)
    elif form.errors:
        status = 422
    return render_template("physician/recover_reset.html", form=form, username=username), status
