"""What institutions keep about their physicians (P11): approving authorities and departments."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import db
from service.registry.versioning import Versioned


class ApprovalAuthoritySetting(Versioned, db.Model):
    """Which administration approves this institution's physicians of one category (审批机关设置)."""

    __tablename__ = "approval_authority_setting"
    __table_args__ = (UniqueConstraint("institution_id", "category"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    category: Mapped[str] = mapped_column(String(1))
    administration_id: Mapped[int] = mapped_column(ForeignKey("administration.id"))

    administration = relationship("Administration")


class PhysicianDepartment(db.Model):
    """The department (科室) a physician works in at an institution."""

    __tablename__ = "physician_department"
    physician_id: Mapped[int] = mapped_column(ForeignKey("physician.id"), primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
