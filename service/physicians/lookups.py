"""Physician verification by resident ID (医师验证, seed 003 ch.3 §6.2–6.3).

Deliberately nationwide: an institution checks the qualification and registrations of a
physician who is about to work there, wherever she registered before (I13). Answers therefore
carry only what a verification needs; ID numbers are masked by the doors that show them and
contact data is never part of them.
"""
from __future__ import annotations

from sqlalchemy import case, select

from service.access.models import Account
from service.core.errors import ApiError
from service.core.extensions import db
from service.persons import conduct
from service.physicians.models import Physician, PracticeRegistration, Qualification
from service.registry.validation import normalise_id, resident_id_problem

NO_QUALIFICATION = "未查询到该身份证号码对应的医师资格信息，请核对身份证号码"
NO_REGISTRATION = "未查询到该身份证号码对应的医师执业注册信息（该医师可能尚未注册）"


def may_look_up(actor: Account) -> bool:
    """Institutions and administrations verify physicians; persons and platform staff do not
    (a nationwide search by ID is not part of auditing cases)."""
    return actor.kind in ("institution", "administration")


def checked_id(actor: Account, raw: object) -> str:
    """The normalised resident ID, or 403 / 422 with the Chinese reason it is unusable."""
    if not may_look_up(actor):
        raise ApiError(403, "只有医疗机构和卫生健康行政部门可以验证医师信息")
    id_number = normalise_id(raw if isinstance(raw, str) else "")
    problem = resident_id_problem(id_number)
    if problem:
        raise ApiError(422, problem, fields={"id_number": [problem]})
    return id_number


def find_qualification(actor: Account, raw: object) -> Qualification:
    """The qualification record (医师资格) of a resident ID, nationwide."""
    id_number = checked_id(actor, raw)
    found = db.session.scalars(
        select(Qualification).where(Qualification.id_number == id_number)).first()
    if found is None:
        raise ApiError(404, NO_QUALIFICATION)
    return found


def find_registrations(actor: Account, raw: object) -> tuple[Physician, list[PracticeRegistration]]:
    """The physician of a resident ID and all her registrations, current ones first."""
    id_number = checked_id(actor, raw)
    physician = db.session.scalars(
        select(Physician).where(Physician.id_number == id_number)).first()
    if physician is None:
        raise ApiError(404, NO_REGISTRATION)
    current_first = case((PracticeRegistration.status == "active", 0), else_=1)
    registrations = list(db.session.scalars(select(PracticeRegistration).where(
        PracticeRegistration.physician_id == physician.id).order_by(
        current_first, PracticeRegistration.kind != "main", PracticeRegistration.id.desc())))
    if not registrations:
        raise ApiError(404, NO_REGISTRATION)
    return physician, registrations


def conduct_of(physician: Physician) -> list[conduct.ConductRecord]:
    """What other domains record about her conduct (医师信用验证: seed 004's demerit points)."""
    return conduct.records(physician.id_number)
