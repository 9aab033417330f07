"""Institutions over REST: the combined query, the statistics, one institution, its history,
backfill."""
from __future__ import annotations

from flask import jsonify, request

from service.access.policy import require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_object, list_limit
from service.api.v1.schemas import VersionSchema
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.paging import QueryError
from service.institutions import as_of
from service.institutions import statistics as stats
from service.institutions.backfill import BackfillError, backfill_institution
from service.institutions.models import Institution
from service.institutions.queries import InstitutionFilters, page
from service.institutions.schemas import InstitutionSchema, InstitutionSummarySchema
from service.registry.versioning import history


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
