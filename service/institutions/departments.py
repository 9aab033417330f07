"""An institution's departments (科室), each mapped to subjects of its licence."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import db
from service.registry.versioning import Versioned, column_snapshot


class DepartmentSubject(db.Model):
    __tablename__ = "department_subject"
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True
    )
    subject_code: Mapped[str] = mapped_column(String(16), primary_key=True)


class Department(Versioned, db.Model):
    """An institution department (科室), mapped to one or more subjects."""

    __tablename__ = "department"
    __table_args__ = (Index("ix_department_code", "institution_id", "code", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(default=True)

    subjects: Mapped[list[DepartmentSubject]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def subject_codes(self) -> list[str]:
        return sorted(s.subject_code for s in self.subjects)

    def snapshot(self) -> dict:
        data = column_snapshot(self)
        data["subjects"] = self.subject_codes
        return data
