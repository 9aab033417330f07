"""安全设置 (seed 003 ch.2 §2.2): the verified phone and e-mail, password change, last logins."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from service.access import contacts
from service.access.codes import CodeError
from service.access.login import login_rate_limit
from service.core.extensions import db, limiter
from service.core.masking import mask_phone
from service.physicians.forms import ContactCodeForm, put_errors
from service.physicians.pages import bp
from service.physicians.signup import mask_email

CHANNELS = {"sms": "手机", "email": "邮箱"}


@bp.get("/security")
@login_required
def security():
    account = current_user
    if account.kind != "physician":
        abort(404)
    return render_template(
        "physician/security.html", account=account, phone=mask_phone(account.phone),
        email=mask_email(account.email))


@bp.route("/security/contact/<channel>", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
def verify_contact(channel: str):
    """验证手机 / 我的邮箱: send a code to the (new) address, enter it, and it is verified."""
    account = current_user
    if account.kind != "physician" or channel not in CHANNELS:
        abort(404)
    form = ContactCodeForm()
    status = 200
    if request.method == "GET":
        form.address.data = account.phone if channel == "sms" else account.email
    elif form.validate_on_submit():
        try:
            if request.form.get("action") == "send":
                contacts.send_code(account, channel, form.address.data)
                db.session.commit()
                flash(f"校验码已发送至该{CHANNELS[channel]}，10 分钟内有效。", "success")
            else:
                contacts.confirm(account, channel, form.address.data, form.code.data)
                db.session.commit()
                flash(f"{CHANNELS[channel]}验证成功，可用于找回您的登录账户。", "success")
                return redirect(url_for("physician.security"), 303)
        except CodeError as exc:
            db.session.rollback()
            put_errors(form, {exc.field: [exc.message]}, "code")
            status = exc.status
    else:
        status = 400
    return render_template("physician/verify_contact.html", form=form, channel=channel,
                           channel_name=CHANNELS[channel]), status
