"""What every persons' domain shares in the database: the identity columns of a qualification
record, the activation codes institutions give their persons, and revoked accounts."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

ACTIVATION_STATUSES = {"unused": "未使用", "sent": "已发送", "used": "已激活", "revoked": "已作废"}


class IdentityColumns:
    """Name, gender, birth date and resident ID, as the national records hold them."""

    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date]
    id_number: Mapped[str] = mapped_column(String(18), unique=True)


class ActivationCode(db.Model):
    """A code an institution generates for one of its persons (a physician or a nurse) to
    activate her account; exactly one of the person columns is set."""

    __tablename__ = "activation_code"
    __table_args__ = (Index("ix_activation_code_inst", "institution_id", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("physician.id"), index=True)
    nurse_id: Mapped[int | None] = mapped_column(ForeignKey("nurse.id"), index=True)
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
    nurse = relationship("Nurse")

    @property
    def status_name(self) -> str:
        return ACTIVATION_STATUSES.get(self.status, self.status)


class AccountRevocation(db.Model):
    """An institution revoked a person's account she says is not hers (撤销账户)."""

    __tablename__ = "account_revocation"
    __table_args__ = (Index("ix_account_revocation_inst", "institution_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("physician.id"))
    nurse_id: Mapped[int | None] = mapped_column(ForeignKey("nurse.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    reason: Mapped[str] = mapped_column(String(500))
    revoked_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account = relationship("Account", foreign_keys=[account_id])
    physician = relationship("Physician")
    nurse = relationship("Nurse")
    revoked_by = relationship("Account", foreign_keys=[revoked_by_id])
