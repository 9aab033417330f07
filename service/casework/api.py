"""Processes, cases, their events and replay; the work-item inbox and its actions."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from service.access.policy import READ, require, scope
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body, keyset_page
from service.api.v1.idempotency import idempotent
from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import query_id
from service.engine import definitions, events, plugins, runtime
from service.engine.models import Case, CaseEvent, WorkItem
from service.engine.plugins import get_prefill
from service.engine.replay import replay

CASE_STATUSES = ("open", "completed", "withdrawn", "terminated")


class CaseSchema(Schema):
    id = fields.Integer()
    business_number = fields.String(attribute="number")
    process = fields.String(attribute="process_id")
    version = fields.Function(lambda c: c.deployed.version)
    title = fields.String()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    subject = fields.Function(lambda c: {
        "institution_id": c.subject_institution_id, "physician_id": c.subject_physician_id,
        **({"nurse_id": c.subject_nurse_id} if c.subject_nurse_id else {})})
    open_work_items = fields.Function(lambda c: [
        {"id": i["id"], "task": i["task"], "title": i["title"], "role": i["role"],
         "organisation_id": i["organisation_id"],
         "deadline": i["deadline"].isoformat() if i["deadline"] else None}
        for i in _open_items(c)])
    next_timer_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


def load_open_items(cases: list[Case]) -> None:
    """Read the open work items of the cases whose items are not known yet, in one query (a
    step already knows those of its case)."""
    unknown = {c.id: c for c in cases if c.open_items is None}
    for case in unknown.values():
        case.open_items = []
    if unknown:
        columns = (WorkItem.case_id, WorkItem.id, WorkItem.task, WorkItem.title, WorkItem.role,
                   WorkItem.organisation_id, WorkItem.deadline)
        for row in db.session.execute(select(*columns).where(
                WorkItem.case_id.in_(unknown), WorkItem.status == "open")):
            unknown[row.case_id].open_items.append(row._asdict())


def _open_items(case: Case) -> list[dict]:
    if case.open_items is None:
        load_open_items([case])
    return sorted(case.open_items, key=lambda i: i["id"])


class WorkItemSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    process = fields.String(attribute="process_id")
    task = fields.String()
    title = fields.String()
    role = fields.String()
    organisation_id = fields.Integer()
    organisation_kind = fields.String()
    assignee = fields.Function(lambda i: i.assignee.username if i.assignee_id else None)
    status = fields.String()
    deadline = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class EventSchema(Schema):
    seq = fields.Integer()
    type = fields.String()
    type_label = fields.Function(lambda e: casework.EVENT_TYPES.get(e.type, e.type))
    task = fields.String(allow_none=True)
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    at = fields.DateTime()
    data = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class StartRequest(Schema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=64))
    subject = fields.Dict(required=True)
    data = fields.Dict(load_default=dict)


class DataRequest(Schema):
    data = fields.Dict(required=True)


# built once: a schema holds no per-request state, and building one costs more than a dump
CASE, WORK_ITEM, DATA_REQUEST = CaseSchema(), WorkItemSchema(), DataRequest()


@bp.get("/processes")
@authenticated
def processes():
    return jsonify({"items": [
        {"id": d.process_id, "name": d.name, "version": d.version, "startable_by": d.startable_by,
         "deployed_at": d.deployed_at.isoformat()} for d in definitions.all_latest()
    ], "next_cursor": None})


@bp.post("/cases")
@authenticated
@idempotent
def start_case():
    body = json_body(StartRequest())
    case = runtime.start(caller(), body["process"], body["subject"], body["data"])
    return jsonify(CASE.dump(case)), 201


@bp.get("/cases")
@authenticated
def cases():
    stmt = select(Case).where(scope(caller(), READ, Case))
    process, status, subject = (request.args.get(k, "") for k in ("process", "status", "subject"))
    if process:
        stmt = stmt.where(Case.process_id == process)
    if status:
        if status not in CASE_STATUSES:
            raise ApiError(400, fields={"status": ["取值不在允许范围内"]})
        stmt = stmt.where(Case.status == status)
    if subject:
        subject_id = query_id("subject", "须为机构编号")
        stmt = stmt.where(Case.subject_institution_id == subject_id)
    return keyset_page(stmt, Case, CASE, prepare=load_open_items)


@bp.get("/cases/<int:case_id>")
@authenticated
def case(case_id: int):
    return jsonify(CASE.dump(require(caller(), Case, case_id)))


@bp.get("/cases/<int:case_id>/events")
@authenticated
def case_events(case_id: int):
    found = require(caller(), Case, case_id)
    history = events.events_of(found.id)
    items = EventSchema(many=True).dump(history)
    for item, event in zip(items, history, strict=True):
        item["data"] = casework.masked_data(found, event)
    return jsonify({"items": items, "next_cursor": None})


@bp.post("/cases/<int:case_id>/replay")
@authenticated
def case_replay(case_id: int):
    return jsonify(replay(require(caller(), Case, case_id)).as_dict())


@bp.post("/cases/<int:case_id>/withdraw")
@authenticated
@idempotent
def withdraw(case_id: int):
    body = request.get_json(silent=True) or {}
    reason = str(body.get("reason", ""))[:500] if isinstance(body, dict) else ""
    found = runtime.withdraw(caller(), require(caller(), Case, case_id), reason)
    return jsonify(CASE.dump(found))


@bp.get("/work-items")
@authenticated
def work_items():
    actor = caller()
    kind, ident = actor.inbox_key
    scope_, status = request.args.get("scope", "org"), request.args.get("status", "open")
    if scope_ not in ("mine", "org") or status not in ("open", "done"):
        raise ApiError(400, fields={"scope": ["mine 或 org"], "status": ["open 或 done"]})
    if status == "done":
        stmt = select(WorkItem).where(WorkItem.completed_by_id == actor.id)
    elif scope_ == "mine":
        stmt = select(WorkItem).where(WorkItem.assignee_id == actor.id, WorkItem.status == "open")
    else:
        stmt = select(WorkItem).where(WorkItem.organisation_kind == kind,
                                      WorkItem.organisation_id == (ident or 0),
                                      WorkItem.status == "open")
    if request.args.get("process"):
        stmt = stmt.where(WorkItem.process_id == request.args["process"])
    return keyset_page(stmt, WorkItem, WORK_ITEM)


@bp.get("/work-items/<int:item_id>")
@authenticated
def work_item(item_id: int):
    item = runtime.open_item(caller(), item_id)
    body = WORK_ITEM.dump(item)
    body["form"] = item.case.deployed.form(item.form)
    body["data"] = item.draft if item.draft is not None else _prefill(item)
    return jsonify(body)


def _prefill(item: WorkItem) -> dict:
    info = item.case.deployed.parsed.user_tasks.get(item.task)
    name = info.properties.get("prefill") if info else None
    if not name:
        return {}
    last = db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == item.case_id, CaseEvent.type == "task_completed",
        CaseEvent.task == item.task).order_by(CaseEvent.seq.desc()).limit(1)).first()
    return get_prefill(name)(item.case, last.data.get("form") if last else None)


@bp.post("/work-items/<int:item_id>/claim")
@authenticated
@idempotent
def claim(item_id: int):
    return jsonify(WORK_ITEM.dump(runtime.claim(caller(), item_id)))


@bp.post("/work-items/<int:item_id>/release")
@authenticated
@idempotent
def release(item_id: int):
    return jsonify(WORK_ITEM.dump(runtime.release(caller(), item_id)))


@bp.post("/work-items/<int:item_id>/complete")
@authenticated
@idempotent
def complete(item_id: int):
    body = json_body(DATA_REQUEST)
    return jsonify(CASE.dump(runtime.complete(caller(), item_id, body["data"])))


@bp.post("/work-items/<int:item_id>/draft")
@authenticated
@idempotent
def draft(item_id: int):
    body = json_body(DATA_REQUEST)
    item = runtime.save_draft(caller(), item_id, body["data"])
    return jsonify(WORK_ITEM.dump(item))


class MessageRequest(Schema):
    correlation = fields.Dict(required=True)
    payload = fields.Dict(load_default=dict)


@bp.post("/messages/<name>")
@authenticated
@idempotent
def message(name: str):
    """An inbound callback correlated to the waiting case: by ``correlation.case_id`` or by a
    key a domain registered (``registration_number``); 404 when no case in the caller's scope
    waits for it."""
    body = json_body(MessageRequest())
    actor, name = caller(), name[:64]
    if plugins.is_domain_message(name):
        raise ApiError(409, f"该业务当前不等待消息 {name}", code="not_waiting")
    waiting = runtime.correlated_cases(name, body["correlation"], scope(actor, READ, Case))
    if not waiting:
        raise ApiError(404, f"未找到等待消息 {name} 的业务", code="unknown_correlation")
    if len(waiting) > 1:
        raise ApiError(409, "关联键对应多件业务，请改用 case_id", code="ambiguous_correlation")
    found = runtime.deliver_message(actor, waiting[0], name, body["payload"])
    return jsonify(CASE.dump(found))
