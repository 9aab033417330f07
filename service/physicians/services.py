"""What an institution keeps about its physicians (P11, seed 003 ch.3 §3–§4): the approving
administration per physician category, the department dictionary mapped to subjects, and which
department each of its physicians works in.

Every function takes the acting account: reads go through ``policy.require`` (404 outside the
caller's jurisdiction) and writes are the institution's own (403 for anyone else). Problems are
``ApiError`` with Chinese field messages, so pages and REST report them alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import exists, select, true
from sqlalchemy.exc import IntegrityError

from service.access.models import Account
from service.access.policy import READ, require, scope
from service.core.errors import ApiError
from service.core.extensions import db
from service.institutions.face import Department, DepartmentSubject, Institution
from service.persons.activation_codes import acting_for
from service.physicians.admin_models import ApprovalAuthoritySetting, PhysicianDepartment
from service.physicians.models import PHYSICIAN_CATEGORIES, Physician, PracticeRegistration
from service.registry import codes
from service.registry.reference import Administration, Division
from service.registry.versioning import change_context

DEPARTMENT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
MAX_SUBJECTS = 50


# --- whose institution ---------------------------------------------------------------------

def institution_in_scope(actor: Account, institution_id: object) -> Institution:
    """The institution if the actor may read it (404 otherwise: its existence stays hidden)."""
    return require(actor, Institution, institution_id, READ)


def own_institution(actor: Account, institution_id: object, *, manage: bool = False) -> Institution:
    """The institution for a write by one of its own accounts.

    Settings and the department dictionary (``manage``) belong to the institution's
    administrator; everyday work (codes, departments of physicians) to its clerks as well.
    Administrations read these records but never write them: the seed gives them to the
    institution.
    """
    return acting_for(actor, institution_in_scope(actor, institution_id), "医师", manage=manage)


def physician_of(actor: Account, inst: Institution, physician_id: object, *,
                 main_only: bool = False) -> Physician:
    """A physician with a current registration (main, or also filed) at the institution, else 404."""
    try:
        ident = int(physician_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiError(404) from None
    if not 0 < ident < 2**31:
        raise ApiError(404)
    here = exists().where(
        PracticeRegistration.physician_id == Physician.id,
        PracticeRegistration.institution_id == inst.id, PracticeRegistration.status == "active",
        PracticeRegistration.kind == "main" if main_only else true(),
    )
    physician = db.session.scalars(select(Physician).where(
        Physician.id == ident, here, scope(actor, READ, Physician))).first()
    if physician is None:
        raise ApiError(404, "该医师的主要执业机构不是本机构" if main_only
                       else "本机构没有该医师的有效执业注册或备案")
    return physician


# --- approving administration per category (审批机关设置) -----------------------------------

@dataclass
class AuthoritySetting:
    category: str
    category_name: str
    administration: Administration
    is_default: bool
    choices: list[Administration]
    setting: ApprovalAuthoritySetting | None

    @property
    def in_chain(self) -> bool:
        """False after a transfer (I9) moved the institution away from the saved choice."""
        return any(a.id == self.administration.id for a in self.choices)


def approval_chain(inst: Institution) -> list[Administration]:
    """The issuing authority and the administrations above it: county → city → province.

    Walks the division tree, so the municipal placeholders (110100 市辖区) that have no
    administration of their own are skipped and Beijing's districts go straight to the city.
    """
    chain: list[Administration] = []
    division = db.session.get(Division, inst.issuing_authority.division_code)
    while division is not None:
        admin = db.session.scalars(
            select(Administration).where(Administration.division_code == division.code)).first()
        if admin is not None:
            chain.append(admin)
        division = division.parent
    return chain


def authority_settings(inst: Institution) -> list[AuthoritySetting]:
    """The four categories with the current administration (default: the issuing authority)."""
    saved = {s.category: s for s in db.session.scalars(select(ApprovalAuthoritySetting).where(
        ApprovalAuthoritySetting.institution_id == inst.id))}
    chain = approval_chain(inst)
    out = []
    for category, name in PHYSICIAN_CATEGORIES.items():
        setting = saved.get(category)
        admin = setting.administration if setting else inst.issuing_authority
        out.append(AuthoritySetting(category, name, admin, setting is None, chain, setting))
    return out


def set_approval_authority(actor: Account, inst: Institution, category: str,
                           administration_id: object) -> ApprovalAuthoritySetting:
    """Save the administration approving this category; every change is a new version."""
    if category not in PHYSICIAN_CATEGORIES:
        raise ApiError(404, "没有该医师类别")
    chain = {a.id: a for a in approval_chain(inst)}
    if isinstance(administration_id, bool) or not isinstance(administration_id, int) \
            or administration_id not in chain:
        raise ApiError(422, fields={"administration_id": [
            "只能选择本机构的发证机关或其上级卫生健康行政部门"]})
    setting = db.session.scalars(select(ApprovalAuthoritySetting).where(
        ApprovalAuthoritySetting.institution_id == inst.id,
        ApprovalAuthoritySetting.category == category)).first()
    with change_context(actor.id, f"审批机关设置（{PHYSICIAN_CATEGORIES[category]}类别）"):
        if setting is None:
            setting = ApprovalAuthoritySetting(institution_id=inst.id, category=category,
                                               administration_id=administration_id)
            db.session.add(setting)
        else:
            setting.administration_id = administration_id
        db.session.flush()
    db.session.refresh(setting)  # the relationship follows the new administration
    return setting


# --- department dictionary (科室设置) --------------------------------------------------------

def subject_choices(inst: Institution) -> list[tuple[str, str]]:
    """The institution's registered subjects and their sub-codes from the catalogue."""
    registered = inst.subject_codes
    return [(code, name) for code, name in codes.choices("subject")
            if any(code == r or code.startswith(r + ".") for r in registered)]


