"""Account activation codes for the institution's physicians, revoking a wrongly created
physician account (seed 003 ch.3 §5, §5.1) and verification by resident ID (§6.2, §6.3)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access.models import Account
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_email, mask_phone
from service.core.paging import QueryError
from service.core.params import to_id
from service.persons import activation_codes as activation
from service.physicians import lookups
from service.physicians.accounts import PHYSICIAN
from service.physicians.institution_pages import PAGE_SIZE, bp, reader, report, writer
from service.physicians.lists import RosterFilters, roster_page


@bp.get("/activation-codes")
@login_required
def activation_codes():
    inst = reader()
    errors: dict = {}
    rows, next_cursor, flt = [], None, RosterFilters()
    try:
        flt = RosterFilters(name=RosterFilters.from_args(request.args).name)
        rows, next_cursor = roster_page(current_user, inst, "main", flt, PAGE_SIZE,
                                        request.args.get("cursor") or None)
    except QueryError as exc:
        errors = exc.fields
    ids = [r.physician.id for r in rows]
    accounts = _enabled_accounts(ids)
    return render_template(
        "institution/activation.html", inst=inst, rows=rows, next_cursor=next_cursor,
        filters=flt, errors=errors, args=request.args, codes=activation.latest_codes(PHYSICIAN, ids),
        accounts=accounts, revocations=activation.revocations(PHYSICIAN, inst, 20), sent_to=sent_to,
    ), 400 if errors else 200


def _enabled_accounts(physician_ids: list[int]) -> dict[int, list[Account]]:
    """Each physician's enabled physician accounts, oldest first, in one query (the accounts
    ``activation_codes.accounts_of`` reads one physician at a time)."""
    out: dict[int, list[Account]] = {pid: [] for pid in physician_ids}
    if not physician_ids:
        return out
    for account in db.session.scalars(select(Account).where(
            Account.physician_id.in_(physician_ids), Account.kind == "physician")
            .order_by(Account.id)):
        if account.is_enabled:
            out[account.physician_id].append(account)
    return out


def _back(physician_id: int | None = None):
    """Back to the page the form was on: the list, or the physician's own page."""
    if request.form.get("from") == "physician" and physician_id:
        return redirect(url_for(".physician", physician_id=physician_id), 303)
    return redirect(url_for(".activation_codes", name=request.form.get("name", "")[:40] or None),
                    303)


def sent_to(record) -> str:
    """Where a code went, masked; empty when it has to be told in person."""
    parts = [f"手机 {mask_phone(record.sent_phone)}" if record.sent_phone else "",
             f"邮箱 {mask_email(record.sent_email)}" if record.sent_email else ""]
    return "、".join(p for p in parts if p)


@bp.post("/activation-codes")
@login_required
def generate_code():
    inst = writer()
    raw = request.form.get("physician_id", "")
    physician_id = to_id(raw)
    try:
        record = activation.generate(PHYSICIAN, current_user, inst, physician_id)
    except ApiError as exc:
        db.session.rollback()
        report(exc)
        return _back(physician_id)
    db.session.commit()
    target = sent_to(record)
    flash(f"已为{record.physician.name}生成激活码 {record.code}，"
          + (f"已发送至{target}。" if target else "该医师未登记手机和邮箱，请当面告知。")
          + "此前未使用的激活码已作废。", "success")
    return _back(physician_id)


@bp.post("/activation-codes/<int:code_id>/revoke")
@login_required
def revoke_code(code_id: int):
    inst = writer()
    try:
        record = activation.revoke_code(current_user, inst, code_id)
    except ApiError as exc:
        db.session.rollback()
        report(exc)
        return _back()
    db.session.commit()
    flash(f"{record.physician.name}的激活码已作废。", "success")
    return _back(record.physician_id)


@bp.post("/physicians/<int:physician_id>/accounts/<int:account_id>/revoke")
@login_required
def revoke_account(physician_id: int, account_id: int):
    inst = writer()
    try:
        done = activation.revoke_account(PHYSICIAN, current_user, inst, physician_id, account_id,
                                         request.form.get("reason", ""))
    except ApiError as exc:
        db.session.rollback()
        report(exc)
        return _back(physician_id)
    db.session.commit()
    flash(f"账户 {done.account.username} 已撤销：已停用并退出所有登录，"
          "医师本人可重新注册账户。", "success")
    return _back(physician_id)


# --- verification by resident ID (医师验证) --------------------------------------------------

LOOKUPS = {"qualification": "医师资格信息验证", "registration": "医师执业注册信息验证"}


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    """POST, not GET: resident ID numbers stay out of URLs, logs and browser history."""
    reader()
    kind = request.values.get("kind", "qualification")
    kind = kind if kind in LOOKUPS else "qualification"
    result: dict = {}
    error, status = "", 200
    if request.method == "POST":
        try:
            if kind == "qualification":
                result["qualification"] = lookups.find_qualification(
                    current_user, request.form.get("id_number", ""))
            else:
                result["physician"], result["registrations"] = lookups.find_registrations(
                    current_user, request.form.get("id_number", ""))
                result["conduct"] = lookups.conduct_of(result["physician"])
        except ApiError as exc:
            if exc.status == 403:
                report(exc)
            error, status = exc.message, exc.status
    return render_template("institution/verify.html", kind=kind, lookups=LOOKUPS, error=error,
                           result=result), status
