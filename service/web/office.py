"""The administration's counter (办理窗口): its address and office hours, printed on the
notices that send applicants there; kept by the administration's account manager."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from service.core.extensions import db
from service.web.forms import OfficeForm

bp = Blueprint("office", __name__, url_prefix="/office")


def _own_administration():
    if current_user.kind != "administration" or not current_user.has_role("bureau_accounts"):
        abort(403)
    return current_user.administration


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit():
    admin = _own_administration()
    form = OfficeForm(obj=admin)
    if form.validate_on_submit():
        admin.counter_address = form.counter_address.data.strip()
        admin.office_hours = form.office_hours.data.strip()
        db.session.commit()
        flash("办理窗口地址和办公时间已保存，此后打印的通知单将载明新的信息。", "success")
        return redirect(url_for("office.edit"), 303)
    return render_template("accounts/office.html", form=form, admin=admin)
