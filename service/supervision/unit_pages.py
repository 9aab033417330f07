"""S2 pages of the institution administrator: 单位信息基本维护, 科室信息维护, 医疗机构人员维护."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.core.extensions import db
from service.supervision import staff
from service.supervision.access import member_of
from service.supervision.catalogue import scope_names, scope_tree
from service.supervision.models import DUTIES, SupervisionDepartment, SupervisionMember
from service.supervision.pages import _form_context, _form_data, bp


def _admin():
    member = member_of(current_user)
    if member is None or not member.is_admin:
        abort(403)
    return member


@bp.route("/unit", methods=["GET", "POST"])
@login_required
def unit_edit():
    unit = _admin().unit
    errors: dict = {}
    data = {k: getattr(unit, k) for k in staff.signup.UNIT_FIELDS}
    if request.method == "POST":
        data = _form_data()
        saved, errors = _saved(lambda: staff.update_unit(current_user, unit, data),
                               "机构信息已保存。", "supervision.portal")
        if saved is not None:
            return saved
    return render_template("supervision/signup.html", data=data, errors=errors, editing=unit,
                           **_form_context(unit.province_code)), 400 if errors else 200


def _departments(unit_id: int) -> list[SupervisionDepartment]:
    return db.session.scalars(select(SupervisionDepartment).where(
        SupervisionDepartment.unit_id == unit_id).order_by(SupervisionDepartment.code)).all()


def _own_department(department_id: int, unit_id: int) -> SupervisionDepartment:
    department = db.session.get(SupervisionDepartment, department_id)
    if department is None or department.unit_id != unit_id:
        abort(404)
    return department


@bp.route("/departments", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@login_required
def departments(department_id: int | None = None):
    unit = _admin().unit
    department = _own_department(department_id, unit.id) if department_id else None
    errors: dict = {}
    if request.method == "POST":
        data = {"name": request.form.get("name"), "code": request.form.get("code"),
                "is_enabled": request.form.get("is_enabled", "0")}
        saved, errors = _saved(lambda: staff.save_department(current_user, unit, data, department),
                               "科室已保存。", "supervision.departments")
        if saved is not None:
            return saved
    return render_template("supervision/departments.html", items=_departments(unit.id),
                           editing=department, errors=errors, form=request.form), \
        400 if errors else 200


@bp.post("/departments/<int:department_id>/delete")
@login_required
def department_delete(department_id: int):
    unit = _admin().unit
    try:
        staff.delete_department(_own_department(department_id, unit.id))
    except staff.SignupError as exc:
        db.session.rollback()
        flash(exc.fields["department"][0], "error")
    else:
        db.session.commit()
        flash("科室已删除。", "success")
    return redirect(url_for("supervision.departments"))


def _own_member(member_id: int, unit_id: int) -> SupervisionMember:
    member = db.session.get(SupervisionMember, member_id)
    if member is None or member.unit_id != unit_id or member.is_admin:
        abort(404)
    return member


@bp.get("/staff")
@login_required
def staff_list():
    unit = _admin().unit
    query = select(SupervisionMember).where(SupervisionMember.unit_id == unit.id,
                                            SupervisionMember.is_admin.is_(False))
    department_id, name = request.args.get("department_id", ""), request.args.get("name", "").strip()
    if department_id.isdigit():
        query = query.where(SupervisionMember.department_id == int(department_id))
    members = db.session.scalars(query.order_by(SupervisionMember.id)).all()
    if name:
        members = [m for m in members if name in m.account.display_name]
    return render_template("supervision/staff.html", members=members, args=request.args,
                           departments=_departments(unit.id), unit=unit, scope_text=_member_scope)


def _member_scope(member: SupervisionMember) -> str:
    unit = member.unit
    return "、".join(scope_names(unit.checklist_province, unit.checklist_version, member.scope))


@bp.route("/staff/new", methods=["GET", "POST"])
@bp.route("/staff/<int:member_id>", methods=["GET", "POST"])
@login_required
def staff_edit(member_id: int | None = None):
    unit = _admin().unit
    member = _own_member(member_id, unit.id) if member_id else None
    errors: dict = {}
    data = ({"name": member.account.display_name, "phone": member.account.phone,
             "id_number": member.id_number, "department_id": str(member.department_id),
             "duties": member.duties, "scope": member.scope} if member else {})
    if request.method == "POST":
        data = {k: request.form.get(k, "") for k in ("name", "phone", "id_number", "department_id")}
        data["duties"], data["scope"] = request.form.getlist("duties"), request.form.getlist("scope")
        saved, errors = _saved(lambda: staff.save_member(current_user, unit, data, member),
                               "工作信息员已保存。" if member else "工作信息员已添加，初始密码已通过短信发送。", "supervision.staff_list")
        if saved is not None:
            return saved
    # only the institution's own scope is offered (seed 004 §1.2.4)
    tree = scope_tree(unit.checklist_province, unit.checklist_version)
    for area in tree:
        area.groups = [g for g in area.groups if g[0] in unit.scope]
    return render_template("supervision/staff_edit.html", data=data, errors=errors, member=member,
                           departments=[d for d in _departments(unit.id) if d.is_enabled
                                        or (member and d.id == member.department_id)],
                           duties=DUTIES, tree=[a for a in tree if a.groups]), 400 if errors else 200


@bp.post("/staff/<int:member_id>/delete")
@login_required
def staff_delete(member_id: int):
    unit = _admin().unit
    staff.delete_member(_own_member(member_id, unit.id))
    db.session.commit()
    flash("工作信息员已删除。", "success")
    return redirect(url_for("supervision.staff_list"))



@bp.route("/me", methods=["GET", "POST"])
@login_required
def me():
    """我的: personal data, 重置密码 (the shared password page), 退出账户 with a confirmation."""
    member = member_of(current_user)
    if member is None:
        abort(404)
    errors: dict = {}
    if request.method == "POST":
        name, phone = request.form.get("name", ""), request.form.get("phone", "")
        saved, errors = _saved(lambda: staff.update_self(current_user, name, phone),
                               "个人信息已保存。", "supervision.me")
        if saved is not None:
            return saved
    return render_template("supervision/me.html", member=member, errors=errors), 400 if errors else 200


def _saved(write, message: str, endpoint: str):
    """Run a form's write: a refusal rolls back and gives its field errors; success commits,
    says so and goes to ``endpoint`` (the redirect is returned, errors empty)."""
    try:
        write()
    except staff.SignupError as exc:
        db.session.rollback()
        return None, exc.fields
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint)), {}


@bp.get("/logout")
@login_required
def logout_confirm():
    return render_template("supervision/logout.html")
