"""The append-only, hash-chained case history and its verification."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

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


def _digest(*fields) -> str:
    return hashlib.sha256(canonical_body(*fields)).hexdigest()


def record(case: Case, type_: str, *, at: datetime, actor_id: int | None = None,
           task: str | None = None, data: dict | None = None) -> dict:
    """The row of the case's next event, chained to the previous one (not yet written)."""
    data = json.loads(json.dumps(data or {}, default=str, ensure_ascii=False))
    seq = case.event_count + 1
    prev = case.last_hash or GENESIS
    return {"case_id": case.id, "seq": seq, "type": type_, "task": task, "actor_id": actor_id,
            "at": at, "data": data, "prev_hash": prev,
            "hash": _digest(case.id, seq, type_, task, actor_id, at, data, prev)}


def append(case: Case, type_: str, *, at: datetime, actor_id: int | None = None,
           task: str | None = None, data: dict | None = None) -> CaseEvent:
    """Add the next event of a case through the session (steps write theirs with the state)."""
    event = CaseEvent(**record(case, type_, at=at, actor_id=actor_id, task=task, data=data))
    db.session.add(event)
    case.event_count, case.last_hash = event.seq, event.hash
    return event


def events_of(case_id: int) -> list[CaseEvent]:
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
    ))


def verify_chain(case: Case, events: list[CaseEvent] | None = None) -> list[str]:
    """Problems with a case's history: edited, missing, reordered or appended-behind events."""
    events = events if events is not None else events_of(case.id)
    problems = []
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(f"第 {expected_seq} 条事件缺失（实际为第 {event.seq} 条）")
            break
        if event.prev_hash != prev:
            problems.append(f"第 {event.seq} 条事件：哈希链断裂（前序哈希不符）")
        digest = _digest(case.id, event.seq, event.type, event.task, event.actor_id, event.at,
                         event.data, event.prev_hash)
        if digest != event.hash:
            problems.append(f"第 {event.seq} 条事件：内容与哈希不符，记录已被改动")
        prev = event.hash
    if len(events) != case.event_count or prev != (case.last_hash or GENESIS):
        problems.append(f"业务记录了 {case.event_count} 条事件，历史中有 {len(events)} 条：事件被删除或追加")
    return problems
