"""Nurses in a legacy file (数据补录): each row a registered nurse with her current registration
at the institution the row names — or, when the registry knows no institution of that standard
name, recorded as not yet registered here and waiting to be linked."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from service.access.models import Account
from service.core.extensions import db
from service.imports import kinds
from service.imports.kinds import Column, Context, PlacementRequest, Row
from service.institutions import face
from service.nurses.models import Nurse, NurseQualification, NurseRegistration
from service.persons.legacy import (
    CONTACT,
    IDENTITY,
    PLACE,
    Facts,
    Identity,
    PersonKind,
    day,
    text,
    today,
)
from service.registry.validation import normalise_certificate
from service.registry.versioning import change_context, insert_new

LINK_REASON = "数据补录：关联执业机构"


@dataclass
class Item:
    row: int
    who: Identity
    qualification_id: int | None
    certificate_number: str
    registration: dict  # registered_on, valid_until (ISO)


def _registration(institution_id: int, certificate_number: str, data: dict) -> tuple[dict, dict]:
    """The nurse's current registration at the institution with the file's dates (in force or
    expired): the nurse's columns that say so, and the registration record's columns."""
    valid_from, valid_to = date.fromisoformat(data["registered_on"]), date.fromisoformat(data["valid_until"])
    status = "active" if valid_to >= today() else "expired"
    nurse = dict(institution_id=institution_id, registered_on=valid_from, valid_until=valid_to,
                 status=status)
    return nurse, dict(institution_id=institution_id, certificate_number=certificate_number,
                       valid_from=valid_from, valid_to=valid_to, status=status)


UNPLACED = dict(institution_id=None, registered_on=None, valid_until=None, status="unregistered")


@kinds.register
class NurseRows(PersonKind):
    name = "nurses"
    label = "护士"
    columns = (
        *IDENTITY,
        Column("certificate_number", "执业证书编号", True, "201511159132"),
        Column("qualification_certificate_number", "资格证书编号", False, "201511159132",
               "护士执业资格考试合格证明编号；填写时须与考试成绩库一致"),
        *PLACE,
        Column("registered_on", "注册日期", True, "2023-03-28", "YYYY-MM-DD"),
        Column("valid_until", "注册有效期至", True, "2028-03-27", "YYYY-MM-DD"),
        *CONTACT,
    )
    unique = ("id_number", "certificate_number")
    person = Nurse
    qualification = NurseQualification
    institutions = face

    def check_person(self, row: Row, who: Identity | None, facts: Facts, ctx: Context) -> Item | None:
        certificate = normalise_certificate(text(row, "certificate_number", 32, "执业证书编号"))
        if certificate in facts.certificates and "certificate_number" not in row.errors:
            row.error("certificate_number", "该执业证书编号已登记")
        number = normalise_certificate(row.get("qualification_certificate_number"))
        qual = facts.qualifications.get(number) if number else None
        if number and qual is None:
            row.error("qualification_certificate_number", "护士执业资格考试成绩库中没有该编号，请核对")
        elif qual is not None and who is not None and (
                qual.id_number != who.id_number or qual.name != who.name):
            row.error("qualification_certificate_number", "资格证书编号与姓名、公民身份号码不一致")
        elif qual is not None and qual.id in facts.used:
            row.error("qualification_certificate_number", "该考试成绩已用于另一名护士的注册")
        registered_on = day(row, "registered_on", "注册日期", not_after_today=True)
        valid_until = day(row, "valid_until", "注册有效期至")
        if registered_on and valid_until and valid_until <= registered_on:
            row.error("valid_until", "注册有效期须晚于注册日期")
        if row.errors or who is None:
            return None
        return Item(row.number, who, qual.id if qual else None, certificate, {
            "registered_on": registered_on.isoformat(), "valid_until": valid_until.isoformat()})

    def write(self, items: Iterable[Item], ctx: Context) -> list[PlacementRequest]:
        items = list(items)
        placed = {item.row: _registration(item.who.institution_id, item.certificate_number,
                                          item.registration)
                  for item in items if item.who.institution_id is not None}
        ids = insert_new(Nurse, [dict(
            name=item.who.name, id_number=item.who.id_number, gender=item.who.gender,
            birth_date=item.who.birth_date, certificate_number=item.certificate_number,
            qualification_id=item.qualification_id, phone=item.who.phone, title=item.who.title,
            **(placed[item.row][0] if item.row in placed else UNPLACED)) for item in items])
        insert_new(NurseRegistration, [
            {"nurse_id": id_, **placed[item.row][1]}
            for id_, item in zip(ids, items, strict=True) if item.row in placed])
        return [PlacementRequest(item.row, id_, item.who.name, item.who.institution_name,
                                 item.who.division_code, item.registration)
                for id_, item in zip(ids, items, strict=True) if item.row not in placed]

    def link(self, placement, institution_id: int, actor: Account) -> None:
        nurse = db.session.get(Nurse, placement.person_id)
        with change_context(actor.id, LINK_REASON):
            columns, registration = _registration(institution_id, nurse.certificate_number,
                                                  placement.data)
            for key, value in columns.items():
                setattr(nurse, key, value)
            db.session.add(NurseRegistration(nurse=nurse, **registration))
            db.session.flush()
