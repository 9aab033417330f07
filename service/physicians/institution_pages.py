"""The institution's physician functions (医师管理, P11 / seed 003 ch.3): approving administrations
per category, the department dictionary, the physician lists with CSV export, one physician's
page with her department.

Activation codes, account revocation and verification by ID are in ``institution_codes.py``,
applications and their printed forms in ``institution_cases.py``; all add routes to ``bp``.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, select

from service.access.models import Account
from service.access.policy import READ, scope
from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_id, mask_phone
from service.core.paging import QueryError
from service.core.params import to_id
from service.institutions.face import Institution
from service.persons.activation_codes import accounts_of, latest_codes
from service.physicians import assessments, services
from service.physicians.accounts import PHYSICIAN
from service.physicians.lists import LISTS, RosterFilters, iterate_roster, roster_page
from service.physicians.models import (
    PHYSICIAN_CATEGORIES,
    REGISTRATION_STATUSES,
    Physician,
    PracticeRegistration,
)
from service.registry.versioning import history
from service.web.exports import csv_response

bp = Blueprint("institution_physicians", __name__, url_prefix="/institution")
PAGE_SIZE = 20
WORK_ROLES = ("inst_admin", "inst_clerk")


# --- the caller's institution -----------------------------------------------------------------

def reader() -> Institution:
    """The caller's own institution for reading its physician records (404 for other kinds)."""
    if current_user.kind != "institution" or current_user.institution_id is None:
        abort(404)
    if not current_user.has_role(*WORK_ROLES):
        abort(403)
    return services.institution_in_scope(current_user, current_user.institution_id)


def writer(manage: bool = False) -> Institution:
    if current_user.kind != "institution" or current_user.institution_id is None:
        abort(404)
    try:
        return services.own_institution(current_user, current_user.institution_id, manage=manage)
    except ApiError as exc:
        abort(exc.status)


def problem_text(exc: ApiError) -> str:
    """One line for a flash message: the field messages, else the error's message."""
    return casework.fields_text(exc) if any(exc.fields.values()) else exc.message


def report(exc: ApiError) -> None:
    """Flash a refusal the user can correct; anything else becomes the error page."""
    if exc.status in (404, 403):
        abort(exc.status)
    flash(problem_text(exc), "error")


# --- approving administrations (审批机关设置) ---------------------------------------------------

@bp.get("/approval-authorities")
@login_required
def authorities():
    inst = reader()
    settings = services.authority_settings(inst)
    versions = {s.category: list(reversed(history("approval_authority_setting", s.setting.id)))
                for s in settings if s.setting is not None}
    names = {a.id: a.name for s in settings for a in s.choices}
    return render_template("institution/authorities.html", inst=inst, settings=settings,
                           versions=versions, names=names,
                           may_change=current_user.has_role("inst_admin"))


@bp.post("/approval-authorities")
@login_required
def save_authority():
    inst = writer(manage=True)
    category = request.form.get("category", "")
    raw = request.form.get("administration_id", "")
    try:
        setting = services.set_approval_authority(
            current_user, inst, category, to_id(raw))
    except ApiError as exc:
        db.session.rollback()
        report(exc)
    else:
        db.session.commit()
        flash(f"{PHYSICIAN_CATEGORIES[category]}类别医师的审批机关已设置为"
              f"{setting.administration.name}。", "success")
    return redirect(url_for(".authorities")), 303


# --- department dictionary (科室设置) ----------------------------------------------------------

@bp.get("/departments")
@login_required
def departments():
    inst = reader()
    return render_template(
        "institution/departments.html", inst=inst, departments=services.departments(inst),
        subjects=services.subject_choices(inst), may_change=current_user.has_role("inst_admin"),
        form=request.args)


@bp.post("/departments")
@login_required
def add_department():
    inst = writer(manage=True)
    try:
        dept = services.add_department(current_user, inst, request.form.get("code", ""),
                                       request.form.get("name", ""),
                                       request.form.getlist("subjects"))
    except ApiError as exc:
        db.session.rollback()
        report(exc)
        return redirect(url_for(".departments", code=request.form.get("code", "")[:20],
                                name=request.form.get("name", "")[:60])), 303
    db.session.commit()
    flash(f"已增加科室：{dept.code} {dept.name}。", "success")
    return redirect(url_for(".departments")), 303


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@login_required
def edit_department(department_id: int):
    inst = reader() if request.method == "GET" else writer(manage=True)
    dept = next((d for d in services.departments(inst) if d.id == department_id), None)
    if dept is None:
        abort(404)
    if request.method == "POST":
        changes: dict = {}
        if "active" in request.form:
            changes["active"] = request.form["active"] == "1"
        else:
            changes = {"name": request.form.get("name", ""),
                       "subjects": request.form.getlist("subjects")}
        try:
            services.update_department(current_user, inst, dept.id, **changes)
        except ApiError as exc:
            db.session.rollback()
            report(exc)
        else:
            db.session.commit()
            flash(f"科室 {dept.code} 已保存。", "success")
            return redirect(url_for(".departments")), 303
    return render_template(
        "institution/department.html", inst=inst, dept=dept,
        subjects=services.subject_choices(inst), may_change=current_user.has_role("inst_admin"),
        versions=list(reversed(history("department", dept.id))))


