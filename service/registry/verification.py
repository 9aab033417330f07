"""Verification (校验) records and the period rule."""
from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import UTCDateTime, db
from .institutions import Institution
from .reference import CodeTable

_D = TypeVar("_D", date, datetime)

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


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(moment: _D, months: int) -> _D:
    """The same day ``months`` later (or the month's last day), for dates and datetimes."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError("unreachable")
