"""Medical institutions (医疗机构) and their licences, as versioned registry records."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.collation import name_type
from service.core.extensions import UTCDateTime, db
from service.core.times import shanghai_today, utcnow
from service.registry.reference import Administration, Division
from service.registry.versioning import Versioned, column_snapshot

INSTITUTION_STATUSES = {
    "active": "正常执业",
    "deferred": "暂缓校验",
    "suspended": "停业",
    "cancelled": "已注销",
}

# Chinese names of the registered items, for history and change lists.
FIELD_LABELS = {
    "name": "机构名称", "uscc": "统一社会信用代码", "registration_number": "登记号",
    "category_code": "机构类别", "economic_type_code": "经济类型", "management_class": "经营性质",
    "level_code": "机构级别", "affiliation_code": "隶属关系", "address": "地址",
    "postal_code": "邮政编码", "phone": "联系电话", "fax": "传真",
    "legal_representative": "法定代表人", "principal": "主要负责人",
    "registered_capital": "注册资金", "service_mode": "服务方式", "beds": "床位",
    "dental_chairs": "牙椅", "floor_area": "建筑面积", "staff_count": "职工人数",
    "service_population": "服务人口", "division_code": "行政区划", "city_code": "所属地市",
    "province_code": "所属省份", "issuing_authority_id": "发证机关",
    "licence_valid_from": "许可证有效期起", "licence_valid_to": "许可证有效期止",
    "is_filed_clinic": "备案诊所", "status": "状态", "verification_due": "下次校验日期",
    "subjects": "诊疗科目", "id": "编号",
}


class InstitutionSubject(db.Model):
    """A registered subject (诊疗科目) of an institution."""

    __tablename__ = "institution_subject"
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), primary_key=True
    )
    subject_code: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class Institution(Versioned, db.Model):
    """An institution with all registered items of its licence (执业许可证)."""

    __tablename__ = "institution"
    __table_args__ = (
        Index("ix_institution_name_id", "name", "id"),
        Index("ix_institution_authority", "issuing_authority_id", "name", "id"),
        Index("ix_institution_city", "city_code", "name", "id"),
        Index("ix_institution_province", "province_code", "name", "id"),
        Index("ix_institution_division", "division_code", "name", "id"),
        # the combined query's usual filters and the statistics of a province (index-only)
        Index("ix_institution_province_facets", "province_code", "category_code",
              "management_class", "status", "beds", "city_code",
              postgresql_include=["id", "name"]),
        Index("ix_institution_province_beds", "province_code", "beds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(name_type(120))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    registration_number: Mapped[str | None] = mapped_column(String(22), unique=True)
    category_code: Mapped[str] = mapped_column(String(8))
    economic_type_code: Mapped[str] = mapped_column(String(4))
    management_class: Mapped[str] = mapped_column(String(1))
    level_code: Mapped[str | None] = mapped_column(String(4))
    affiliation_code: Mapped[str | None] = mapped_column(String(4))
    address: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(32))
    fax: Mapped[str | None] = mapped_column(String(32))
    legal_representative: Mapped[str] = mapped_column(String(40), index=True)
    principal: Mapped[str | None] = mapped_column(String(40))
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    service_mode: Mapped[str | None] = mapped_column(String(60))
    beds: Mapped[int] = mapped_column(default=0)
    dental_chairs: Mapped[int] = mapped_column(default=0)
    floor_area: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    staff_count: Mapped[int | None]
    service_population: Mapped[int | None]
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    city_code: Mapped[str] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(6))
    issuing_authority_id: Mapped[int] = mapped_column(ForeignKey("administration.id"))
    licence_valid_from: Mapped[date | None]
    licence_valid_to: Mapped[date | None]
    is_filed_clinic: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    verification_due: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    division: Mapped[Division] = relationship()
    issuing_authority: Mapped[Administration] = relationship()
    subjects: Mapped[list[InstitutionSubject]] = relationship(
        cascade="all, delete-orphan", order_by=InstitutionSubject.subject_code, lazy="selectin"
    )

    @property
    def subject_codes(self) -> list[str]:
        return [s.subject_code for s in self.subjects]

    @subject_codes.setter
    def subject_codes(self, codes: list[str]) -> None:
        wanted = set(codes)
        for link in [s for s in self.subjects if s.subject_code not in wanted]:
            self.subjects.remove(link)
        have = set(self.subject_codes)
        for code in sorted(wanted - have):
            self.subjects.append(InstitutionSubject(subject_code=code))

    def set_division(self, division: Division) -> None:
        """Place the institution in a county-level division (codes for scope queries follow)."""
        self.division_code = division.code
        self.city_code = division.code[:4] + "00"
        self.province_code = division.code[:2] + "0000"

    @property
    def status_name(self) -> str:
        return INSTITUTION_STATUSES.get(self.status, self.status)

    @property
    def licence_overdue(self) -> bool:
        """The licence expired without renewal (I8): a cancelled record is not flagged."""
        return self.status != "cancelled" and self.licence_valid_to is not None \
            and self.licence_valid_to < shanghai_today()

    def snapshot(self) -> dict:
        data = column_snapshot(self)
        data["subjects"] = self.subject_codes
        return data


def registration_number(inst: Institution) -> str:
    """The 22-character licence registration number (登记号).

    9-char organisation code (from the unified social credit code) + 6-digit county code +
    2-digit economic type + 4-char institution type code + 1-digit management class.
    """
    org_code = inst.uscc[8:17] if inst.uscc else "000000000"
    number = (
        f"{org_code}{inst.division_code}{inst.economic_type_code[:2]:0>2}"
        f"{inst.category_code[:4]:<4}{inst.management_class}"
    )
    if len(number) != 22:
        raise ValueError(f"registration number would be {len(number)} characters: {number}")
    return number
