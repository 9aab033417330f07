"""Combined institution query (综合查询), CSV export, institution detail with its history."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from service.access.models import Account
from service.access.policy import CHANGE, READ, can, require
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.paging import QueryError
from service.institutions import as_of
from service.institutions.contact import change_contact
from service.institutions.face import detail_panels
from service.institutions.home import staff_links
from service.institutions.models import INSTITUTION_STATUSES, Institution
from service.institutions.queries import InstitutionFilters, iterate, page
from service.registry import codes
from service.registry.versioning import history
from service.web.exports import csv_response
from service.web.forms import ContactForm

bp = Blueprint("institutions", __name__, url_prefix="/institutions")

CSV_COLUMNS = [
    ("登记号", lambda i: i.registration_number or ""),
    ("机构名称", lambda i: i.name),
    ("类别", lambda i: codes.name(i.category_code, "institution_category")),
    ("经营性质", lambda i: codes.name(i.management_class, "management_class")),
    ("法定代表人", lambda i: i.legal_representative),
    ("地址", lambda i: i.address),
    ("床位", lambda i: i.beds),
    ("诊疗科目", lambda i: "、".join(codes.name(c, "subject") for c in i.subject_codes)),
    ("行政区划", lambda i: i.division_code),
    ("发证机关", lambda i: i.issuing_authority.name),
    ("有效期至", lambda i: i.licence_valid_to.isoformat() if i.licence_valid_to else ""),
    ("状态", lambda i: i.status_name),
]


def _search_form_context() -> dict:
    return {
        "categories": codes.choices("institution_category"),
        "management_classes": codes.choices("management_class"),
        "subjects": codes.choices("subject"),
        "statuses": list(INSTITUTION_STATUSES.items()),
    }


@bp.get("/")
@login_required
def search():
    if current_user.kind == "institution":
        return redirect(url_for("institutions.own"))
    errors: dict = {}
    items, next_cursor, flt = [], None, InstitutionFilters()
    try:
        flt = InstitutionFilters.from_args(request.args)
        items, next_cursor = page(current_user, flt, 20, request.args.get("cursor") or None)
    except QueryError as exc:
        errors = exc.fields
    return render_template(
        "institutions/search.html", items=items, next_cursor=next_cursor, filters=flt,
        errors=errors, args=request.args, **_search_form_context(),
    ), 400 if errors else 200


@bp.get("/export.csv")
@login_required
def export():
    try:
        flt = InstitutionFilters.from_args(request.args)
    except QueryError:
        abort(400)
    actor_id = current_user.id

    def rows():
        # Streaming starts after the view's session closed: load the actor in the streaming one.
        return iterate(db.session.get(Account, actor_id), flt)

    return csv_response("institutions", CSV_COLUMNS, rows)


@bp.get("/mine")
@login_required
def own():
    if current_user.institution_id is None:
        abort(404)
    return redirect(url_for("institutions.detail", institution_id=current_user.institution_id))


@bp.get("/<int:institution_id>")
@login_required
def detail(institution_id: int):
    inst = require(current_user, Institution, institution_id, READ)
    versions = list(reversed(history("institution", inst.id)))
    at, at_rows, at_error = request.args.get("at", "")[:10], None, None
    try:
        day = as_of.day_from(at)
        if day is not None:
            at_rows = as_of.page_rows(as_of.version_on(inst, day), inst)
    except ApiError as exc:
        at_error = exc.message
    return render_template(
        "institutions/detail.html", inst=inst, versions=versions, at=at, at_rows=at_rows,
        at_error=at_error,
        panels=detail_panels(inst, current_user), may_change=can(current_user, CHANGE, inst), contact_form=ContactForm(obj=inst),
        staff_links=staff_links(current_user) if current_user.institution_id == inst.id else [],
    )


@bp.post("/<int:institution_id>/contact")
@login_required
def update_contact(institution_id: int):
    """Phone, fax and postal code: kept by the institution itself or its issuing authority."""
    inst = require(current_user, Institution, institution_id, CHANGE)
    form = ContactForm()
    back = redirect(url_for("institutions.detail", institution_id=inst.id)), 303
    if not form.validate():
        flash("联系方式未保存：" + "；".join(e for es in form.errors.values() for e in es), "error")
        return back
    try:
        changed = change_contact(current_user, inst, phone=form.phone.data, fax=form.fax.data,
                                 postal_code=form.postal_code.data, reason=form.reason.data)
    except ApiError as exc:
        flash(exc.message, "error")
        return back
    flash("联系方式已保存。" if changed else "联系方式没有变化。", "success")
    return back
