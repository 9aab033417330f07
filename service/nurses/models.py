"""Nurses (护士): exam records, nurses with their current registration, and the registrations
themselves (one per business that registered her somewhere, versioned)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow
from service.persons.models import IdentityColumns
from service.registry.versioning import Versioned

NURSE_STATUSES = {"active": "有效", "expired": "已过期", "cancelled": "已注销",
                  "unregistered": "未注册"}
REGISTRATION_STATUSES = {"active": "有效", "expired": "已过期", "changed_out": "已变更转出",
                         "renewed": "已延续", "cancelled": "已注销"}


class NurseQualification(IdentityColumns, db.Model):
    """A nurse exam result (护士执业资格考试成绩), the stand-in for the national records; never
    changed by this service."""

    __tablename__ = "nurse_qualification"
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_date: Mapped[date]
    # 护士执业资格考试成绩合格证明 / 资格证书编号
    certificate_number: Mapped[str] = mapped_column(String(32), unique=True)
    school: Mapped[str | None] = mapped_column(String(80))
    education: Mapped[str | None] = mapped_column(String(20))

    @property
    def exam_year(self) -> int:
        return self.exam_date.year


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
    email: Mapped[str | None] = mapped_column(String(120))
    qualification_id: Mapped[int | None] = mapped_column(
        ForeignKey("nurse_qualification.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution = relationship("Institution")
    qualification: Mapped[NurseQualification | None] = relationship()
    registrations: Mapped[list[NurseRegistration]] = relationship(
        back_populates="nurse", order_by="NurseRegistration.id")

    @property
    def status_name(self) -> str:
        return NURSE_STATUSES.get(self.status, self.status)


    @classmethod
    def registered_at(cls, institution_id: int, today: date):
        """The one meaning of "registered nurse" of an institution (home count and roster):
        in force there, and not past the end of its validity."""
        return and_(cls.institution_id == institution_id, cls.status == "active",
                    or_(cls.valid_until.is_(None), cls.valid_until >= today))

class NurseRegistration(Versioned, db.Model):
    """A nurse's registration at an institution (护士执业注册), valid for a fixed period."""

    __tablename__ = "nurse_registration"
    __table_args__ = (Index("ix_nurse_registration_inst", "institution_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    nurse_id: Mapped[int] = mapped_column(ForeignKey("nurse.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    certificate_number: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="active")
    end_reason: Mapped[str | None] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    # the nearest reminder already sent (days before valid_to), so the daily job sends each once
    reminded_days: Mapped[int | None]

    nurse: Mapped[Nurse] = relationship(back_populates="registrations")
    institution = relationship("Institution")

    @property
    def status_name(self) -> str:
        return REGISTRATION_STATUSES.get(self.status, self.status)
