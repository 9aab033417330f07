"""The printed application form (申请表) of a physician's or nurse's business, in the browser
and over REST, for the institution it is addressed to and the administrations; the case page
offers it once something was submitted."""
from __future__ import annotations

from flask import Blueprint, Response, abort, url_for
from flask_login import current_user, login_required

from service.access.policy import require
from service.api.v1 import bp as api_bp
from service.api.v1.common import authenticated, caller
from service.api.v1.openapi import path_param, responses, section
from service.core.errors import ApiError
from service.engine import plugins
from service.engine.models import Case, CaseEvent
from service.engine.visibility import may_print
from service.persons.application_form import render_application
from service.persons.subjects import kind_of_case

bp = Blueprint("person_prints", __name__, url_prefix="/institution")
HINT = "打印后由申请人签名、机构盖章，随业务留存。"


def _pdf(case: Case) -> Response:
    response = Response(render_application(case), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="application-{case.id}.pdf"'
    response.cache_control.private = True
    return response


@bp.get("/cases/<int:case_id>/application.pdf")
@login_required
def application_pdf(case_id: int):
    case = require(current_user, Case, case_id)
    if kind_of_case(case) is None or not may_print(current_user, case):
        abort(404)
    try:
        return _pdf(case)
    except ApiError as exc:
        abort(exc.status)


@api_bp.get("/cases/<int:case_id>/application.pdf")
@authenticated
def application_pdf_api(case_id: int):
    actor = caller()
    case = require(actor, Case, case_id)
    if kind_of_case(case) is None or not may_print(actor, case):
        raise ApiError(404)
    return _pdf(case)


@plugins.printout
def application_printouts(actor, case: Case, history: list[CaseEvent]) -> list[plugins.Printout]:
    if kind_of_case(case) is None or not may_print(actor, case) or not any(
            e.type == "task_completed" for e in history):
        return []
    return [plugins.Printout("打印申请表", url_for("person_prints.application_pdf", case_id=case.id),
                             f"申请表-{case.id}.pdf", HINT if actor.kind == "institution" else None)]


@section
def application_paths(spec, sec: list) -> None:
    spec.path("/api/v1/cases/{case_id}/application.pdf", operations={"get": {
        "summary": "The printed application form (申请表) of a physician or nurse business: for "
                   "the institution it is addressed to and the administrations above it",
        "security": sec, "parameters": path_param("case_id"),
        "responses": {**responses(None, errors=(401, 404)), "200": {
            "description": "A4 PDF", "content": {"application/pdf": {
                "schema": {"type": "string", "format": "binary"}}}}}}})
