"""What the persons' kinds of a legacy import share: the identity columns and their checks,
the place of practice in the jurisdiction, and the institution named by its standard name.

A physicians' or nurses' kind subclasses :class:`PersonKind`, adds its own columns and checks
(:meth:`PersonKind.check_person`) and says how it finds institutions (through the institutions'
face, which this package may not import)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import select
from stdnum.cn import ric

from service.core.extensions import db
from service.core.times import SHANGHAI, utcnow
from service.imports import kinds
from service.imports.kinds import Column, Context, Row, RowKind
from service.registry.reference import Administration, Division
from service.registry.validation import (
    county_problem,
    date_field,
    normalise_certificate,
    normalise_id,
    resident_id_problem,
)

GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "1": "M", "2": "F"}

IDENTITY = (
    Column("name", "姓名", True, "张晓明"),
    Column("id_number", "公民身份号码", True, "110105198801015614", "18 位，末位可为 X"),
    Column("gender", "性别", False, "男", "男 / 女；不填时按公民身份号码"),
    Column("birth_date", "出生日期", False, "1988-01-01", "YYYY-MM-DD；不填时按公民身份号码"),
)
PLACE = (
    Column("institution_name", "执业机构", True, "北京市朝阳区康泰医院",
           "医疗机构的标准名称（与登记的机构名称一致）"),
    Column("division_code", "执业机构所在行政区划", True, "110105",
           "县（区）级 GB/T 2260 代码，须在本机关辖区内"),
)
CONTACT = (
    Column("phone", "手机号码", False, "13800138000"),
    Column("title", "职称", False, "主治医师"),
)


@dataclass
class Identity:
    name: str
    id_number: str
    gender: str
    birth_date: date
    division_code: str
    institution_name: str
    institution_id: int | None
    phone: str | None
    title: str | None


@dataclass
class Facts:
    ids: set[str]  # resident IDs of the batch already registered
    certificates: set[str]  # practice certificate numbers already registered
    qualifications: dict[str, Any]  # certificate number -> qualification row
    used: set  # ids of those qualifications a registered person holds already


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def text(row: Row, key: str, limit: int, label: str | None = None) -> str:
    value = row.get(key)
    if label is not None and not value:
        row.error(key, f"请填写{label}")
    elif len(value) > limit:
        row.error(key, f"不能超过 {limit} 个字符")
    return value


def day(row: Row, key: str, label: str | None = None, not_after_today: bool = False) -> date | None:
    errors: dict[str, list[str]] = {}
    value = date_field(row.values, key, errors)
    for message in errors.get(key, []):
        row.error(key, message)
    if value is None and not errors and label is not None:
        row.error(key, f"请填写{label}")
    if value is not None and not_after_today and value > today():
        row.error(key, "日期不能晚于今天")
    return value


class PersonKind(RowKind):
    """A kind of person record: the identity and place columns checked here, the rest by
    :meth:`check_person`."""

    # the person and qualification records (columns id_number, certificate_number,
    # qualification_id · certificate_number)
    person: ClassVar[type]
    qualification: ClassVar[type]
    # the institutions' face: institutions_named(names, admin) -> {name: [(id, county)]},
    # pick(candidates, county), similar_institutions(name, county, admin), in_jurisdiction(id, admin)
    institutions: ClassVar[Any]

    def suggest(self, placement, admin: Administration) -> list:
        return self.institutions.similar_institutions(
            placement.institution_name, placement.division_code, admin)

    def may_link(self, institution_id: int, admin: Administration) -> bool:
        return self.institutions.in_jurisdiction(institution_id, admin)

    def facts(self, rows: list[Row]) -> Facts:
        """What the registry holds of the batch's IDs, certificates and qualifications."""
        def column(key: str) -> set[str]:
            return {normalise_certificate(r.get(key)) for r in rows} - {""}

        # plain rows (columns by attribute), not ORM records: nothing of a batch stays in the session
        table = self.qualification.__table__
        quals = {q.certificate_number: q for q in db.session.execute(
            select(table).where(table.c.certificate_number.in_(
                sorted(column("qualification_certificate_number")))))}
        return Facts(
            ids=kinds.existing(self.person.id_number,
                               {normalise_id(r.get("id_number")) for r in rows} - {""}),
            certificates=kinds.existing(self.person.certificate_number, column("certificate_number")),
            qualifications=quals,
            used=kinds.existing(self.person.qualification_id, {q.id for q in quals.values()}))

    def check_person(self, row: Row, who: Identity | None, facts: Facts, ctx: Context) -> Any:
        """Check the kind's own columns (always, so every error of the row is reported) and
        return what :meth:`write` needs, or None (``who`` is None when the identity failed)."""
        raise NotImplementedError

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        divisions: dict[str, Division | None] = ctx.cache.setdefault("divisions", {})
        facts = self.facts(rows)
        taken = facts.ids
        named = self.institutions.institutions_named(
            {r.get("institution_name") for r in rows} - {""}, ctx.administration)
        items: list[Any] = []
        for row in rows:
            who = self._identity(row, ctx, divisions, taken, named)
            item = self.check_person(row, who, facts, ctx)
            items.append(None if row.errors else item)
        return items

    def _identity(self, row: Row, ctx: Context, divisions: dict, taken: set[str],
                  named: dict) -> Identity | None:
        name = text(row, "name", 40, "姓名")
        id_number = normalise_id(row.get("id_number"))
        problem = resident_id_problem(id_number)
        born, gender = None, None
        if problem:
            row.error("id_number", problem)
        else:
            born = ric.get_birth_date(id_number)
            gender = "M" if int(id_number[16]) % 2 else "F"
            if id_number in taken and "id_number" not in row.errors:
                row.error("id_number", "该公民身份号码的人员已在册，请勿重复导入")
        given = row.get("gender")
        if given and GENDERS.get(given.lower()) is None:
            row.error("gender", "性别应为 男 或 女")
        elif given and gender and GENDERS[given.lower()] != gender:
            row.error("gender", "性别与公民身份号码不符")
        birth = day(row, "birth_date")
        if birth and born and birth != born:
            row.error("birth_date", "出生日期与公民身份号码不符")
        county = text(row, "division_code", 6, "执业机构所在行政区划")
        if county:
            if county not in divisions:
                divisions[county] = db.session.get(Division, county)
            problem = county_problem(divisions[county], ctx.administration.covers)
            if problem:
                row.error("division_code", problem)
        institution = text(row, "institution_name", 120, "执业机构")
        phone = text(row, "phone", 20) or None
        if phone and not phone.replace("-", "").isdigit():
            row.error("phone", "电话号码只能包含数字和 -")
        title = text(row, "title", 40) or None
        if row.errors or born is None or gender is None:
            return None
        return Identity(name, id_number, gender, born, county, institution,
                        self.institutions.pick(named.get(institution, []), county), phone, title)
