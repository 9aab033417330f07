"""Where institution tasks go and who starts them: the institution itself (lane
``institution``) and the administration that issued its licence (lane ``bureau``); and how a
case's subject institution is found when a case starts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import lazyload, load_only

from service.access.policy import READ, require
from service.access.targets import Target
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import plugins
from service.institutions.models import Institution
from service.registry.reference import Administration, Division

# Persons apply to an institution they are not (yet) part of: a registration or change target.
PERSON_KINDS = ("physician", "nurse")


@plugins.route("institution")
def subject_institution(case) -> Target:
    """The institution the case is about (it applies, corrects, prints)."""
    return Target("institution", case.subject_institution_id)


@plugins.route("bureau")
def issuing_authority(case) -> Target:
    """The administration that issued the subject institution's licence."""
    # a step has it in the session already (loaded with the work item); else only what is needed
    inst = None if case.subject_institution_id is None else db.session.get(
        Institution, case.subject_institution_id,
        options=[load_only(Institution.issuing_authority_id), lazyload(Institution.subjects)])
    if inst is None:
        raise ApiError(422, "该业务没有可确定发证机关的医疗机构")
    return Target("administration", inst.issuing_authority_id)


plugins.lane("institution", ("inst_admin", "inst_clerk"), "医疗机构", "institution",
             may_start=lambda actor, definition, inst: (
                 actor.kind == "institution" and actor.institution_id == inst.id))
plugins.lane("bureau", ("bureau_clerk", "bureau_head"), "卫生健康行政部门", "administration",
             may_start=lambda actor, definition, inst: (
                 actor.kind == "administration"
                 and actor.administration_id == inst.issuing_authority_id))


# Businesses for an institution that does not exist yet: they start where it will be.
NEW_INSTITUTION_PROCESSES = {"institution_setup", "clinic_filing", "institution_registration"}


@dataclass(frozen=True)
class Prospective:
    """The subject of a business for an institution not yet registered: its division and the
    administration of that division, which accepts and decides (the case's subject id is set
    when approval creates the record)."""

    division_code: str
    city_code: str
    province_code: str
    issuing_authority_id: int
    name: str
    id: None = None
    status: str = "prospective"


@plugins.route("division_authority")
def division_authority(case) -> Target:
    """The administration of the case's division (a new institution's future authority), or
    the issuing authority once the institution exists."""
    if case.subject_institution_id is not None:
        return issuing_authority(case)
    admin = db.session.scalar(select(Administration.id).where(
        Administration.division_code == case.division_code))
    if admin is None:
        raise ApiError(422, "该行政区划没有卫生健康行政部门")
    return Target("administration", admin)


def _prospective(actor, subject: dict) -> Prospective:
    code = subject.get("division_code")
    division = db.session.get(Division, code) if isinstance(code, str) else None
    if division is None or division.level != "county":
        raise ApiError(422, fields={"subject.division_code": ["请选择县（区）级行政区划"]})
    admin = db.session.scalar(select(Administration).where(Administration.division_code == code))
    if admin is None:
        raise ApiError(422, fields={"subject.division_code": ["该行政区划没有卫生健康行政部门"]})
    return Prospective(code, code[:4] + "00", code[:2] + "0000", admin.id,
                       f"拟设医疗机构（{division.name}）")


@plugins.subject_loader("institution")
def load_subject_institution(actor, subject: dict, process_id: str | None = None):
    """The institution a case is about or addressed to, as the starter may name it; for a
    business of a new institution, where it will be (``division_code``)."""
    if process_id in NEW_INSTITUTION_PROCESSES and isinstance(subject, dict) \
            and "institution_id" not in subject:
        return _prospective(actor, subject)
    if not isinstance(subject, dict) or not isinstance(subject.get("institution_id"), int):
        raise ApiError(422, fields={"subject.institution_id": ["必填项"]})
    if actor.kind in PERSON_KINDS:
        inst = db.session.get(Institution, subject["institution_id"])
        if inst is None or inst.status == "cancelled":
            raise ApiError(422, fields={"subject.institution_id": ["该医疗机构不存在或已注销"]})
        return inst
    return require(actor, Institution, subject["institution_id"], READ)
