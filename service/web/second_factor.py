"""The second factor on pages: enrolment with a QR code, the code step of the login, and the
platform administrator's reset (seed 000's 电子钥匙)."""
from __future__ import annotations

import time

import segno
from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from service.access import second_factor as factor
from service.access.login import login_rate_limit
from service.access.models import Account
from service.access.policy import MANAGE, require
from service.core.extensions import db, limiter
from service.web.auth import PENDING, open_session
from service.web.forms import SecondFactorCodeForm

bp = Blueprint("second_factor", __name__)


def _pending_account() -> Account | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    account = db.session.get(Account, pending.get("account"))
    if account is None or account.session_epoch != pending.get("epoch") or not account.is_enabled:
        return None
    return account


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login_code():
    account = _pending_account()
    if account is None:
        session.pop(PENDING, None)
        flash("登录已超时，请重新输入用户名和密码。", "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorCodeForm()
    error = None
    if form.validate_on_submit():
        try:
            factor.verify(account, form.code.data)
        except factor.SecondFactorError as exc:
            db.session.commit()  # the count of wrong codes survives the refusal
            error = exc.message
        else:
            db.session.commit()
            return open_session(account, session.get(PENDING, {}).get("next"))
    status = 401 if error else (400 if form.errors else 200)
    return render_template("auth/login_code.html", form=form, error=error), status


@bp.route("/security/second-factor", methods=["GET", "POST"])
@login_required
def enrol():
    if factor.is_enrolled(current_user):
        return render_template("auth/second_factor.html", enrolled=True,
                               left=factor.recovery_codes_left(current_user),
                               required=factor.is_required(current_user))
    form = SecondFactorCodeForm()
    error = None
    if form.validate_on_submit():
        try:
            codes = factor.confirm(current_user, form.code.data)
        except factor.SecondFactorError as exc:
            db.session.commit()
            error = exc.message
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
    secret = factor.pending_secret(current_user)
    db.session.commit()
    qr = segno.make(factor.provisioning_uri(current_user, secret), error="m")
    status = 401 if error else (400 if form.errors else 200)
    return render_template(
        "auth/second_factor.html", enrolled=False, form=form, error=error,
        secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        qr=Markup(qr.svg_inline(scale=5, dark="#1f2933", title="电子钥匙二维码")),
        required=factor.is_required(current_user)), status


@bp.post("/accounts/<int:account_id>/second-factor/reset")
@login_required
def reset(account_id: int):
    if not current_user.has_role("sysadmin"):
        abort(403)
    target = require(current_user, Account, account_id, MANAGE)
    factor.reset(target)
    db.session.commit()
    flash(f"已重置 {target.username} 的电子钥匙，该账户下次登录时重新启用。", "success")
    return redirect(url_for("accounts.index")), 303
