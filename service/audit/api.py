"""The auditors' REST doors: chain verification runs, audit bundles, the reveal of masked
event data and the access log."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from service.access.policy import require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body
from service.audit import access_log, chain, search
from service.audit.models import ChainRun
from service.audit.pages import REASON_MIN, bundle_response, reason_of
from service.casework.api import EventSchema
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import events
from service.engine.models import Case


def _auditor() -> None:
    if not caller().has_role("auditor"):
        raise ApiError(403, "仅审计员可以使用审计接口")


class ChainRequest(Schema):
    process = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    division_code = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Regexp(r"^\d{6}$", error="须为 6 位行政区划代码"))
    since = fields.Date(load_default=None, allow_none=True)
    until = fields.Date(load_default=None, allow_none=True)


@bp.post("/audit/chain")
@authenticated
def start_chain_run():
    """Start a verification of every chain in the range (202); progress on ``GET``."""
    _auditor()
    body = json_body(ChainRequest())
    run = chain.start(caller(), process_id=body["process"], division_code=body["division_code"],
                      since=search.beijing_day_start(body["since"]) if body["since"] else None,
                      until=search.day_after(body["until"]))
    db.session.commit()
    return jsonify(chain.as_dict(run)), 202


@bp.get("/audit/chain")
@authenticated
def chain_runs():
    """The caller's newest run over exactly this range: ``cases``, ``events``, ``broken``
    (final once ``status`` is ``succeeded``); 404 when none was started."""
    _auditor()
    filters, errors = search.parse(request.args)
    division = request.args.get("division_code", "").strip()
    if division and not (division.isdigit() and len(division) == 6):
        errors["division_code"] = ["须为 6 位行政区划代码"]
    if errors:
        raise ApiError(400, fields=errors)
    since = search.beijing_day_start(filters.since) if filters.since else None
    stmt = select(ChainRun).where(
        ChainRun.account_id == caller().id,
        ChainRun.process_id.is_(None) if not filters.process else ChainRun.process_id == filters.process,
        ChainRun.division_code.is_(None) if not division else ChainRun.division_code == division,
        ChainRun.since.is_(None) if since is None else ChainRun.since == since,
        ChainRun.until.is_(None) if not filters.until else ChainRun.until == search.day_after(filters.until),
    ).order_by(ChainRun.id.desc()).limit(1)
    run = db.session.scalars(stmt).first()
    if run is None:
        raise ApiError(404, "尚未对该范围发起校验（POST /api/v1/audit/chain）")
    return jsonify(chain.as_dict(run))


@bp.get("/audit/chain/<int:run_id>")
@authenticated
def chain_run(run_id: int):
    _auditor()
    run = db.session.get(ChainRun, run_id)
    if run is None or run.account_id != caller().id:
        raise ApiError(404)
    return jsonify(chain.as_dict(run))


@bp.get("/cases/<int:case_id>/audit-bundle")
@authenticated
def audit_bundle(case_id: int):
    """A zip of the case's events, pinned BPMN and forms, document hashes and replay result;
    ``reason`` is required and recorded in the access log."""
    _auditor()
    case = require(caller(), Case, case_id)
    reason, error = reason_of(request.args.get("reason"))
    if error:
        raise ApiError(422, error, fields={"reason": [error]})
    return bundle_response(case, caller(), reason)


class RevealRequest(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=REASON_MIN, max=200))


@bp.post("/cases/<int:case_id>/events/reveal")
@authenticated
def reveal_events(case_id: int):
    """The case's events with personal data unmasked, for an auditor who gives a reason."""
    _auditor()
    case = require(caller(), Case, case_id)
    body = json_body(RevealRequest())
    reason, error = reason_of(body["reason"])
    if error:
        raise ApiError(422, error, fields={"reason": [error]})
    history = events.events_of(case.id)
    access_log.record(caller(), "reveal", "case", case.id, "事件数据（未遮蔽）", reason)
    db.session.commit()
    return jsonify({"items": EventSchema(many=True).dump(history), "next_cursor": None})


class AccessLogSchema(Schema):
    id = fields.Integer()
    account = fields.Function(lambda r: r.account.username)
    account_name = fields.Function(lambda r: r.account.name_with_organisation)
    action = fields.String()
    record_kind = fields.String()
    record_id = fields.Integer()
    what = fields.String()
    reason = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    at = fields.DateTime()


ACCESS = AccessLogSchema()


@bp.get("/audit/access-log")
@authenticated
def access_log_list():
    """Who saw which personal data when: ``account``, ``kind`` + ``record``, ``since``, ``until``."""
    _auditor()
    rows, next_cursor, errors = access_log.query(request.args)
    if errors:
        raise ApiError(400, fields=errors)
    return jsonify({"items": ACCESS.dump(rows, many=True),
                    "next_cursor": str(next_cursor) if next_cursor else None})
