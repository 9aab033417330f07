"""Institutions signed up for self-inspection and demerit scoring, and their staff accounts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow
from service.registry import codes
from service.registry.versioning import Versioned, column_snapshot

UNIT_STATUSES = {"pending": "待审核", "returned": "已退回", "active": "审核通过"}
DUTIES = {"inspection": "医疗机构自查", "scoring": "医疗机构不良记分"}


class SupervisedUnit(Versioned, db.Model):
    """An institution as it signed up (注册页面 1–2); linked to the registry record when the
    registry holds one with the same USCC."""

    __tablename__ = "sv_unit"
    __table_args__ = (Index("ix_sv_unit_division", "division_code", "status", "id"),
                      Index("ix_sv_unit_city", "city_code", "status", "id"),
                      Index("ix_sv_unit_province", "province_code", "status", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    city_code: Mapped[str] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(200))
    level_code: Mapped[str] = mapped_column(String(4))
    subject_codes: Mapped[list] = mapped_column(db.JSON, default=list)
    nature: Mapped[str] = mapped_column(String(2))
    legal_representative: Mapped[str] = mapped_column(String(40))
    legal_representative_id: Mapped[str] = mapped_column(String(18))
    contact: Mapped[str] = mapped_column(String(40))
    contact_phone: Mapped[str] = mapped_column(String(20))
    licence_document_ids: Mapped[list] = mapped_column(db.JSON, default=list)
    checklist_province: Mapped[str] = mapped_column(String(8))
    checklist_version: Mapped[str] = mapped_column(String(12))
    scope: Mapped[list] = mapped_column(db.JSON, default=list)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)
    administration_id: Mapped[int] = mapped_column(ForeignKey("administration.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    return_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    division = relationship("Division")
    administration = relationship("Administration")

    @property
    def status_name(self) -> str:
        return UNIT_STATUSES.get(self.status, self.status)

    @property
    def level_name(self) -> str:
        return codes.name(self.level_code, "level")

    @property
    def nature_name(self) -> str:
        return codes.name(self.nature, "management_class")

    def snapshot(self) -> dict:
        return column_snapshot(self)


class SupervisionDepartment(Versioned, db.Model):
    """A department (科室) of a signed-up institution: name and code, code unique in it."""

    __tablename__ = "sv_department"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(20))
    is_enabled: Mapped[bool] = mapped_column(default=True)

    def snapshot(self) -> dict:
        return column_snapshot(self)


class SupervisionMember(Versioned, db.Model):
    """A login of a signed-up institution: its administrator or a staff member (工作信息员) with
    duties and, for self-inspection, a scope within the institution's."""

    __tablename__ = "sv_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("sv_department.id"), index=True)
    duties: Mapped[list] = mapped_column(db.JSON, default=list)
    scope: Mapped[list] = mapped_column(db.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[SupervisedUnit] = relationship()
    department: Mapped[SupervisionDepartment | None] = relationship()
    account = relationship("Account")

    def snapshot(self) -> dict:
        return column_snapshot(self)
