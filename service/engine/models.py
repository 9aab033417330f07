"""Process definitions, cases, their events and the derived work items."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

CASE_STATUSES = {"open": "办理中", "completed": "已办结", "withdrawn": "已撤回", "terminated": "已终止"}
WORK_ITEM_STATUSES = {"open": "待办", "done": "已办", "cancelled": "已取消"}


class ProcessDefinition(db.Model):
    """One deployed version of a BPMN process and its forms, identified by content hash."""

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "content_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_file: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)  # read when parsed or drawn
    forms: Mapped[dict] = mapped_column(db.JSON, default=dict)
    startable_by: Mapped[list] = mapped_column(db.JSON, default=list)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    deployed_by = relationship("Account")


class Case(db.Model):
    """One running or finished process instance, pinned to its definition version.

    ``state`` is the serialized SpiffWorkflow state without the spec (a few KB); ``lock_version``
    makes concurrent steps on one case fail instead of overwriting each other.
    """

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_subject_institution", "subject_institution_id", "id"),
        Index("ix_case_scope", "province_code", "city_code", "division_code", "id"),
        Index("ix_case_timer", "next_timer_at"),
        Index("ix_case_starter", "started_by_id", "id"),
        Index("ux_case_business_number", "business_number", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    title: Mapped[str] = mapped_column(String(200))
    # 业务编号 in the usual form (registry/business_numbers.py); cases started before numbering
    # existed have none and show their id
    business_number: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    subject_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    subject_physician_id: Mapped[int | None] = mapped_column(ForeignKey("physician.id"), index=True)
    subject_nurse_id: Mapped[int | None] = mapped_column(ForeignKey("nurse.id"), index=True)
    division_code: Mapped[str | None] = mapped_column(String(6))
    city_code: Mapped[str | None] = mapped_column(String(6))
    province_code: Mapped[str | None] = mapped_column(String(6))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    state: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    # events up to this sequence number were chained with plain SHA-256 before the chain was
    # keyed; later ones with HMAC-SHA-256 (``engine/events.py``)
    chain_legacy_events: Mapped[int] = mapped_column(default=0, server_default="0")
    # HMAC over (case, event count, last hash, legacy count): a truncated history shows
    chain_seal: Mapped[str | None] = mapped_column(String(64))
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": lock_version}

    # Not a column: the case's open work items (rows as dicts) when already known in this
    # session — written by its step, or read for a list in one query; None when unknown.
    open_items = None
    # Not a column: the task data of the task being routed, set by the engine before it asks a
    # routing rule where the task goes (a rule may route by what the applicant entered).
    routing_data: dict = {}

    definition: Mapped[ProcessDefinition] = relationship()
    subject_institution = relationship("Institution")
    subject_physician = relationship("Physician")
    subject_nurse = relationship("Nurse")
    started_by = relationship("Account")

    @property
    def status_name(self) -> str:
        return CASE_STATUSES.get(self.status, self.status)

    @property
    def number(self) -> str:
        """The business number people read (the id for cases from before numbering)."""
        return self.business_number or str(self.id)

    @property
    def subject_person(self):
        """The person the case is about, if any (the columns are named by persons' domains)."""
        return self.subject_physician or self.subject_nurse

    @property
    def deployed(self):
        """The pinned version's cached spec and forms (no query after the first)."""
        from service.engine.definitions import deployed

        return deployed(self.definition_id)


class CaseEvent(db.Model):
    """An append-only, hash-chained record of one thing that happened to a case."""

    __tablename__ = "case_event"
    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        Index("ix_case_event_actor", "actor_id", "case_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(24))
    task: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(db.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor = relationship("Account")


class WorkItem(db.Model):
    """A READY manual task of a case, derived after every step; inboxes read only this table."""

    __tablename__ = "work_item"
    __table_args__ = (
        Index("ix_work_item_org", "organisation_kind", "organisation_id", "status", "id"),
        Index("ix_work_item_assignee", "assignee_id", "status", "id"),
        Index("ix_work_item_case", "case_id", "status"),
        Index("ix_work_item_done_by", "completed_by_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    process_id: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[str] = mapped_column(String(36))
    task: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    form: Mapped[str | None] = mapped_column(String(120))
    organisation_kind: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")
    deadline: Mapped[date | None]
    draft: Mapped[dict | None] = mapped_column(db.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    case: Mapped[Case] = relationship()
    assignee = relationship("Account", foreign_keys=[assignee_id])

    @property
    def status_name(self) -> str:
        return WORK_ITEM_STATUSES.get(self.status, self.status)


class IdempotencyRecord(db.Model):
    """The first answer to a write with an ``Idempotency-Key``, replayed for repeats."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("account_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[dict] = mapped_column(db.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
