"""In-app messages of the caller (``api.md``): ``GET /api/v1/notifications?unread=true`` and
``POST /api/v1/notifications/{id}/read``."""
from __future__ import annotations

from apispec import APISpec
from flask import jsonify, request

from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, list_limit
from service.api.v1.openapi import path_param, responses, section
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import query_id
from service.notify import inbox
from service.notify.models import Notification


def _dump(m: Notification) -> dict:
    return {"id": m.id, "subject": m.subject, "body": m.body, "read": m.read_at is not None,
            "read_at": m.read_at.isoformat() if m.read_at else None,
            "created_at": m.created_at.isoformat()}


@bp.get("/notifications")
@authenticated
def notifications():
    unread = request.args.get("unread", "").lower() in ("true", "1")
    limit = list_limit()
    items = inbox.messages(caller().id, unread=unread, before=query_id("cursor", "分页游标无效"),
                           limit=limit + 1)
    more = len(items) > limit
    return jsonify({"items": [_dump(m) for m in items[:limit]],
                    "next_cursor": str(items[limit - 1].id) if more else None,
                    "unread": inbox.unread_count(caller().id)})


@bp.post("/notifications/<int:message_id>/read")
@authenticated
def notification_read(message_id: int):
    message = inbox.mark_read(caller().id, message_id)
    if message is None:
        raise ApiError(404)
    db.session.commit()
    return jsonify(_dump(message))


@section
def notification_paths(spec: APISpec, sec: list) -> None:
    spec.path("/api/v1/notifications", operations={"get": {
        "summary": "The caller's in-app messages, newest first (unread=true for unread only)",
        "security": sec, "parameters": [
            {"name": "unread", "in": "query", "schema": {"type": "boolean"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
        "responses": responses({"type": "object"})}})
    spec.path("/api/v1/notifications/{message_id}/read", operations={"post": {
        "summary": "Mark one of the caller's messages read", "security": sec,
        "parameters": path_param("message_id"), "responses": responses({"type": "object"})}})
