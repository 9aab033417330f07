"""撤销办理 (seed 003 ch.3 §8), for every person's business: an institution takes back its
confirmation of a physician's or nurse's application while the approving authority has not
decided; the case returns to the institution's confirmation. The BPMN files carry the
``confirmation_revoked`` message boundary event on the approval task, so the step is an engine
event and replays like any other."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from service.access.models import Account
from service.access.policy import require
from service.api.v1 import bp as api_bp
from service.api.v1.common import authenticated, caller
from service.api.v1.idempotency import idempotent
from service.api.v1.openapi import path_param, responses, section
from service.casework.api import CaseSchema
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import plugins, runtime
from service.engine.models import Case, WorkItem
from service.persons.subjects import kind_of_case

MESSAGE = "confirmation_revoked"
CASE = CaseSchema()
plugins.domain_message(MESSAGE)


def _confirmed_by(case: Case) -> int | None:
    """The institution whose confirmation sent the case to the authority."""
    return db.session.scalar(select(WorkItem.organisation_id).where(
        WorkItem.case_id == case.id, WorkItem.task == "confirm", WorkItem.status == "done",
        WorkItem.organisation_kind == "institution").order_by(WorkItem.id.desc()).limit(1))


def revocable(actor: Account, case: Case) -> bool:
    """A person's case, open, waiting for the authority's approval, and confirmed by the
    actor's institution."""
    if actor.kind != "institution" or actor.institution_id is None or case.status != "open":
        return False
    if kind_of_case(case) is None:
        return False
    waiting = db.session.scalars(select(WorkItem.task).where(
        WorkItem.case_id == case.id, WorkItem.status == "open")).all()
    return waiting == ["approve"] and _confirmed_by(case) == actor.institution_id


def revoke(actor: Account, case: Case, reason: str) -> Case:
    """Take the confirmation back; 409 once the authority has decided (or never received it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApiError(422, "请填写撤销办理的原因", fields={"reason": ["必填项"]})
    if not revocable(actor, case):
        raise ApiError(409, "该业务不能撤销办理：仅在本机构已确认、审批机关尚未审批时可以撤销",
                       code="not_revocable")
    return runtime.deliver_message(actor, case, MESSAGE, {"revoke_reason": reason[:500]},
                                   domain=True)


@api_bp.post("/cases/<int:case_id>/revoke-confirmation")
@authenticated
@idempotent
def revoke_confirmation(case_id: int):
    body = request.get_json(silent=True) or {}
    reason = str(body.get("reason", "")) if isinstance(body, dict) else ""
    found = revoke(caller(), require(caller(), Case, case_id), reason)
    return jsonify(CASE.dump(found))


@section
def revocation_paths(spec, sec: list) -> None:
    spec.path("/api/v1/cases/{case_id}/revoke-confirmation", operations={"post": {
        "summary": "撤销办理: the institution takes back its confirmation of a physician's or "
                   "nurse's application while the approving authority has not decided; the case "
                   "returns to the institution's confirmation (409 not_revocable otherwise)",
        "security": sec, "parameters": [*path_param("case_id"), {
            "name": "Idempotency-Key", "in": "header", "required": False,
            "schema": {"type": "string", "maxLength": 100}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["reason"],
            "properties": {"reason": {"type": "string", "maxLength": 500}}}}}},
        "responses": responses({"$ref": "#/components/schemas/Case"},
                               errors=(401, 404, 409, 422))}})
