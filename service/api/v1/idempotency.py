"""``Idempotency-Key`` on writes: the same key and body answer with the first result."""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import Response, jsonify, make_response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.api.v1.common import caller
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine.models import IdempotencyRecord

PENDING = 0


def idempotent(view):
    """Remember the answer to a keyed write; a repeat returns it, a different body is a conflict."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 100:
            raise ApiError(400, "Idempotency-Key 不能超过 100 个字符")
        actor = caller()
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + (request.get_data() or b"")
        ).hexdigest()
        existing = db.session.scalars(select(IdempotencyRecord).where(
            IdempotencyRecord.account_id == actor.id, IdempotencyRecord.key == key)).first()
        if existing is not None:
            return _repeat(existing, digest)
        record = IdempotencyRecord(account_id=actor.id, key=key, request_hash=digest,
                                   status=PENDING, body={})
        db.session.add(record)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            existing = db.session.scalars(select(IdempotencyRecord).where(
                IdempotencyRecord.account_id == actor.id, IdempotencyRecord.key == key)).first()
            return _repeat(existing, digest)
        try:
            response = make_response(view(*args, **kwargs))
        except Exception:
            db.session.rollback()
            db.session.delete(db.session.merge(record))
            db.session.commit()
            raise
        if response.status_code >= 500 or not response.is_json:
            db.session.delete(record)
        else:
            record.status, record.body = response.status_code, response.get_json()
        db.session.commit()
        return response

    return wrapper


def _repeat(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise ApiError(409, "该 Idempotency-Key 已用于不同的请求", code="idempotency_key_reused")
    if record.status == PENDING:
        raise ApiError(409, "相同的请求正在处理中", code="request_in_progress")
    response = jsonify(record.body)
    response.status_code = record.status
    response.headers["Idempotent-Replayed"] = "true"
    return response
