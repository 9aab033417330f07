"""Verification (校验) records and the period rule."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.extensions import UTCDateTime, db
from service.institutions.models import Institution
from service.registry.reference import CodeTable

RESULTS = {"passed": "校验合格", "deferred": "暂缓校验", "failed": "校验不合格"}


class VerificationRecord(db.Model):
    """One verification conclusion of an institution; appended, never changed."""

    __tablename__ = "verification_record"
    __table_args__ = (Index("ix_verification_record_inst", "institution_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    case_id: Mapped[int | None]
    result: Mapped[str] = mapped_column(String(12))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    period_years: Mapped[int | None]
    next_due: Mapped[date | None]
    defer_months: Mapped[int | None]
    deferred_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(String(2000))

    @property
    def result_name(self) -> str:
        return RESULTS.get(self.result, self.result)


def period_years(inst: Institution, after_deferral: bool = False) -> int:
    """1 or 3 years by category and beds (实施细则 art. 35); 1 year right after a deferral."""
    if after_deferral:
        return 1
    category = db.session.get(CodeTable, ("institution_category", inst.category_code))
    rule = (category.extra or {}).get("verification_class") if category else None
    if rule == "three_year":
        return 3
    if rule == "beds":
        return 3 if inst.beds >= 100 else 1
    return 1
