"""The institution's nurse pages: its lists of nurses (an expired registration flagged), and a
nurse's page with her registrations here, her account's activation code and the revocation of
an account that is not hers (issue 13 items 1 and 6)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access.policy import READ, require, scope
from service.core.errors import ApiError
from service.core.extensions import db
from service.institutions.face import Institution
from service.nurses.accounts import NURSE, registered
from service.nurses.lists import LISTS, is_expired, rows
from service.nurses.models import Nurse, NurseRegistration
from service.persons import activation_codes

bp = Blueprint("institution_nurses", __name__, url_prefix="/institution")


def _institution() -> Institution:
    if current_user.kind != "institution" or current_user.institution_id is None:
        abort(404)
    return require(current_user, Institution, current_user.institution_id, READ)


@bp.get("/nurses")
@login_required
def nurses():
    inst = _institution()
    kind = request.args.get("list", "registered")
    kind = kind if kind in LISTS else "registered"
    return render_template("nurses/institution_nurses.html", inst=inst, kind=kind,
                           lists=LISTS, rows=rows(inst, kind), is_expired=is_expired)


def _nurse_here(inst: Institution, nurse_id: int) -> Nurse:
    """A nurse with any registration (current or ended) at the institution, else 404."""
    nurse = db.session.scalars(select(Nurse).where(
        Nurse.id == nurse_id, scope(current_user, READ, Nurse),
        Nurse.id.in_(select(NurseRegistration.nurse_id).where(
            NurseRegistration.institution_id == inst.id)))).first()
    if nurse is None:
        abort(404)
    return nurse


@bp.get("/nurses/<int:nurse_id>")
@login_required
def nurse(nurse_id: int):
    inst = _institution()
    found = _nurse_here(inst, nurse_id)
    here = registered(found) and found.institution_id == inst.id
    return render_template(
        "nurses/institution_nurse.html", inst=inst, nurse=found, here=here,
        regs=[r for r in found.registrations if r.institution_id == inst.id],
        is_expired=is_expired,
        accounts=activation_codes.accounts_of(NURSE, found.id) if here else [],
        code=activation_codes.latest_codes(NURSE, [found.id]).get(found.id) if here else None)


def _write(nurse_id: int, done, message):
    inst = activation_codes.acting_for(current_user, _institution(), "护士")
    try:
        result = done(inst)
    except ApiError as exc:
        db.session.rollback()
        flash(f"未能办理：{exc.message}", "error")
    else:
        db.session.commit()
        flash(message(result), "success")
    return redirect(url_for(".nurse", nurse_id=nurse_id), 303)


@bp.post("/nurses/<int:nurse_id>/activation-code")
@login_required
def generate_code(nurse_id: int):
    return _write(nurse_id, lambda inst: activation_codes.generate(NURSE, current_user, inst,
                                                                   nurse_id),
                  lambda record: "已生成激活码并发送至护士登记的手机和邮箱。" if record.sent_at
                  else f"已生成激活码 {record.code}，请当面告知该护士。")


@bp.post("/nurses/<int:nurse_id>/accounts/<int:account_id>/revoke")
@login_required
def revoke_account(nurse_id: int, account_id: int):
    return _write(nurse_id, lambda inst: activation_codes.revoke_account(
        NURSE, current_user, inst, nurse_id, account_id, request.form.get("reason", "")),
        lambda done: f"已撤销账户 {done.account.username}，该护士可以重新注册账户。")
