"""Every change to a registry record is a new version; history is never overwritten.

Records that mix in :class:`Versioned` get a ``version`` counter. Whenever such a record is
inserted or changed, the session's ``before_flush`` hook appends a :class:`RecordVersion` row
holding a full snapshot, who changed it, why and on behalf of which case. Reading the state at a
date is reading the newest snapshot that was valid then.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, event, func, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import SHANGHAI, utcnow


@dataclass(frozen=True)
class ChangeContext:
    actor_id: int | None = None
    reason: str = ""
    case_id: int | None = None


_context: contextvars.ContextVar[ChangeContext | None] = contextvars.ContextVar(
    "registry_change_context", default=None
)
_NO_CONTEXT = ChangeContext()


@contextlib.contextmanager
def change_context(actor_id: int | None, reason: str, case_id: int | None = None) -> Iterator[None]:
    """Attribute every registry change made inside the block to an actor and a reason."""
    token = _context.set(ChangeContext(actor_id, reason, case_id))
    try:
        yield
    finally:
        _context.reset(token)


class RecordVersion(db.Model):
    """An immutable snapshot of one registry record at one version."""

    __tablename__ = "record_version"
    __table_args__ = (
        Index("ix_record_version_entity", "entity", "entity_id", "version", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int]
    version: Mapped[int]
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(db.JSON)
    changed: Mapped[list] = mapped_column(db.JSON, default=list)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    case_id: Mapped[int | None]

    actor = relationship("Account", lazy="joined")


class Versioned:
    """Mixin for registry records whose every change is kept."""

    __versioned__ = True
    version: Mapped[int] = mapped_column(default=0)

    def snapshot(self) -> dict:
        """A JSON-ready dict of every registered item of the record: by default every column
        but the version and the creation time; a record with more to say overrides it."""
        return column_snapshot(self)


def _snapshot_of(table, value_of) -> dict:
    data = {}
    for col in table.columns:
        if col.key in ("version", "created_at"):
            continue
        value = value_of(col.key)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[col.key] = value
    return data


def column_snapshot(obj) -> dict:
    """Every column of a record except bookkeeping, as JSON-ready values."""
    return _snapshot_of(obj.__table__, lambda key: getattr(obj, key))


def _changed_keys(obj: Versioned) -> list[str]:
    state = sa_inspect(obj)
    return sorted(
        a.key for a in state.attrs if a.key != "version" and a.history.has_changes()
    )


@event.listens_for(Session, "before_flush")
def _bump_versions(session: Session, _flush_context, _instances) -> None:
    ctx = _context.get() or _NO_CONTEXT
    now = utcnow()
    pending = session.info.setdefault("versions_pending", [])
    for obj in list(session.new):
        if isinstance(obj, Versioned):
            obj.version = 1
            pending.append((obj, [], ctx, now))
    for obj in list(session.dirty):
        if isinstance(obj, Versioned) and session.is_modified(obj, include_collections=True):
            changed = _changed_keys(obj)
            if changed:
                obj.version = (obj.version or 0) + 1
                pending.append((obj, changed, ctx, now))


def follow_change(session: Session, obj: Versioned, changed: list[str]) -> None:
    """Queue a new version of ``obj`` in the flush under way (call from ``before_flush``): none
    of its columns changed, but a value its snapshot takes from a related record did."""
    obj.version = (obj.version or 0) + 1
    session.info.setdefault("versions_pending", []).append(
        (obj, changed, _context.get() or _NO_CONTEXT, utcnow()))


@event.listens_for(Session, "after_flush")
def _write_versions(session: Session, _flush_context) -> None:
    pending = session.info.pop("versions_pending", [])
    if not pending:
        return
    session.execute(
        RecordVersion.__table__.insert(),
        [
            {
                "entity": obj.__tablename__, "entity_id": obj.id, "version": obj.version,
                "valid_from": now, "data": obj.snapshot(), "changed": changed,
                "actor_id": ctx.actor_id, "reason": ctx.reason, "case_id": ctx.case_id,
            }
            for obj, changed, ctx, now in pending
        ],
    )


@event.listens_for(Session, "after_soft_rollback")
def _drop_versions(session: Session, _previous_transaction) -> None:
    # a flush that failed (a unique key refused a row) leaves versions of records never
    # written; the next flush must not write them
    session.info.pop("versions_pending", None)


def insert_new(model: type[Versioned], rows: Sequence[dict],
               extras: Sequence[dict] | None = None) -> list[int]:
    """Insert new records of ``model`` in bulk, each with its version 1: the rows the ORM's
    flush would write for the same records (the record with the columns' scalar defaults, a
    snapshot of every column, the change context's actor, reason and case, one ``valid_from``
    for the batch), in two executemany statements instead of a unit of work.

    ``rows`` hold column values (every row the same keys, no ``id``); ``extras[i]`` adds what
    row ``i``'s :meth:`Versioned.snapshot` takes beyond its columns (related records the
    caller inserts itself). Returns the new ids in the order of ``rows``.
    """
    if not rows:
        return []
    table = model.__table__
    defaults = {col.key: col.default.arg for col in table.columns
                if col.default is not None and col.default.is_scalar}
    records = [{**defaults, **row, "version": 1} for row in rows]
    if db.session.get_bind().dialect.name == "postgresql":
        # ids drawn from the sequence first: a plain executemany is psycopg's pipelined fast
        # path, where RETURNING would make one long multi-VALUES text per page to parse
        ids = list(db.session.scalars(
            select(func.nextval(func.pg_get_serial_sequence(table.name, "id")))
            .select_from(func.generate_series(1, len(records)))))
        for record, id_ in zip(records, ids, strict=True):
            record["id"] = id_
        db.session.execute(insert(table), records)
    else:
        ids = list(db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), records).scalars())
    ctx, now = _context.get() or _NO_CONTEXT, utcnow()
    versions = []
    for i, (record, id_) in enumerate(zip(records, ids, strict=True)):
        record["id"] = id_
        data = _snapshot_of(table, lambda key, record=record: record.get(key))
        if extras is not None:
            data.update(extras[i])
        versions.append({
            "entity": table.name, "entity_id": id_, "version": 1, "valid_from": now,
            "data": data, "changed": [], "actor_id": ctx.actor_id, "reason": ctx.reason,
            "case_id": ctx.case_id})
    db.session.execute(insert(RecordVersion.__table__), versions)
    return ids


def history(entity: str, entity_id: int) -> list[RecordVersion]:
    """All versions of one record, oldest first."""
    return list(db.session.scalars(
        select(RecordVersion)
        .where(RecordVersion.entity == entity, RecordVersion.entity_id == entity_id)
        .order_by(RecordVersion.version)
    ))


def state_at(entity: str, entity_id: int, when: datetime) -> RecordVersion | None:
    """The version of a record that was in force at ``when`` (None if it did not exist yet)."""
    return db.session.scalars(
        select(RecordVersion)
        .where(
            RecordVersion.entity == entity, RecordVersion.entity_id == entity_id,
            RecordVersion.valid_from <= when,
        )
        .order_by(RecordVersion.version.desc())
        .limit(1)
    ).first()


def state_on(entity: str, entity_id: int, day: date) -> RecordVersion | None:
    """The version in force at the end of ``day`` on the Beijing calendar."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return db.session.scalars(
        select(RecordVersion)
        .where(RecordVersion.entity == entity, RecordVersion.entity_id == entity_id,
               RecordVersion.valid_from < end)
        .order_by(RecordVersion.version.desc())
        .limit(1)
    ).first()


def parse_day(raw: str | None) -> date | None:
    """A ``YYYY-MM-DD`` date not after today in Beijing; ValueError with a Chinese reason."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError("日期格式应为 YYYY-MM-DD")
    if day > utcnow().astimezone(SHANGHAI).date():
        raise ValueError("日期不能晚于今天")
    return day
