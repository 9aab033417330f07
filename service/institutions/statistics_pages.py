"""The statistics page (统计分析) with its chart and drill-down, and its XLSX export."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from service.core.paging import QueryError
from service.institutions import statistics as stats
from service.institutions.pages import bp
from service.web.exports import xlsx_response


@bp.get("/statistics")
@login_required
def statistics():
    stats.root(current_user)  # 404 for accounts without statistics
    errors: dict = {}
    table = None
    try:
        by, cross, division, status = stats.read_args(request.args)
        table = stats.statistics(current_user, by, cross, division, status)
    except QueryError as exc:
        errors = exc.fields
    return render_template(
        "institutions/statistics.html", table=table, errors=errors, args=request.args,
        dimensions=stats.DIMENSIONS, statuses=stats.STATUSES, query_args=stats.query_args,
    ), 400 if errors else 200


def sheet(table: stats.Table, measure: str) -> tuple[str, list[str], list[list]]:
    """One measure (``count`` or ``beds``) of the table as an XLSX sheet."""
    heading = [stats.DIMENSIONS[table.by][0]]
    if table.cross:
        heading += [c.label for c in table.columns]
    heading.append("合计")
    rows = []
    for row in [*table.rows, table.total]:
        values: list = [row.label]
        if table.cross:
            source = table.columns if row is table.total else \
                [row.cells.get(c.key) for c in table.columns]
            values += [getattr(c, measure) if c else 0 for c in source]
        values.append(getattr(row, measure))
        rows.append(values)
    return ("机构数" if measure == "count" else "床位数"), heading, rows


@bp.get("/statistics.xlsx")
@login_required
def statistics_xlsx():
    stats.root(current_user)
    try:
        by, cross, division, status = stats.read_args(request.args)
    except QueryError:
        return statistics()
    table = stats.statistics(current_user, by, cross, division, status)
    return xlsx_response("statistics", lambda: [sheet(table, "count"), sheet(table, "beds")])