def departments(inst: Institution) -> list[Department]:
    return list(db.session.scalars(select(Department).where(
        Department.institution_id == inst.id).order_by(Department.code)))


def _department(inst: Institution, department_id: object) -> Department:
    try:
        ident = int(department_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiError(404) from None
    dept = db.session.get(Department, ident) if 0 < ident < 2**31 else None
    if dept is None or dept.institution_id != inst.id:
        raise ApiError(404, "本机构没有该科室")
    return dept


def _check_name(name: object, errors: dict[str, list[str]]) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        errors["name"] = ["请填写科室名称"]
    elif len(text) > 60:
        errors["name"] = ["科室名称不能超过 60 个字"]
    return text


def _check_subjects(inst: Institution, subjects: object, errors: dict[str, list[str]],
                    already: frozenset[str] = frozenset()) -> list[str]:
    """Codes a department may be mapped to: one or more of the institution's subjects.

    Codes the department already has stay allowed: after a subject is cancelled (I7) the
    department can still be renamed without first losing its mapping.
    """
    if not isinstance(subjects, list) or not all(isinstance(c, str) for c in subjects):
        errors["subjects"] = ["请选择诊疗科目"]
        return []
    wanted = sorted({c.strip() for c in subjects if c.strip()})
    if not wanted:
        errors["subjects"] = ["请至少选择一个诊疗科目（一个科室可以对应多个诊疗科目）"]
    elif len(wanted) > MAX_SUBJECTS:
        errors["subjects"] = [f"一个科室最多对应 {MAX_SUBJECTS} 个诊疗科目"]
    else:
        allowed = {code for code, _ in subject_choices(inst)} | set(already)
        bad = [c for c in wanted if c not in allowed]
        if bad:
            errors["subjects"] = [f"诊疗科目 {'、'.join(bad)} 不是本机构登记的诊疗科目"]
    return wanted


def add_department(actor: Account, inst: Institution, code: object, name: object,
                   subjects: object) -> Department:
    errors: dict[str, list[str]] = {}
    code_text = code.strip() if isinstance(code, str) else ""
    if not DEPARTMENT_CODE.match(code_text):
        errors["code"] = ["科室编码为 1–20 位字母、数字、- 或 _，以字母或数字开头"]
    elif db.session.scalar(select(Department.id).where(
            Department.institution_id == inst.id, Department.code == code_text)):
        errors["code"] = ["本机构已有该科室编码"]
    name_text = _check_name(name, errors)
    wanted = _check_subjects(inst, subjects, errors)
    if errors:
        raise ApiError(422, fields=errors)
    dept = Department(institution_id=inst.id, code=code_text, name=name_text,
                      subjects=[DepartmentSubject(subject_code=c) for c in wanted])
    with change_context(actor.id, "科室设置：新增科室"):
        db.session.add(dept)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:  # the same code saved concurrently
            raise ApiError(422, fields={"code": ["本机构已有该科室编码"]}) from None
    return dept


def update_department(actor: Account, inst: Institution, department_id: object, *,
                      name: object = None, subjects: object = None,
                      active: object = None) -> Department:
    """Rename, re-map or enable / disable a department (its code never changes)."""
    dept = _department(inst, department_id)
    errors: dict[str, list[str]] = {}
    name_text = _check_name(name, errors) if name is not None else None
    wanted = _check_subjects(inst, subjects, errors, frozenset(dept.subject_codes)) \
        if subjects is not None else None
    if active is not None and not isinstance(active, bool):
        errors["active"] = ["须为 true 或 false"]
    if errors:
        raise ApiError(422, fields=errors)
    with change_context(actor.id, "科室设置：修改科室"):
        if name_text is not None:
            dept.name = name_text
        if wanted is not None:
            for link in [s for s in dept.subjects if s.subject_code not in wanted]:
                dept.subjects.remove(link)
            for code in sorted(set(wanted) - set(dept.subject_codes)):
                dept.subjects.append(DepartmentSubject(subject_code=code))
        if active is not None:
            dept.active = active
        db.session.flush()
    return dept


def department_named(inst: Institution, name: object) -> Department | None:
    """The institution's active department of this name (拟执业科室 as an application gives it)."""
    text = name.strip() if isinstance(name, str) else ""
    return db.session.scalars(select(Department).where(
        Department.institution_id == inst.id, Department.active.is_(True),
        Department.name == text).limit(1)).first() if text else None


def department_names(inst: Institution) -> list[str]:
    """The names of the institution's active departments, in code order."""
    return list(db.session.scalars(select(Department.name).where(
        Department.institution_id == inst.id, Department.active.is_(True))
        .order_by(Department.code)))


def department_of(inst: Institution, physician_id: int) -> Department | None:
    return db.session.scalars(select(Department).join(
        PhysicianDepartment, PhysicianDepartment.department_id == Department.id).where(
        PhysicianDepartment.institution_id == inst.id,
        PhysicianDepartment.physician_id == physician_id)).first()


def assign_department(actor: Account, inst: Institution, physician_id: object,
                      department_id: object) -> Department | None:
    """Set (or with None clear) the department a physician of the institution works in."""
    physician = physician_of(actor, inst, physician_id)
    link = db.session.get(PhysicianDepartment, (physician.id, inst.id))
    if department_id is None:
        if link is not None:
            db.session.delete(link)
            db.session.flush()
        return None
    if isinstance(department_id, bool) or not isinstance(department_id, int):
        raise ApiError(422, fields={"department_id": ["请选择科室"]})
    dept = db.session.get(Department, department_id) if 0 < department_id < 2**31 else None
    if dept is None or dept.institution_id != inst.id:
        raise ApiError(422, fields={"department_id": ["本机构没有该科室"]})
    if not dept.active:
        raise ApiError(422, fields={"department_id": ["该科室已停用"]})
    put_in_department(physician.id, inst.id, dept.id)
    db.session.flush()
    return dept


def put_in_department(physician_id: int, institution_id: int, department_id: int) -> None:
    link = db.session.get(PhysicianDepartment, (physician_id, institution_id))
    if link is None:
        db.session.add(PhysicianDepartment(physician_id=physician_id, institution_id=institution_id,
                                           department_id=department_id))
    else:
        link.department_id = department_id
