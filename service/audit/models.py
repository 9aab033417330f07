"""Auditors' records: who read personal data when (the access log) and the runs of the chain
verification over a range of cases."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

ACCESS_ACTIONS = {"view": "查看", "reveal": "查看未遮蔽数据", "bundle": "导出审计包"}
RUN_STATUSES = {"queued": "排队中", "running": "校验中", "succeeded": "已完成", "failed": "出错"}


class AccessLog(db.Model):
    """One read of personal data by an auditor or an administration."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_at", "at"),
        Index("ix_access_log_account", "account_id", "id"),
        Index("ix_access_log_record", "record_kind", "record_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    action: Mapped[str] = mapped_column(String(8))
    record_kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int]
    what: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account = relationship("Account")


class ChainRun(db.Model):
    """A verification of every case's hash chain in a range, run in the background."""

    __tablename__ = "chain_run"
    __table_args__ = (Index("ix_chain_run_account", "account_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    process_id: Mapped[str | None] = mapped_column(String(64))
    division_code: Mapped[str | None] = mapped_column(String(6))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    cases: Mapped[int] = mapped_column(default=0)
    events: Mapped[int] = mapped_column(default=0)
    # the first BROKEN_LISTED problems; ``broken_total`` counts them all
    broken: Mapped[list] = mapped_column(db.JSON, default=list)
    broken_total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account = relationship("Account")
