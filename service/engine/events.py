"""The append-only, keyed hash chain of a case's history and its verification.

Each event's ``hash`` is HMAC-SHA-256, under ``EVENT_CHAIN_KEY``, of its content and the
previous event's hash; the case keeps the count, the last hash and a seal (an HMAC over the
case, the count, the last hash and the legacy count), so that an edit, a removal or a
truncation made without the key shows. The key lives in the environment, never in the
database. Events written before the chain was keyed (sequence numbers up to the case's
``chain_legacy_events``) keep their plain SHA-256 hashes and are covered by the seal the
migration made over them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from service.core.extensions import db
from service.engine.models import Case, CaseEvent

GENESIS = "0" * 64


def canonical_body(case_id: int, seq: int, type_: str, task: str | None, actor_id: int | None,
                   at: datetime, data: dict, prev_hash: str) -> bytes:
    """The bytes an event's hash covers."""
    return json.dumps(
        [case_id, seq, type_, task, actor_id, at.astimezone(UTC).isoformat(), data, prev_hash],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    ).encode()


def current_key() -> bytes:
    key = current_app.config.get("EVENT_CHAIN_KEY")
    if not key:
        raise RuntimeError("EVENT_CHAIN_KEY is not configured")
    return key.encode()


def _keys() -> list[bytes]:
    """The current key first, then retired ones that still verify older events."""
    return [current_key(), *(k.encode() for k in current_app.config.get("EVENT_CHAIN_OLD_KEYS", ()))]


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _seal_body(case_id: int, count: int, last_hash: str, legacy: int) -> bytes:
    return json.dumps(["seal", case_id, count, last_hash or GENESIS, legacy]).encode()


def seal(case: Case, count: int, last_hash: str, key: bytes | None = None) -> str:
    """The seal of a case whose history has ``count`` events ending with ``last_hash``."""
    return _mac(key or current_key(), _seal_body(case.id, count, last_hash,
                                                 case.chain_legacy_events or 0))


def record(case: Case, type_: str, *, at: datetime, actor_id: int | None = None,
           task: str | None = None, data: dict | None = None) -> dict:
    """The row of the case's next event, chained to the previous one (not yet written)."""
    data = json.loads(json.dumps(data or {}, default=str, ensure_ascii=False))
    seq = case.event_count + 1
    prev = case.last_hash or GENESIS
    body = canonical_body(case.id, seq, type_, task, actor_id, at, data, prev)
    return {"case_id": case.id, "seq": seq, "type": type_, "task": task, "actor_id": actor_id,
            "at": at, "data": data, "prev_hash": prev, "hash": _mac(current_key(), body)}


def append(case: Case, type_: str, *, at: datetime, actor_id: int | None = None,
           task: str | None = None, data: dict | None = None) -> CaseEvent:
    """Add the next event of a case through the session (steps write theirs with the state)."""
    event = CaseEvent(**record(case, type_, at=at, actor_id=actor_id, task=task, data=data))
    db.session.add(event)
    case.event_count, case.last_hash = event.seq, event.hash
    case.chain_seal = seal(case, event.seq, event.hash)
    return event


def events_of(case_id: int) -> list[CaseEvent]:
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
    ))


def _hash_matches(event: CaseEvent, legacy: int, keys: list[bytes]) -> bool:
    body = canonical_body(event.case_id, event.seq, event.type, event.task, event.actor_id,
                          event.at, event.data, event.prev_hash)
    if event.seq <= legacy:
        return hmac.compare_digest(hashlib.sha256(body).hexdigest(), event.hash)
    return any(hmac.compare_digest(_mac(key, body), event.hash) for key in keys)


def verify_chain(case: Case, events: list[CaseEvent] | None = None) -> list[str]:
    """Problems with a case's history: edited, missing, reordered, appended or removed events."""
    events = events if events is not None else events_of(case.id)
    keys, legacy = _keys(), case.chain_legacy_events or 0
    problems = []
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(f"第 {expected_seq} 条事件缺失（实际为第 {event.seq} 条）")
            break
        if event.prev_hash != prev:
            problems.append(f"第 {event.seq} 条事件：哈希链断裂（前序哈希不符）")
        if not _hash_matches(event, legacy, keys):
            problems.append(f"第 {event.seq} 条事件：内容与哈希不符，记录已被改动")
        prev = event.hash
    if len(events) != case.event_count or prev != (case.last_hash or GENESIS):
        problems.append(f"业务记录了 {case.event_count} 条事件，历史中有 {len(events)} 条：事件被删除或追加")
    if not _sealed(case, len(events), prev, keys):
        problems.append(f"事件数（{len(events)} 条）与末条哈希未通过密钥封签校验：历史被截断、"
                        "追加或业务记录被改动")
    return problems


def _sealed(case: Case, count: int, last_hash: str, keys: Iterable[bytes]) -> bool:
    if not case.chain_seal:
        return False
    return any(hmac.compare_digest(seal(case, count, last_hash, key), case.chain_seal)
               for key in keys)


def seal_legacy_chains(connection, key: bytes) -> tuple[int, int]:
    """Seal every case's unkeyed history as it stands (the migration to the keyed chain):
    a chain that verifies under plain SHA-256 gets its seal; a broken one is left unsealed, so
    it keeps showing. Returns (sealed, left broken)."""
    case_t, event_t = Case.__table__, CaseEvent.__table__
    sealed = broken = 0
    for case_id, count, last_hash in connection.execute(
            select(case_t.c.id, case_t.c.event_count, case_t.c.last_hash)).all():
        prev, ok, seen = GENESIS, True, 0
        for row in connection.execute(select(event_t).where(event_t.c.case_id == case_id)
                                      .order_by(event_t.c.seq)).mappings():
            seen += 1
            body = canonical_body(case_id, row["seq"], row["type"], row["task"],
                                  row["actor_id"], _aware(row["at"]), row["data"], row["prev_hash"])
            ok = ok and row["seq"] == seen and row["prev_hash"] == prev \
                and hashlib.sha256(body).hexdigest() == row["hash"]
            prev = row["hash"]
        ok = ok and seen == count and prev == (last_hash or GENESIS)
        values = {"chain_legacy_events": count}
        if ok:
            values["chain_seal"] = _mac(key, _seal_body(case_id, count, last_hash, count))
        connection.execute(case_t.update().where(case_t.c.id == case_id).values(**values))
        sealed, broken = sealed + ok, broken + (not ok)
    return sealed, broken


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
