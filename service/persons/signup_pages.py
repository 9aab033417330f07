"""The sign-up pages of a persons' domain (个人版 用户注册, seed 003 ch.2 §1.2), public.

Each domain (physicians, nurses) makes its blueprint with :func:`signup_blueprint`, naming its
sign-up functions and its notice (the wording, ``seed/notices/<domain>_signup.json``); the
pages and templates (``templates/persons/signup_*``) are the same. Step 1 (name and resident ID) is remembered in the session for half an hour;
step 2 sends the codes and creates the account; the last page shows the masked summary. The
service checks everything again on the last step, so a stale or forged session gains nothing.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from service.access.login import login_rate_limit
from service.core.extensions import db, limiter
from service.core.masking import mask_id
from service.persons.page_forms import IdentityForm, SignupAccountForm, put_errors
from service.persons.signup import SignupError, SignupRequest, send_code
from service.registry.seeding import SEED_DIR

STEP_TTL = 30 * 60  # seconds a checked identity stays valid between the two steps


@dataclass(frozen=True)
class SignupWords:
    """How a domain's sign-up pages speak: the edition (医师个人版), the person (医师), her
    record (医师资格信息), the guidance when no record matches, the notes on activation, and
    the done page's next step for a person without a valid registration."""

    edition: str
    person: str
    record: str
    not_found_hints: tuple[str, ...]
    notes: tuple[str, ...]
    unregistered_next: str

    @classmethod
    def load(cls, notice: str) -> SignupWords:
        """The wording in ``seed/notices/<notice>.json`` (its ``default``)."""
        data = json.loads((SEED_DIR / "notices" / f"{notice}.json").read_text(encoding="utf-8"))
        words = data["default"]
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in words.items()})


@dataclass(frozen=True)
class SignupDoors:
    """A domain's sign-up functions: ``check_identity(name, id_number)``,
    ``create_account(SignupRequest)`` and ``summary(account)``."""

    check_identity: Callable[..., Any]
    create_account: Callable[[SignupRequest], Any]
    summary: Callable[[Any], dict]


def signup_blueprint(name: str, url_prefix: str, notice: str, doors: SignupDoors) -> Blueprint:
    """The three sign-up pages at ``url_prefix`` (``/account`` and ``/done`` below it), in the
    wording of ``seed/notices/<notice>.json``."""
    bp = Blueprint(name, __name__, url_prefix=url_prefix)
    words = SignupWords.load(notice)
    step_key, done_key = f"{name}_step", f"{name}_done"

    def render(template: str, **context):
        return render_template(f"persons/{template}", words=words, **context)

    def checked() -> dict | None:
        data = session.get(step_key)
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
                found = doors.check_identity(form.name.data, form.id_number.data)
            except SignupError as exc:
                put_errors(form, exc.fields, "id_number")
                refusal = exc.code
            else:
                session[step_key] = {"name": found.qualification.name,
                                     "id_number": found.qualification.id_number,
                                     "at": time.time()}
                return redirect(url_for(f"{name}.account"), 303)
        status = 422 if form.errors or refusal else 200
        return render("signup_identity.html", form=form, refusal=refusal), status

    @bp.route("/account", methods=["GET", "POST"])
    @limiter.limit(login_rate_limit, methods=["POST"])
    def account():
        if current_user.is_authenticated:
            return redirect(url_for("home.index"))
        step = checked()
        if step is None:
            flash("请先填写姓名和身份证号进行资格校验。", "warning")
            return redirect(url_for(f"{name}.identity"))
        form = SignupAccountForm()
        status = 200
        if form.validate_on_submit():
            action = request.form.get("action", "submit")
            try:
                if action in ("send_sms", "send_email"):
                    _send(doors, step, form, "sms" if action == "send_sms" else "email")
                else:
                    created = doors.create_account(SignupRequest(
                        name=step["name"], id_number=step["id_number"],
                        phone=form.phone.data or "", phone_code=form.phone_code.data or "",
                        email=form.email.data or "", email_code=form.email_code.data or "",
                        username=form.username.data or "", password=form.password.data or "",
                        confirm=form.confirm.data or ""))
                    db.session.commit()
                    session.pop(step_key, None)
                    session[done_key] = doors.summary(created)
                    return redirect(url_for(f"{name}.done"), 303)
            except SignupError as exc:
                db.session.rollback()
                put_errors(form, exc.fields, "username")
                status = exc.status
        elif form.errors:
            status = 422
        return render("signup_account.html", form=form, name=step["name"],
                      id_number=mask_id(step["id_number"])), status

    @bp.get("/done")
    def done():
        shown = session.get(done_key)
        if not isinstance(shown, dict):
            return redirect(url_for("auth.login"))
        return render("signup_done.html", account=shown)

    return bp


def _send(doors: SignupDoors, step: dict, form: SignupAccountForm, channel: str) -> None:
    doors.check_identity(step["name"], step["id_number"])  # still hers, still no account
    send_code(channel, form.phone.data if channel == "sms" else form.email.data)
    db.session.commit()
    where = "手机" if channel == "sms" else "电子邮箱"
    flash(f"验证码已发送至您的{where}，10 分钟内有效。", "success")
