"""Combined institution query (综合查询), institution detail with its history."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from service.access.policy import CHANGE, READ, can, require
from service.casework.saved_filters import saved_list
from service.core.errors import ApiError
from service.core.paging import QueryError
from service.core.params import MAX_ID, to_int
from service.institutions import as_of
from service.institutions.contact import change_contact
from service.institutions.face import detail_panels
from service.institutions.home import staff_links
from service.institutions.models import Institution
from service.institutions.queries import (
    COUNT_CAP,
    QUERY_STATUSES,
    InstitutionFilters,
    Page,
    count,
    keyset_page,
)
from service.printing.labels import LAYOUTS
from service.registry import codes
from service.registry.versioning import history
from service.web.forms import ContactForm

bp = Blueprint("institutions", __name__, url_prefix="/institutions")

PAGE_SIZE = 20


def _saved_active(args) -> dict | None:
    try:
        return InstitutionFilters.from_args(args).active()
    except QueryError:
        return None


saved_list("institutions.search", "医疗机构综合查询", _saved_active,
           lambda args: count(current_user, InstitutionFilters.from_args(args)))


def _search_form_context() -> dict:
    return {
        "categories": codes.choices("institution_category"),
        "management_classes": codes.choices("management_class"),
        "levels": codes.choices("level"),
        "affiliations": codes.choices("affiliation"),
        "subjects": codes.choices("subject"),
        "statuses": list(QUERY_STATUSES.items()),
        "layouts": LAYOUTS,
    }


@bp.get("/")
@login_required
def search():
    """The combined query: a total, then keyset pages both ways (首页, 上一页, 下一页, 末页)
    with their page numbers (exact up to ``COUNT_CAP`` rows; beyond, "more than")."""
    if current_user.kind == "institution":
        return redirect(url_for("institutions.own"))
    errors: dict = {}
    result, flt, total = Page([], None, None), InstitutionFilters(), 0
    pages, number = 1, 1
    try:
        flt = InstitutionFilters.from_args(request.args)
        total = count(current_user, flt, COUNT_CAP)
        pages = max(1, -(-total // PAGE_SIZE)) if total <= COUNT_CAP else None
        cursor, before = request.args.get("cursor") or None, request.args.get("before") or None
        # the page number travels in the links; unknown after 末页 of an uncounted result
        number = to_int(request.args.get("p", ""), minimum=1, maximum=pages or MAX_ID)
        if request.args.get("last") == "1":
            number = pages
            last = total - (pages - 1) * PAGE_SIZE if pages and total else PAGE_SIZE
            result = keyset_page(current_user, flt, PAGE_SIZE, last=last)
        else:
            result = keyset_page(current_user, flt, PAGE_SIZE, cursor, before)
            if not (cursor or before):
                number = 1
    except QueryError as exc:
        errors = exc.fields
    return render_template(
        "institutions/search.html", items=result.items, next_cursor=result.next_cursor,
        prev_cursor=result.prev_cursor, total=total, cap=COUNT_CAP, pages=pages, number=number,
        filters=flt,
        errors=errors, args=request.args, **_search_form_context(),
    ), 400 if errors else 200


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