# --- the lists (核对本院医师信息) ---------------------------------------------------------------

def _list_kind() -> str:
    kind = request.args.get("list", "main")
    return kind if kind in LISTS else "main"


@bp.get("/physicians")
@login_required
def physicians():
    inst = reader()
    kind = _list_kind()
    errors: dict = {}
    rows, next_cursor, flt = [], None, RosterFilters()
    try:
        flt = RosterFilters.from_args(request.args)
        rows, next_cursor = roster_page(current_user, inst, kind, flt, PAGE_SIZE,
                                        request.args.get("cursor") or None)
    except QueryError as exc:
        errors = exc.fields
    return render_template(
        "institution/physicians.html", inst=inst, kind=kind, lists=LISTS, rows=rows,
        next_cursor=next_cursor, filters=flt, errors=errors, args=request.args,
        categories=PHYSICIAN_CATEGORIES, statuses=REGISTRATION_STATUSES,
        departments=services.departments(inst),
    ), 400 if errors else 200


CSV_COLUMNS = [
    ("姓名", lambda r: r.physician.name),
    ("性别", lambda r: {"M": "男", "F": "女"}.get(r.physician.gender, "")),
    ("年龄", lambda r: r.age),
    ("身份证号", lambda r: mask_id(r.physician.id_number)),
    ("手机号码", lambda r: mask_phone(r.physician.phone) or ""),
    ("医师类别", lambda r: PHYSICIAN_CATEGORIES.get(r.registration.category, "")),
    ("医师级别", lambda r: r.registration.level_name),
    ("执业范围", lambda r: r.registration.scope),
    ("执业证书编码", lambda r: r.registration.certificate_number or ""),
    ("注册类型", lambda r: r.registration.kind_name),
    ("执业机构", lambda r: r.registration.institution.name),
    ("主要执业机构或备案机构", lambda r: r.other_institution.name if r.other_institution else ""),
    ("注册状态", lambda r: r.registration.status_name),
    ("起始日期", lambda r: r.registration.valid_from.isoformat()),
    ("终止日期", lambda r: r.registration.valid_to.isoformat() if r.registration.valid_to else ""),
    ("所在科室", lambda r: r.department.name if r.department else ""),
    ("账户状态", lambda r: r.account_state_name),
]


@bp.get("/physicians/export.csv")
@login_required
def export():
    inst_id = reader().id
    kind = _list_kind()
    try:
        flt = RosterFilters.from_args(request.args)
    except QueryError:
        abort(400)
    actor_id = current_user.id

    def rows():
        # Streaming outlives the view's session: load the actor and institution again.
        return iterate_roster(db.session.get(Account, actor_id),
                              db.session.get(Institution, inst_id), kind, flt)

    return csv_response(f"physicians-{kind}", CSV_COLUMNS, rows)


# --- one physician ---------------------------------------------------------------------------

def physician_here(inst: Institution, physician_id: int) -> Physician:
    """A physician with any registration (current or ended) at the institution, else 404."""
    here = exists().where(PracticeRegistration.physician_id == Physician.id,
                          PracticeRegistration.institution_id == inst.id)
    physician = db.session.scalars(select(Physician).where(
        Physician.id == physician_id, here, scope(current_user, READ, Physician))).first()
    if physician is None:
        abort(404)
    return physician


@bp.get("/physicians/<int:physician_id>")
@login_required
def physician(physician_id: int):
    inst = reader()
    doc = physician_here(inst, physician_id)
    current_here = any(r.institution_id == inst.id and r.status == "active"
                       for r in doc.registrations)
    main_here = any(r.institution_id == inst.id and r.status == "active" and r.kind == "main"
                    for r in doc.registrations)
    records = assessments.records_of(doc.id)
    return render_template(
        "institution/physician.html", inst=inst, doc=doc, current_here=current_here,
        assessments=records, grounds=assessments.grounds(records),
        main_here=main_here, department=services.department_of(inst, doc.id),
        departments=[d for d in services.departments(inst) if d.active],
        accounts=accounts_of(PHYSICIAN, doc.id) if main_here else [],
        code=latest_codes(PHYSICIAN, [doc.id]).get(doc.id) if main_here else None)


@bp.post("/physicians/<int:physician_id>/department")
@login_required
def set_department(physician_id: int):
    inst = writer()
    raw = request.form.get("department_id", "")
    try:
        dept = services.assign_department(current_user, inst, physician_id,
                                          to_id(raw))
    except ApiError as exc:
        db.session.rollback()
        report(exc)
    else:
        db.session.commit()
        flash(f"所在科室已设置为{dept.name}。" if dept else "已清除所在科室。", "success")
    return redirect(url_for(".physician", physician_id=physician_id)), 303
