"""``Idempotency-Key`` on writes: the same key and body answer with the first result.

The key is stored in the request's own transaction, together with the work and the answer:
the view's commits only flush, and one commit at the end writes the work, the key and the
answer at once. A request that dies midway (a crash, a kill -9, a lost connection) leaves
nothing behind, so a retry with the key runs it for real; a request with a key already
answered gets the stored answer. Two requests with one key at once cannot both run: on
PostgreSQL the second one's insert of the key waits on the unique index until the first
commits (then it replays the answer) or rolls back (then it runs); on SQLite writers take the
database's write lock in turn (``core/database.py``).
"""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import Response, jsonify, make_response, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from service.api.v1.common import caller
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine.models import IdempotencyRecord

# Written before the answer by the scheme this one replaced; such a row is a request that died.
PENDING = 0


def idempotent(view):
    """Remember the answer to a keyed write; a repeat returns it, a different body is a conflict."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 100 or not key.isprintable():
            raise ApiError(400, "Idempotency-Key 须为不超过 100 个可见字符",
                           fields={"Idempotency-Key": ["须为不超过 100 个可见字符"]})
        account_id = caller().id
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + (request.get_data() or b"")
        ).hexdigest()
        record, answered = _claim(account_id, key, digest)
        if answered is not None:
            return answered
        return _run(view, args, kwargs, record)

    return wrapper


def _claim(account_id: int, key: str, digest: str) -> tuple[IdempotencyRecord | None, Response | None]:
    """The key's row added to this transaction, or the stored answer when it was answered."""
    for _ in range(2):
        existing = _find(account_id, key)
        if existing is not None and existing.status != PENDING:
            return None, _repeat(existing, digest)
        if existing is not None:  # left behind by a request that died under the old scheme
            db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
        record = IdempotencyRecord(account_id=account_id, key=key, request_hash=digest,
                                   status=PENDING, body={})
        db.session.add(record)
        try:
            db.session.flush()  # PostgreSQL: waits here while another request holds the key
            return record, None
        except IntegrityError:
            db.session.rollback()  # the other request committed: its answer is stored
    raise ApiError(409, "相同的请求正在处理中", code="request_in_progress")


def _find(account_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalars(select(IdempotencyRecord).where(
        IdempotencyRecord.account_id == account_id, IdempotencyRecord.key == key)).first()


def _run(view, args, kwargs, record: IdempotencyRecord) -> Response:
    """Run the view with its commits deferred to one final commit that stores the answer."""
    session = db.session()
    session.commit = session.flush  # the view's commits only flush, in this transaction
    try:
        response = make_response(view(*args, **kwargs))
    except BaseException:
        del session.commit
        db.session.rollback()  # the key goes with the work: a retry runs it again
        raise
    del session.commit
    if record not in session:  # the view rolled back (and retried) on its own
        session.add(record)
    if response.status_code >= 500 or not response.is_json:  # nothing to replay: no key
        session.expunge(record) if record in session.new else session.delete(record)
    else:
        record.status, record.body = response.status_code, response.get_json()
    session.commit()
    return response


def _repeat(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise ApiError(409, "该 Idempotency-Key 已用于不同的请求", code="idempotency_key_reused")
    response = jsonify(record.body)
    response.status_code = record.status
    response.headers["Idempotent-Replayed"] = "true"
    return response
