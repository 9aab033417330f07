"""Writing a step: the case row, its event and its work items, in one round trip.

A step reads through the ORM (actions and checks need the objects), but what it writes is
always the same few rows: the case's new state (guarded by its lock version), the
hash-chained event, the completed or cancelled work items and the new ones. Flushed by the
ORM's unit of work they cost more bookkeeping than the engine's own step, and a round trip
each. Here they are SQLAlchemy Core statements compiled once per database dialect and sent on
the session's own connection, inside its transaction; on PostgreSQL all of them in one
psycopg pipeline. The loaded objects are then set to what was written, so the session has
nothing left to flush and the commit only commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, null, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from service.core.extensions import db
from service.engine.models import Case, CaseEvent, WorkItem

_case, _event, _item = Case.__table__, CaseEvent.__table__, WorkItem.__table__

CASE_COLUMNS = ("definition_id", "state", "fingerprint", "updated_at", "next_timer_at", "status",
                "outcome", "completed_at", "event_count", "last_hash", "chain_seal")
ITEM_COLUMNS = tuple(c.name for c in _item.c if c.name != "id")


@dataclass
class StepWrite:
    """What one step writes. ``values`` are the case's changed columns."""

    case: Case
    values: dict[str, Any]
    event: dict[str, Any] = field(default_factory=dict)
    done: WorkItem | None = None
    done_by_id: int | None = None
    cancelled: list[str] = field(default_factory=list)
    new_items: list[dict[str, Any]] = field(default_factory=list)
    kept: bool = False  # some open work items stay open
    at: datetime | None = None


class _Statement:
    """A Core statement compiled once per dialect, with its parameters' converters."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def prepare(self, dialect, values: dict[str, Any]) -> tuple[str, Any]:
        hit = self._compiled.get(dialect.name)
        if hit is None:
            compiled = self.statement.compile(dialect=dialect)
            binds = {name: (bind.value, bind.type.dialect_impl(dialect).bind_processor(dialect))
                     for name, bind in compiled.binds.items()}
            order = compiled.positiontup if compiled.positional else None
            hit = self._compiled[dialect.name] = (compiled.string, binds, order)
        sql, binds, order = hit
        params = {}
        for name, (default, process) in binds.items():
            value = values.get(name, default)
            params[name] = process(value) if process is not None and value is not None else value
        return sql, (tuple(params[n] for n in order) if order is not None else params)


UPDATE_CASE = _Statement(
    update(_case)
    .where(_case.c.id == bindparam("case_id"), _case.c.lock_version == bindparam("expected"))
    .values({**{name: bindparam(name, type_=_case.c[name].type) for name in CASE_COLUMNS},
             "lock_version": bindparam("lock_version")}))
INSERT_EVENT = _Statement(insert(_event).inline().values(  # inline: no RETURNING of the id
    {c.name: bindparam(c.name, type_=c.type) for c in _event.c if c.name != "id"}))
ITEM_DONE = _Statement(
    update(_item).where(_item.c.id == bindparam("item_id"))
    .values(status="done", completed_at=bindparam("at", type_=_item.c.completed_at.type),
            completed_by_id=bindparam("by"), draft=null()))
ITEM_CANCELLED = _Statement(
    update(_item).where(_item.c.case_id == bindparam("case_id"),
                        _item.c.task_id == bindparam("task_id"), _item.c.status == "open")
    .values(status="cancelled", completed_at=bindparam("at", type_=_item.c.completed_at.type)))
INSERT_ITEM = _Statement(insert(_item).values(
    {name: bindparam(name, type_=_item.c[name].type) for name in ITEM_COLUMNS}
).returning(_item.c.id))


def write(step: StepWrite) -> list[int]:
    """Send the step's statements; the new work items' ids. A concurrent step on the case
    (its lock version moved, or its event number taken) raises ``StaleDataError``."""
    case = step.case
    expected = case.lock_version
    statements = [
        (UPDATE_CASE, {**step.values, "case_id": case.id, "expected": expected,
                       "lock_version": expected + 1}),
        (INSERT_EVENT, step.event),
    ]
    if step.done is not None:
        statements.append((ITEM_DONE, {"item_id": step.done.id, "at": step.at, "by": step.done_by_id}))
    statements += [(ITEM_CANCELLED, {"case_id": case.id, "task_id": task_id, "at": step.at})
                   for task_id in step.cancelled]
    statements += [(INSERT_ITEM, item) for item in step.new_items]

    connection = db.session.connection()
    prepared = [statement.prepare(connection.dialect, values) for statement, values in statements]
    if connection.dialect.driver == "psycopg":
        results = _pipelined(connection.connection.driver_connection, prepared)
        matched = results[0].rowcount
        ids = [c.fetchone()[0] for c in results[len(results) - len(step.new_items):]]
    else:
        results = [connection.exec_driver_sql(sql, params) for sql, params in prepared]
        matched = results[0].rowcount
        ids = [r.scalar_one() for r in results[len(results) - len(step.new_items):]]
    if matched != 1:
        raise StaleDataError(f"case {case.id} changed meanwhile (lock version {expected})")

    for name, value in step.values.items():
        set_committed_value(case, name, value)
    set_committed_value(case, "lock_version", expected + 1)
    if step.done is not None:
        for name, value in (("status", "done"), ("completed_at", step.at),
                            ("completed_by_id", step.done_by_id), ("draft", None)):
            set_committed_value(step.done, name, value)
    return ids


def _pipelined(conn, prepared: list[tuple[str, Any]]) -> list:
    """All statements in one psycopg pipeline: one round trip; their cursors, read afterwards."""
    import psycopg

    try:
        with conn.pipeline():
            return [conn.execute(sql, params) for sql, params in prepared]
    except psycopg.errors.UniqueViolation as exc:  # the event number: another step won
        raise StaleDataError(str(exc)) from None
