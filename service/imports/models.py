"""Import jobs, their row errors and the persons waiting to be linked to an institution."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

STATUSES = {"queued": "排队中", "running": "进行中", "succeeded": "成功", "rejected": "未通过"}


class ImportJob(db.Model):
    """One uploaded legacy file and one run over it: a dry run (checks only) or the real run."""

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_administration", "administration_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    administration_id: Mapped[int] = mapped_column(ForeignKey("administration.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(4))  # csv / xlsx
    storage_key: Mapped[str] = mapped_column(String(120))
    # the data rows of the file (header excluded), counted at upload; None when unknown
    rows: Mapped[int | None]
    # rows checked (and, in a real run, written) so far
    done: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    # why the whole file was refused, beside its row errors (unreadable file, missing columns)
    message: Mapped[str | None] = mapped_column(Text)
    # the dry run this real run follows, if any
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("import_job.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor = relationship("Account")

    @property
    def status_name(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "rejected")


class ImportRowError(db.Model):
    """Why one field of one row was refused (row 1 is the header)."""

    __tablename__ = "import_row_error"
    __table_args__ = (Index("ix_import_row_error_job", "import_id", "row", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    row: Mapped[int]
    field: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(200))


class Placement(db.Model):
    """A person imported with an institution name the registry does not know (执业机构名称与
    本机构标准名称不一致): her registration waits here until the administration links her to an
    institution of the registry."""

    __tablename__ = "import_placement"
    __table_args__ = (Index("ix_import_placement_job", "import_id", "linked_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_job.id"))
    kind: Mapped[str] = mapped_column(String(16))
    row: Mapped[int]
    person_id: Mapped[int]
    person_name: Mapped[str] = mapped_column(String(40))
    institution_name: Mapped[str] = mapped_column(String(120))
    division_code: Mapped[str] = mapped_column(String(6))
    # the registration's items from the file, written when the person is linked
    data: Mapped[dict] = mapped_column(db.JSON)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    job: Mapped[ImportJob] = relationship()
