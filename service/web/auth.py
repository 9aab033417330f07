"""Login, logout and password change."""
from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from service.access import second_factor, sessions
from service.access.accounts import change_password as set_own_password
from service.access.login import LoginError, authenticate, login_rate_limit
from service.access.passwords import verify_password
from service.core.extensions import db, limiter
from service.core.params import local_path
from service.web.forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)
# The session key of a login whose password was right and whose second factor is still due.
PENDING = "pending_login"
PENDING_SECONDS = 300


def safe_path(target: str | None, fallback: str) -> str:
    """``target`` when it is a path of this site, else ``fallback``: never an open redirect
    (``//host`` and ``/\\host`` are other hosts to a browser)."""
    return local_path(target) or fallback


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            account = authenticate(form.username.data, form.password.data)
        except LoginError as exc:
            error = exc.message
        else:
            if second_factor.is_enrolled(account):
                return begin_second_step(account, request.args.get("next"))
            return open_session(account, request.args.get("next"))
    status = 401 if error else (400 if form.errors else 200)
    return render_template("auth/login.html", form=form, error=error), status


def begin_second_step(account, next_path: str | None):
    """The password was right: remember who is half logged in (for five minutes) and ask for
    the second factor's code."""
    session.clear()
    session[PENDING] = {"account": account.id, "epoch": account.session_epoch,
                        "until": time.time() + PENDING_SECONDS, "next": next_path}
    return redirect(url_for("second_factor.login_code"))


def open_session(account, next_path: str | None):
    """Start a server-side login for ``account`` in a fresh cookie and go where it goes next."""
    key = sessions.start(account)
    db.session.commit()
    session.clear()  # nothing from before the login survives into it (no session fixation)
    session[sessions.SESSION_KEY] = key
    login_user(account)
    if account.must_change_password:
        flash("首次登录或密码已重置，请先修改密码。", "warning")
        return redirect(url_for("auth.change_password"))
    return redirect(safe_path(next_path, url_for("home.index")))


@bp.post("/logout")
@login_required
def logout():
    # ends this login only: the holder's other browsers stay logged in (a password change
    # ends them all)
    sessions.end(session.get(sessions.SESSION_KEY))
    db.session.commit()
    logout_user()
    session.pop(sessions.SESSION_KEY, None)
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("当前密码不正确")
        elif form.new.data == form.current.data:
            form.new.errors.append("新密码不能与当前密码相同")
        else:
            problem = set_own_password(current_user, form.new.data)
            if problem:
                form.new.errors.append(problem)
            else:
                db.session.commit()
                login_user(current_user)  # the epoch changed: renew this session only
                flash("密码已修改。", "success")
                return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status
