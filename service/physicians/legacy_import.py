"""Physicians in a legacy file (数据补录): each row a registered physician, checked against
her qualification record, with her main practice registration at the institution the row names
— or, when the registry knows no institution of that standard name, waiting to be linked."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from service.access.models import Account
from service.core.extensions import db
from service.imports import kinds
from service.imports.kinds import Column, Context, PlacementRequest, Row
from service.institutions import face
from service.persons.legacy import CONTACT, IDENTITY, PLACE, Facts, Identity, PersonKind, day, text
from service.physicians.models import (
    PHYSICIAN_CATEGORIES,
    PHYSICIAN_LEVELS,
    Physician,
    PracticeRegistration,
    Qualification,
)
from service.physicians.rules import scope_names
from service.registry.validation import normalise_certificate
from service.registry.versioning import change_context, insert_new

LINK_REASON = "数据补录：关联执业机构"
_CATEGORIES = {**{c: c for c in PHYSICIAN_CATEGORIES}, **{n: c for c, n in PHYSICIAN_CATEGORIES.items()}}
_LEVELS = {**{k: k for k in PHYSICIAN_LEVELS}, **{n: k for k, n in PHYSICIAN_LEVELS.items()}}


@dataclass
class Item:
    row: int
    who: Identity
    qualification: Any  # the qualification's row (id, education, school ...)
    certificate_number: str
    registration: dict  # kind, category, level, scope, valid_from (ISO)


def location_code(county: str, level: str) -> str:
    """The practice location: the province for physicians, the county for assistants."""
    return county if level == "assistant" else county[:2] + "0000"


def _registration(physician_id: int, certificate_number: str, institution_id: int, county: str,
                  data: dict) -> dict:
    """The main practice registration's columns at the institution, from the file's items."""
    return dict(
        physician_id=physician_id, kind="main", institution_id=institution_id,
        category=data["category"], level=data["level"], scope=data["scope"],
        location_code=location_code(county, data["level"]),
        certificate_number=certificate_number, status="active",
        valid_from=date.fromisoformat(data["valid_from"]))


@kinds.register
class PhysicianRows(PersonKind):
    name = "physicians"
    label = "医师"
    columns = (
        *IDENTITY,
        Column("qualification_certificate_number", "资格证书编码", True,
               "200911110110105198801015614", "医师资格证书编码，须与医师资格库一致"),
        Column("certificate_number", "执业证书编码", True, "110110105000001"),
        Column("level", "医师级别", True, "执业医师", "执业医师 / 执业助理医师"),
        Column("category", "执业类别", True, "临床", "临床 / 口腔 / 公共卫生 / 中医（或代码 1–4）"),
        Column("scope", "执业范围", True, "内科专业", "执业类别下的执业范围名称，多项以“、”分隔"),
        *PLACE,
        Column("valid_from", "注册日期", True, "2015-03-01", "YYYY-MM-DD"),
        *CONTACT,
    )
    unique = ("id_number", "certificate_number", "qualification_certificate_number")
    person = Physician
    qualification = Qualification
    institutions = face

    def check_person(self, row: Row, who: Identity | None, facts: Facts, ctx: Context) -> Item | None:
        number = normalise_certificate(row.get("qualification_certificate_number"))
        qual = facts.qualifications.get(number)
        if not number:
            row.error("qualification_certificate_number", "请填写资格证书编码")
        elif qual is None:
            row.error("qualification_certificate_number", "医师资格库中没有该资格证书编码，请核对")
        elif who is not None and (qual.id_number != who.id_number or qual.name != who.name):
            row.error("qualification_certificate_number", "资格证书编码与姓名、公民身份号码不一致")
        elif qual.id in facts.used and "qualification_certificate_number" not in row.errors:
            row.error("qualification_certificate_number", "该医师资格已有注册医师，请勿重复导入")
        certificate = normalise_certificate(text(row, "certificate_number", 32, "执业证书编码"))
        if certificate in facts.certificates and "certificate_number" not in row.errors:
            row.error("certificate_number", "该执业证书编码已登记")
        level = _LEVELS.get(row.get("level"))
        if level is None:
            row.error("level", "医师级别应为 执业医师 或 执业助理医师")
        category = _CATEGORIES.get(row.get("category"))
        if category is None:
            row.error("category", "执业类别应为 临床、口腔、公共卫生 或 中医")
        scope = text(row, "scope", 120, "执业范围")
        if category and scope:
            allowed = scope_names(category)
            names = [allowed.get(s, s) for s in scope.replace("，", "、").split("、") if s]
            if any(n not in allowed.values() for n in names):
                row.error("scope", f"执业范围不在{PHYSICIAN_CATEGORIES[category]}类别的执业范围中")
            scope = "、".join(names)
        valid_from = day(row, "valid_from", "注册日期", not_after_today=True)
        if row.errors or who is None or qual is None:
            return None
        return Item(row.number, who, qual, certificate, {
            "kind": "main", "category": category, "level": level, "scope": scope,
            "valid_from": valid_from.isoformat()})

    def write(self, items: Iterable[Item], ctx: Context) -> list[PlacementRequest]:
        items = list(items)
        ids = insert_new(Physician, [dict(
            qualification_id=item.qualification.id, name=item.who.name,
            id_number=item.who.id_number, gender=item.who.gender, birth_date=item.who.birth_date,
            certificate_number=item.certificate_number, phone=item.who.phone,
            title=item.who.title, education=item.qualification.education,
            school=item.qualification.school) for item in items])
        placed = [(id_, item) for id_, item in zip(ids, items, strict=True)
                  if item.who.institution_id is not None]
        insert_new(PracticeRegistration, [
            _registration(id_, item.certificate_number, item.who.institution_id,
                          item.who.division_code, item.registration) for id_, item in placed],
            [{"institution_name": item.who.institution_name} for _, item in placed])
        return [PlacementRequest(item.row, id_, item.who.name, item.who.institution_name,
                                 item.who.division_code, item.registration)
                for id_, item in zip(ids, items, strict=True) if item.who.institution_id is None]

    def link(self, placement, institution_id: int, actor: Account) -> None:
        physician = db.session.get(Physician, placement.person_id)
        county = db.session.get(face.Institution, institution_id).division_code
        with change_context(actor.id, LINK_REASON):
            db.session.add(PracticeRegistration(**_registration(
                physician.id, physician.certificate_number, institution_id, county, placement.data)))
            db.session.flush()
