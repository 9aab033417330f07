"""Institutions over REST: the combined query, the statistics, one institution, its history,
backfill, and the administration's business reminders."""
from __future__ import annotations

from flask import jsonify, request

from service.access.policy import CHANGE, require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_object, list_limit
from service.api.v1.schemas import VersionSchema
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.paging import QueryError
from service.institutions import as_of, reminder_board, verification_standards
from service.institutions import statistics as stats
from service.institutions.backfill import BackfillError, backfill_institution
from service.institutions.contact import change_contact
from service.institutions.face import staff_of
from service.institutions.models import Institution
from service.institutions.queries import InstitutionFilters, page
from service.institutions.schemas import InstitutionSchema, InstitutionSummarySchema
from service.registry.versioning import history

CONTACT_FIELDS = ("phone", "fax", "postal_code", "reason")


@bp.get("/institutions")
@authenticated
def institutions():
    try:
        flt = InstitutionFilters.from_args(request.args)
        items, next_cursor = page(caller(), flt, list_limit(), request.args.get("cursor"))
    except QueryError as exc:
        raise ApiError(400, "查询参数不正确", fields=exc.fields) from None
    return jsonify({"items": InstitutionSummarySchema(many=True).dump(items),
                    "next_cursor": next_cursor})


def _cell(cell: stats.Cell) -> dict:
    return {"key": cell.key, "label": cell.label, "count": cell.count, "beds": cell.beds}


@bp.get("/statistics/institutions")
@authenticated
def institution_statistics():
    """Counts and beds by one dimension (optionally crossed with a second) in the caller's
    read scope; ``division`` narrows to a division inside it (404 outside)."""
    actor = caller()
    stats.root(actor)
    try:
        by, cross, division, status = stats.read_args(request.args)
    except QueryError as exc:
        raise ApiError(400, "统计参数不正确", fields=exc.fields) from None
    table = stats.statistics(actor, by, cross, division, status)
    rows = []
    for row in table.rows:
        item = _cell(row)
        if cross:
            item["cells"] = [_cell(row.cells[c.key]) for c in table.columns if c.key in row.cells]
        rows.append(item)
    body = {"by": by, "cross": cross, "status": status,
            "division": table.division.code if table.division else None,
            "rows": rows, "total": table.total.count, "total_beds": table.total.beds}
    if cross:
        body["columns"] = [_cell(c) for c in table.columns]
    return jsonify(body)


@bp.get("/institutions/<int:institution_id>")
@authenticated
def institution(institution_id: int):
    inst = require(caller(), Institution, institution_id)
    day = as_of.day_from(request.args.get("at"))
    if day is not None:  # the record as it stood at the end of that Beijing day
        return jsonify(as_of.api_body(as_of.version_on(inst, day), day))
    return jsonify(InstitutionSchema().dump(inst))


@bp.get("/institutions/<int:institution_id>/history")
@authenticated
def institution_history(institution_id: int):
    inst = require(caller(), Institution, institution_id)
    return jsonify({"items": VersionSchema(many=True).dump(history("institution", inst.id)),
                    "next_cursor": None})


@bp.get("/institutions/<int:institution_id>/standards")
@authenticated
def institution_standards(institution_id: int):
    """The institution against its basic standard (医疗机构基本标准), with its registered staff."""
    inst = require(caller(), Institution, institution_id)
    std = verification_standards.standard_for(inst)
    roster = [{"kind": m.kind, "title": m.title} for m in staff_of(inst.id)]
    found = verification_standards.shortfalls(inst, {"roster": roster})
    return jsonify({
        "standard": None if std is None else {"code": std.code, "name": std.name, "basis": std.basis},
        "shortfalls": [{"item": s.item, "message": s.message, "uncertain": s.uncertain} for s in found]})


@bp.patch("/institutions/<int:institution_id>/contact")
@authenticated
def institution_contact(institution_id: int):
    """Phone, fax and postal code with the reason: a version without a case (the institution
    itself or its issuing authority)."""
    inst = require(caller(), Institution, institution_id, CHANGE)
    data = json_object()
    if any(k in data and not isinstance(data[k], str | None) for k in CONTACT_FIELDS):
        raise ApiError(422, "联系方式须为字符串", fields={
            k: ["须为字符串"] for k in CONTACT_FIELDS if k in data and not isinstance(data[k], str | None)})
    change_contact(caller(), inst, phone=data.get("phone", inst.phone), fax=data.get("fax", inst.fax),
                   postal_code=data.get("postal_code", inst.postal_code), reason=data.get("reason"))
    return jsonify(InstitutionSchema().dump(inst))


@bp.post("/institutions")
@authenticated
def backfill():
    """Backfill (数据补录) an institution licensed before the system."""
    data = json_object()
    try:
        inst = backfill_institution(caller(), data)
    except BackfillError as exc:
        status = 403 if list(exc.fields) == ["_schema"] else 422
        raise ApiError(status, fields=exc.fields) from None
    db.session.commit()
    return jsonify(InstitutionSchema().dump(inst)), 201


@bp.get("/reminders")
@authenticated
def reminders():
    """Business reminders (业务提醒) in the caller's scope, by kind; ``counts`` per kind."""
    actor = caller()
    if not reminder_board.applies_to(actor):
        raise ApiError(403, "只有卫生健康行政部门有业务提醒")
    try:
        items, next_cursor = reminder_board.listing(
            actor, request.args.get("kind") or None, list_limit(), request.args.get("cursor"))
    except QueryError as exc:
        raise ApiError(400, "查询参数不正确", fields=exc.fields) from None
    return jsonify({"items": [{"kind": r.kind, "institution_id": r.institution_id,
                               "due": r.due.isoformat(), "title": r.title, "case_id": r.case_id}
                              for r in items],
                    "next_cursor": next_cursor, "counts": reminder_board.counts(actor)})
