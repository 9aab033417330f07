"""Registered nurses (护士) and their current registration."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow
from service.registry.versioning import Versioned, column_snapshot

NURSE_STATUSES = {"active": "有效", "expired": "已过期", "cancelled": "已注销"}


class Nurse(Versioned, db.Model):
    """A registered nurse (护士) and her current registration."""

    __tablename__ = "nurse"
    __table_args__ = (Index("ix_nurse_institution", "institution_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date]
    certificate_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    registered_on: Mapped[date | None]
    valid_until: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="active")
    phone: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution = relationship("Institution")

    @property
    def status_name(self) -> str:
        return NURSE_STATUSES.get(self.status, self.status)

    def snapshot(self) -> dict:
        return column_snapshot(self)

    @classmethod
    def registered_at(cls, institution_id: int, today: date):
        """The one meaning of "registered nurse" of an institution (home count and roster):
        in force there, and not past the end of its validity."""
        return and_(cls.institution_id == institution_id, cls.status == "active",
                    or_(cls.valid_until.is_(None), cls.valid_until >= today))
