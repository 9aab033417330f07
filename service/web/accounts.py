"""Account management: the accounts an administration issued, issuing, reset, enable/disable."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access.accounts import AccountError, issue_account, reset_password, set_enabled
from service.access.models import ADMINISTRATION_ROLES, INSTITUTION_ROLES, KINDS, ROLES, Account
from service.access.policy import MANAGE, model_named, require, scope
from service.core.extensions import db
from service.core.params import to_id
from service.registry.reference import Administration
from service.web.forms import IssueAccountForm

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
PAGE = 30
MAX_CHOICES = 500


def _manager_only():
    if not current_user.has_role("bureau_accounts", "sysadmin"):
        abort(403)


@bp.get("/")
@login_required
def index():
    _manager_only()
    stmt = select(Account).where(scope(current_user, MANAGE, Account))
    q = (request.args.get("q") or "").strip()[:40]
    if q:
        stmt = stmt.where(Account.username.contains(q) | Account.display_name.contains(q))
    after = to_id(request.args.get("after"))
    if after is not None:
        stmt = stmt.where(Account.id > after)
    items = list(db.session.scalars(stmt.order_by(Account.id).limit(PAGE + 1)))
    next_after = items[PAGE - 1].id if len(items) > PAGE else None
    return render_template("accounts/index.html", items=items[:PAGE], next_after=next_after,
                           q=q, kinds=KINDS, roles=ROLES)


def _organisation_choices() -> list[tuple[str, str]]:
    admins = db.session.scalars(
        select(Administration).where(scope(current_user, MANAGE, Administration))
        .order_by(Administration.division_code).limit(MAX_CHOICES)
    )
    institution = model_named("institution")
    insts = [] if institution is None else db.session.scalars(
        select(institution).where(scope(current_user, MANAGE, institution),
                                  institution.status != "cancelled")
        .order_by(institution.name).limit(MAX_CHOICES)
    )
    return ([("", "请选择")] + [(f"a:{a.id}", f"【行政部门】{a.name}") for a in admins]
            + [(f"i:{i.id}", f"【医疗机构】{i.name}") for i in insts])


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    _manager_only()
    form = IssueAccountForm()
    form.organisation.choices = _organisation_choices()
    if request.method == "GET" and request.args.get("organisation"):
        form.organisation.data = request.args["organisation"]
    if form.validate_on_submit():
        kind, _, ident = form.organisation.data.partition(":")
        target = {"administration_id": int(ident)} if kind == "a" else {"institution_id": int(ident)}
        try:
            issued = issue_account(
                current_user, username=form.username.data, display_name=form.display_name.data,
                phone=form.phone.data, email=form.email.data, roles=form.roles.data or [], **target,
            )
        except AccountError as exc:
            for name, messages in exc.fields.items():
                field = getattr(form, name, form.organisation)
                field.errors = list(field.errors) + messages
        else:
            db.session.commit()
            flash(f"账户 {issued.account.username} 已发放，初始密码已通过短信发送至 "
                  f"{issued.account.phone[:3]}****{issued.account.phone[-4:]}。", "success")
            return redirect(url_for("accounts.index"))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/new.html", form=form, roles=ROLES,
        administration_roles=ADMINISTRATION_ROLES, institution_roles=INSTITUTION_ROLES,
    ), status


@bp.post("/<int:account_id>/reset")
@login_required
def reset(account_id: int):
    _manager_only()
    target = require(current_user, Account, account_id, MANAGE)
    reset_password(current_user, target)
    db.session.commit()
    flash(f"已为 {target.username} 重置密码，新密码已通过短信发送。", "success")
    return redirect(url_for("accounts.index")), 303


@bp.post("/<int:account_id>/enabled")
@login_required
def toggle(account_id: int):
    _manager_only()
    target = require(current_user, Account, account_id, MANAGE)
    enable = request.form.get("enabled") == "1"
    if target.id == current_user.id and not enable:
        flash("不能停用自己的账户。", "error")
    else:
        set_enabled(target, enable)
        db.session.commit()
        flash(f"账户 {target.username} 已{'启用' if enable else '停用'}。", "success")
    return redirect(url_for("accounts.index")), 303
