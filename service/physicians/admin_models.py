"""What institutions keep about their physicians (P11) and what physicians' accounts need (P0)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow
from service.registry.versioning import Versioned, column_snapshot

ACTIVATION_STATUSES = {"unused": "未使用", "sent": "已发送", "used": "已激活", "revoked": "已作废"}


class ApprovalAuthoritySetting(Versioned, db.Model):
    """Which administration approves this institution's physicians of one category (审批机关设置)."""

    __tablename__ = "approval_authority_setting"
    __table_args__ = (UniqueConstraint("institution_id", "category"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    category: Mapped[str] = mapped_column(String(1))
    administration_id: Mapped[int] = mapped_column(ForeignKey("administration.id"))

    administration = relationship("Administration")

    def snapshot(self) -> dict:
        return column_snapshot(self)


class ActivationCode(db.Model):
    """A code an institution generates for one of its physicians to activate her account."""

    __tablename__ = "activation_code"
    __table_args__ = (Index("ix_activation_code_inst", "institution_id", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    physician_id: Mapped[int] = mapped_column(ForeignKey("physician.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="unused")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # Where the code went (kept for the list's masked contact column; None: told in person).
    sent_phone: Mapped[str | None] = mapped_column(String(20))
    sent_email: Mapped[str | None] = mapped_column(String(120))

    physician = relationship("Physician")

    @property
    def status_name(self) -> str:
        return ACTIVATION_STATUSES.get(self.status, self.status)


class PhysicianDepartment(db.Model):
    """The department (科室) a physician works in at an institution."""

    __tablename__ = "physician_department"
    physician_id: Mapped[int] = mapped_column(ForeignKey("physician.id"), primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))


class AccountRevocation(db.Model):
    """An institution revoked a physician account its physician says is not hers (撤销账户)."""

    __tablename__ = "account_revocation"
    __table_args__ = (Index("ix_account_revocation_inst", "institution_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    physician_id: Mapped[int] = mapped_column(ForeignKey("physician.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    reason: Mapped[str] = mapped_column(String(500))
    revoked_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account = relationship("Account", foreign_keys=[account_id])
    physician = relationship("Physician")
    revoked_by = relationship("Account", foreign_keys=[revoked_by_id])
