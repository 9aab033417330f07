"""Physicians, their qualifications and practice registrations."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow
from service.persons.models import IdentityColumns
from service.registry.versioning import Versioned, column_snapshot

PHYSICIAN_CATEGORIES = {"1": "临床", "2": "口腔", "3": "公共卫生", "4": "中医"}
PHYSICIAN_LEVELS = {"physician": "执业医师", "assistant": "执业助理医师"}
REGISTRATION_KINDS = {
    "main": "主要执业机构",
    "multi_site": "多机构备案",
    "legacy_multi_location": "多地点执业（旧）",
}
REGISTRATION_STATUSES = {
    "active": "有效",
    "filed": "已备案离岗",
    "changed_out": "已变更转出",
    "ended": "已终止",
    "cancelled": "已注销",
}
# Why a registration stopped being active: the cancellation grounds of seed 003 ch.2 §2.4 (P7),
# the filing grounds of ch.3 §8.1 (P8), and the processes that close a registration.
END_REASONS = {
    "death_or_missing": "死亡或者被宣告失踪",
    "criminal_penalty": "受刑事处罚",
    "certificate_revoked": "受吊销《医师执业证书》行政处罚",
    "failed_assessment": "定期考核不合格，经培训后再次考核仍不合格",
    "missed_assessments": "连续两个考核周期未参加定期考核",
    "practice_interrupted": "中止医师执业活动满两年",
    "unfit_health": "身体健康状况不适宜继续执业",
    "certificate_misuse": "出借、出租、抵押、转让、涂改《医师执业证书》",
    "exam_cheating": "在医师资格考试中参与有组织作弊",
    "own_request": "本人主动申请",
    "other": "其他",
    "transferred": "调离",
    "retired": "退休",
    "resigned": "退职",
    "dismissed": "被辞退",
    "expelled": "被开除",
    "changed": "变更主要执业机构",
    "upgraded": "助理医师升执业医师",
    "filing_cancelled": "取消多机构备案",
    "legacy_cancelled": "取消多地点执业",
    "to_military": "变更到军队",
}


class Qualification(IdentityColumns, db.Model):
    """A physician qualification record (医师资格), the stand-in for the national records.

    It is never changed by this service: personal-info changes live on the physician.
    """

    __tablename__ = "qualification"
    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_number: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(1))
    level: Mapped[str] = mapped_column(String(12))
    year: Mapped[int]
    school: Mapped[str | None] = mapped_column(String(80))
    education: Mapped[str | None] = mapped_column(String(20))

    @property
    def category_name(self) -> str:
        return PHYSICIAN_CATEGORIES.get(self.category, self.category)

    @property
    def level_name(self) -> str:
        return PHYSICIAN_LEVELS.get(self.level, self.level)


class Physician(Versioned, db.Model):
    """A physician known to the registry, linked to exactly one qualification."""

    __tablename__ = "physician"
    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualification.id"), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date]
    certificate_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    education: Mapped[str | None] = mapped_column(String(20))
    school: Mapped[str | None] = mapped_column(String(80))
    # 所学专业: kept on the physician (changed through P10); the qualification has no such item.
    major: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(40))
    photo_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    qualification: Mapped[Qualification] = relationship()
    registrations: Mapped[list[PracticeRegistration]] = relationship(
        back_populates="physician", order_by="PracticeRegistration.id"
    )


class PracticeRegistration(Versioned, db.Model):
    """A practice registration of a physician at an institution (main or filed)."""

    __tablename__ = "practice_registration"
    __table_args__ = (
        Index("ix_practice_registration_inst", "institution_id", "status", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    physician_id: Mapped[int] = mapped_column(ForeignKey("physician.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    category: Mapped[str] = mapped_column(String(1))
    # 执业医师 or 执业助理医师: the level registered, which an upgrade (P3) changes while the
    # qualification record stays as the national records hold it
    level: Mapped[str] = mapped_column(String(12), default="physician", server_default="physician")
    scope: Mapped[str] = mapped_column(String(120))
    location_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    certificate_number: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="active")
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    # why it stopped being active (END_REASONS); refusal grounds read it (cancelled for a failed
    # assessment, certificate revoked)
    end_reason: Mapped[str | None] = mapped_column(String(32))

    physician: Mapped[Physician] = relationship(back_populates="registrations")
    institution = relationship("Institution")

    @property
    def kind_name(self) -> str:
        return REGISTRATION_KINDS.get(self.kind, self.kind)

    @property
    def status_name(self) -> str:
        return REGISTRATION_STATUSES.get(self.status, self.status)

    @property
    def level_name(self) -> str:
        return PHYSICIAN_LEVELS.get(self.level, self.level)

    @property
    def end_reason_name(self) -> str:
        return END_REASONS.get(self.end_reason or "", self.end_reason or "")

    def snapshot(self) -> dict:
        data = column_snapshot(self)
        # the name the certificate prints: a rename of the institution is a new version
        data["institution_name"] = self.institution.name if self.institution else None
        return data
