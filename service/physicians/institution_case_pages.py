"""The institution's physician applications (办理本院医师申请的业务, seed 003 ch.3 §8): the
businesses in progress and completed, with links to the case page and to the task form where
the institution agrees or disagrees, and the printable application form (申请表,
``service.persons.prints``).

Withdrawal stays on the case page; the decision itself is the generic task form's.
"""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from service.casework import common as casework
from service.core.extensions import db
from service.core.paging import QueryError
from service.engine.models import WorkItem
from service.engine.routing import may_act
from service.persons.revocation import revocable
from service.physicians.institution_pages import PAGE_SIZE, bp, reader
from service.physicians.lists import (
    APPLICATION_STATES,
    ApplicationFilters,
    application_page,
)


@bp.get("/applications")
@login_required
def applications():
    inst = reader()
    errors: dict = {}
    cases, next_cursor, flt = [], None, ApplicationFilters()
    try:
        flt = ApplicationFilters.from_args(request.args)
        cases, next_cursor = application_page(current_user, inst, flt, PAGE_SIZE,
                                              request.args.get("cursor") or None)
    except QueryError as exc:
        errors = exc.fields
    items: dict[int, list[WorkItem]] = {}
    for item in db.session.scalars(select(WorkItem).where(
            WorkItem.case_id.in_([c.id for c in cases]), WorkItem.status == "open")
            .order_by(WorkItem.id)):
        items.setdefault(item.case_id, []).append(item)
    processes = {k: v for k, v in casework.process_names().items() if k.startswith("physician_")}
    return render_template(
        "institution/applications.html", inst=inst, cases=cases, items=items,
        mine={i.id for its in items.values() for i in its if may_act(current_user, i)},
        next_cursor=next_cursor, filters=flt, errors=errors, states=APPLICATION_STATES,
        processes=processes, revocable={c.id for c in cases if revocable(current_user, c)},
    ), 400 if errors else 200
