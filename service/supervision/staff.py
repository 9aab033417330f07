"""S2: the institution's own data (机构信息, versioned), its departments (信息维护) and its staff
(工作信息员) with duties; staff log in by phone with an initial password sent by SMS."""
from __future__ import annotations

import re

from sqlalchemy import select

from service.access.codes import PHONE
from service.access.models import Account
from service.access.passwords import hash_password, initial_password
from service.core.extensions import db
from service.notify import outbox
from service.registry.validation import normalise_id, resident_id_problem
from service.registry.versioning import change_context
from service.supervision import signup
from service.supervision.models import (
    DUTIES,
    SupervisedUnit,
    SupervisionDepartment,
    SupervisionMember,
)

DEPARTMENT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
DUTY_ROLES = {"inspection": "inst_inspector", "scoring": "inst_scorer"}
SignupError = signup.SignupError


def update_unit(actor: Account, unit: SupervisedUnit, data: dict) -> None:
    """单位信息基本维护: every change is a new version of the record."""
    fields: dict = {}
    v = signup._check_unit(data, fields, unit.id)
    if not fields and not set(v["scope"]) >= _scopes_in_use(unit):
        fields["scope"] = ["有工作信息员的执业自查项目不能从机构范围中去掉"]
    if fields:
        raise SignupError(fields)
    with change_context(actor.id, "单位信息基本维护"):
        signup._apply(unit, v)
        db.session.flush()


def _scopes_in_use(unit: SupervisedUnit) -> set[str]:
    return {g for m in db.session.scalars(select(SupervisionMember).where(
        SupervisionMember.unit_id == unit.id)) for g in m.scope or []}


def save_department(actor: Account, unit: SupervisedUnit, data: dict,
                    department: SupervisionDepartment | None = None) -> SupervisionDepartment:
    """添加科室 / edit: name and code required, code unique in the institution."""
    name, code = (data.get("name") or "").strip(), (data.get("code") or "").strip()
    fields: dict = {}
    if not name:
        fields["name"] = ["请填写科室名称"]
    elif len(name) > 60:
        fields["name"] = ["科室名称不能超过 60 字"]
    if not code:
        fields["code"] = ["请填写科室编码"]
    elif not DEPARTMENT_CODE.match(code):
        fields["code"] = ["科室编码为 1–20 位字母、数字、_ 或 -"]
    else:
        other = db.session.scalar(select(SupervisionDepartment.id).where(
            SupervisionDepartment.unit_id == unit.id, SupervisionDepartment.code == code))
        if other is not None and (department is None or other != department.id):
            fields["code"] = ["科室编码不可重复添加"]
    if fields:
        raise SignupError(fields)
    department = department or SupervisionDepartment(unit_id=unit.id)
    department.name, department.code = name, code
    department.is_enabled = data.get("is_enabled", True) not in (False, "0", "off", "false")
    with change_context(actor.id, "科室信息维护"):
        db.session.add(department)
        db.session.flush()
    return department


def delete_department(department: SupervisionDepartment) -> None:
    if db.session.scalar(select(SupervisionMember.id).where(
            SupervisionMember.department_id == department.id)):
        raise SignupError({"department": ["该科室下有工作信息员，不能删除"]})
    db.session.delete(department)
    db.session.flush()


def _check_member(unit: SupervisedUnit, data: dict, member: SupervisionMember | None) -> dict:
    fields: dict = {}
    m = {"name": (data.get("name") or "").strip(), "phone": (data.get("phone") or "").strip(),
         "id_number": normalise_id((data.get("id_number") or "").strip()),
         "duties": [d for d in data.get("duties") or [] if d in DUTIES],
         "scope": list(dict.fromkeys(data.get("scope") or []))}
    if not m["name"]:
        fields["name"] = ["请填写姓名"]
    department_id = str(data.get("department_id") or "")
    m["department"] = db.session.get(SupervisionDepartment, int(department_id)) \
        if department_id.isdigit() else None
    if m["department"] is None or m["department"].unit_id != unit.id:
        fields["department_id"] = ["请选择所属科室"]
    elif not m["department"].is_enabled and (member is None or member.department_id != m["department"].id):
        fields["department_id"] = ["该科室已停用"]
    own = member.account_id if member else None
    if problem := resident_id_problem(m["id_number"]):
        fields["id_number"] = [problem]
    elif db.session.scalar(select(SupervisionMember.id).where(
            SupervisionMember.id_number == m["id_number"], SupervisionMember.account_id != own)):
        fields["id_number"] = ["该身份证号已添加，不可重复添加"]
    if not PHONE.match(m["phone"]):
        fields["phone"] = ["手机号格式不正确"]
    elif db.session.scalar(select(Account.id).where(Account.username == m["phone"], Account.id != own)):
        fields["phone"] = ["该手机号已添加，不可重复添加"]
    if not m["duties"]:
        fields["duties"] = ["请选择业务范围"]
    if "inspection" in m["duties"]:
        if not m["scope"]:
            fields["scope"] = ["勾选了医疗机构自查，必须选择执业自查范围"]
        elif not set(m["scope"]) <= set(unit.scope):
            fields["scope"] = ["执业自查范围只能从本机构的自查范围中选择"]
    else:
        m["scope"] = []
    if fields:
        raise SignupError(fields)
    return m


def save_member(actor: Account, unit: SupervisedUnit, data: dict,
                member: SupervisionMember | None = None) -> SupervisionMember:
    """工作信息员: add (an account with an initial password by SMS) or edit."""
    m = _check_member(unit, data, member)
    roles = [DUTY_ROLES[d] for d in m["duties"]]
    with change_context(actor.id, "工作信息员维护"):
        if member is None:
            password = initial_password()
            account = Account(username=m["phone"], password_hash=hash_password(password),
                              display_name=m["name"], kind="supervision", roles=roles,
                              phone=m["phone"], must_change_password=True, created_by_id=actor.id)
            db.session.add(account)
            db.session.flush()
            member = SupervisionMember(account_id=account.id, unit_id=unit.id)
            outbox.queue("sms", "工作信息员账户", f"【医政管理平台】{unit.name}已为您开通依法执业自查与"
                         f"不良执业记分账户，请用手机号 {m['phone']} 登录，初始密码为 {password}。",
                         account_id=account.id, address=m["phone"])
        else:
            account = member.account
            account.username = account.phone = m["phone"]
            account.display_name, account.roles = m["name"], roles
        member.id_number, member.department_id = m["id_number"], m["department"].id
        member.duties, member.scope = m["duties"], m["scope"]
        db.session.add(member)
        db.session.flush()
    return member


def delete_member(member: SupervisionMember) -> None:
    """Remove a staff member: the account is disabled (records keep their author)."""
    if member.is_admin:
        raise SignupError({"member": ["不能删除机构管理员"]})
    member.account.is_enabled = False
    member.account.username = f"x{member.account.id}-{member.account.username}"[:40]
    db.session.delete(member)
    db.session.flush()


def update_self(account: Account, name: str, phone: str) -> None:
    """我的: the holder edits her own name and phone (the phone is her login)."""
    name, phone = (name or "").strip(), (phone or "").strip()
    fields: dict = {}
    if not name:
        fields["name"] = ["请填写姓名"]
    if not PHONE.match(phone):
        fields["phone"] = ["手机号格式不正确"]
    elif db.session.scalar(select(Account.id).where(Account.username == phone, Account.id != account.id)):
        fields["phone"] = ["该手机号已被使用"]
    if fields:
        raise SignupError(fields)
    account.display_name = name
    if account.kind == "supervision":
        account.username = account.phone = phone
    else:
        account.phone = phone
    db.session.flush()
