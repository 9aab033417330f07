"""Institutions signed up for self-inspection and demerit scoring, and their staff accounts."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow
from service.registry import codes
from service.registry.versioning import Versioned

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
    signup_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    # the due date of the yearly comprehensive self-inspection last reminded of
    inspection_reminded_for: Mapped[date | None]

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


class SupervisionDepartment(Versioned, db.Model):
    """A department (科室) of a signed-up institution: name and code, code unique in it."""

    __tablename__ = "sv_department"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(20))
    is_enabled: Mapped[bool] = mapped_column(default=True)


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


ANSWERS = {"yes": "是", "no": "否", "na": "合理缺项"}
RECORD_STATUSES = {"draft": "暂存", "submitted": "已上报"}
RECTIFICATION_STATUSES = {"open": "整改中", "closed": "已整改"}


class _Jurisdiction:
    """The signed-up institution's division codes, copied onto a record so the administration's
    lists filter and sort on one indexed table."""

    division_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(6))


class SelfInspection(_Jurisdiction, db.Model):
    """A self-inspection (执业自查): the inspector's answers to every item of her scope.
    A draft (暂存) stays editable by its author; a submitted one (确认上报) never changes."""

    __tablename__ = "sv_inspection"
    __table_args__ = (Index("ix_sv_inspection_unit", "unit_id", "status", "inspected_on"),
                      Index("ix_sv_inspection_author", "inspector_id", "inspected_on"),
                      Index("ix_sv_inspection_scope", "province_code", "city_code", "division_code",
                            "inspected_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    checklist_province: Mapped[str] = mapped_column(String(8))
    checklist_version: Mapped[str] = mapped_column(String(12))
    groups: Mapped[list] = mapped_column(db.JSON, default=list)
    comprehensive: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    inspected_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[SupervisedUnit] = relationship()
    inspector = relationship("Account")
    answers: Mapped[list[InspectionAnswer]] = relationship(
        cascade="all, delete-orphan", order_by="InspectionAnswer.item_code")

    @property
    def status_name(self) -> str:
        return RECORD_STATUSES[self.status]


class InspectionAnswer(db.Model):
    """One item's answer (是 / 否 / 合理缺项) with its photos."""

    __tablename__ = "sv_inspection_answer"
    __table_args__ = (Index("ix_sv_answer_item", "item_code", "inspection_id"),)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("sv_inspection.id"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    answer: Mapped[str | None] = mapped_column(String(4))
    photo_ids: Mapped[list] = mapped_column(db.JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(500))

    @property
    def answer_name(self) -> str:
        return ANSWERS.get(self.answer or "", "未填写")


class Rectification(db.Model):
    """A 否 answer of a submitted self-inspection, followed until the institution's
    administrator closes it with evidence."""

    __tablename__ = "sv_rectification"
    __table_args__ = (Index("ix_sv_rectification_unit", "unit_id", "status", "deadline"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("sv_inspection.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"))
    item_code: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date]
    measures: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list] = mapped_column(db.JSON, default=list)
    status: Mapped[str] = mapped_column(String(8), default="open")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[SelfInspection] = relationship()

    @property
    def status_name(self) -> str:
        return RECTIFICATION_STATUSES[self.status]


GENDERS = {"1": "男", "2": "女"}
TITLES = ("医师", "主治医师", "副主任医师", "主任医师", "执业助理医师", "护士", "护师", "主管护师",
          "副主任护师", "主任护师", "药士", "药师", "主管药师", "技士", "技师", "主管技师", "乡村医生")


class ScoredPerson(Versioned, db.Model):
    """A health worker a scorer may record demerits for (添加人员): ID valid and unique."""

    __tablename__ = "sv_person"
    __table_args__ = (Index("ix_sv_person_name", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(1))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    title: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20), default="医疗卫生")
    scope: Mapped[str] = mapped_column(String(200))
    certificate_number: Mapped[str] = mapped_column(String(30))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[SupervisedUnit] = relationship()

    @property
    def gender_name(self) -> str:
        return GENDERS.get(self.gender, "")


class DemeritReport(_Jurisdiction, db.Model):
    """A demerit report (不良记分): articles of the province's rule set for one person."""

    __tablename__ = "sv_demerit"
    __table_args__ = (
        # the 12-month accumulation: one index range per person
        Index("ix_sv_demerit_person", "person_id", "status", "scored_on"),
        Index("ix_sv_demerit_scorer", "scorer_id", "scored_on"),
        Index("ix_sv_demerit_unit", "unit_id", "scored_on"),
        # the administration's list, newest first, within a division subtree
        Index("ix_sv_demerit_division", "division_code", "status", "scored_on", "id"),
        Index("ix_sv_demerit_city", "city_code", "status", "scored_on", "id"),
        Index("ix_sv_demerit_province", "province_code", "status", "scored_on", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sv_person.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"))
    scorer_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    rule_province: Mapped[str] = mapped_column(String(8))
    rule_version: Mapped[str] = mapped_column(String(12))
    rule_codes: Mapped[list] = mapped_column(db.JSON, default=list)
    points: Mapped[int] = mapped_column(default=0)
    attachment_ids: Mapped[list] = mapped_column(db.JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    scored_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[ScoredPerson] = relationship()
    unit: Mapped[SupervisedUnit] = relationship()
    scorer = relationship("Account")

    @property
    def status_name(self) -> str:
        return RECORD_STATUSES[self.status]


MEASURES = {"talk": "约谈（诫勉谈话）", "training": "离岗培训", "suspension_recommendation": "提出暂停执业活动的处理建议"}


class ThresholdCrossing(db.Model):
    """A person's points crossing a threshold of the rule set within 12 months; the
    administration decides the measure in its ``demerit_threshold`` case."""

    __tablename__ = "sv_threshold"
    __table_args__ = (Index("ix_sv_threshold_person", "person_id", "threshold"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("sv_person.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("sv_unit.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("sv_demerit.id"))
    threshold: Mapped[int]
    points: Mapped[int]
    cycle_from: Mapped[date]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    measure: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(String(500))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[ScoredPerson] = relationship()

    @property
    def measure_name(self) -> str:
        return MEASURES.get(self.measure or "", "待决定")
