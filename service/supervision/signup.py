"""S1 supervision_signup: an institution signs itself up (注册页面 1–2) with its administrator;
the administration of its division passes it or returns it with a reason, which the
institution answers by correcting. Only a passed institution's administrator logs in."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.access.codes import PHONE
from service.access.models import Account
from service.access.passwords import hash_password, password_problem, verify_password
from service.core.extensions import db
from service.core.times import utcnow
from service.institutions.face import Institution
from service.registry import codes
from service.registry.reference import Administration, Division
from service.registry.validation import (
    normalise_id,
    normalise_uscc,
    resident_id_problem,
    uscc_problem,
)
from service.registry.versioning import change_context
from service.supervision.catalogue import checklist_province, expand_scope, scope_tree
from service.supervision.models import SupervisedUnit, SupervisionMember

UNIT_FIELDS = ("name", "uscc", "division_code", "address", "level_code", "subject_codes",
               "nature", "legal_representative", "legal_representative_id", "contact",
               "contact_phone", "scope")
REQUIRED = {
    "name": "请输入医疗机构名称", "uscc": "请输入信用代码", "division_code": "请选择经营地区",
    "address": "请输入经营地址", "level_code": "请选择机构级别", "nature": "请选择经营性质",
    "legal_representative": "请输入法人代表(负责人)名字", "contact": "请输入联系人名字",
}


class SignupError(Exception):
    """Field errors (Chinese) that stop a sign-up, a correction or a review."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields


@dataclass
class SignupData:
    """What 注册页面 1–2 collect, normalised."""

    values: dict
    admin: dict


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _list(data: dict, key: str) -> list[str]:
    value = data.get(key) or []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] \
        if isinstance(value, list) else []


def _county(code: str) -> Division | None:
    div = db.session.get(Division, code) if code else None
    return div if div is not None and div.level == "county" else None


def _check_unit(data: dict, fields: dict, own_id: int | None) -> dict:
    v = {k: _text(data, k) for k in UNIT_FIELDS if k not in ("subject_codes", "scope")}
    v["uscc"] = normalise_uscc(v["uscc"]) if v["uscc"] else ""
    v["legal_representative_id"] = normalise_id(v["legal_representative_id"])
    for key, message in REQUIRED.items():
        if not v[key]:
            fields.setdefault(key, []).append(message)
    if v["uscc"] and (problem := uscc_problem(v["uscc"])):
        fields.setdefault("uscc", []).append(problem)
    elif v["uscc"]:
        other = db.session.scalar(select(SupervisedUnit.id).where(SupervisedUnit.uscc == v["uscc"]))
        if other is not None and other != own_id:
            fields.setdefault("uscc", []).append("该统一社会信用代码已注册")
    if problem := resident_id_problem(v["legal_representative_id"]):
        fields.setdefault("legal_representative_id", []).append(problem)
    if not PHONE.match(v["contact_phone"]):
        fields.setdefault("contact_phone", []).append("联系电话须为 11 位手机号码")
    if v["division_code"] and _county(v["division_code"]) is None:
        fields.setdefault("division_code", []).append("请选择区县级经营地区")
    if v["level_code"] and not codes.valid(v["level_code"], "level"):
        fields.setdefault("level_code", []).append("机构级别不正确")
    if v["nature"] and not codes.valid(v["nature"], "management_class"):
        fields.setdefault("nature", []).append("经营性质不正确")
    v["subject_codes"] = _list(data, "subject_codes")
    if not v["subject_codes"]:
        fields.setdefault("subject_codes", []).append("请选择诊疗科目")
    elif any(not codes.valid(c, "subject") for c in v["subject_codes"]):
        fields.setdefault("subject_codes", []).append("诊疗科目不正确")
    v["scope"] = _check_scope(v["division_code"], _list(data, "scope"), fields)
    return v


def _check_scope(division_code: str, ticked: list[str], fields: dict) -> list[str]:
    if not ticked:
        fields.setdefault("scope", []).append("请选择执业自查范围")
        return []
    if _county(division_code) is None:
        return []
    province, version = checklist_province(division_code)
    groups = expand_scope(scope_tree(province, version), ticked)
    if groups is None:
        fields.setdefault("scope", []).append("执业自查范围不正确")
        return []
    return groups


def _check_admin(data: dict, fields: dict) -> dict:
    a = {"display_name": _text(data, "admin_name"), "id_number": normalise_id(_text(data, "admin_id_number")),
         "phone": _text(data, "admin_phone"), "password": data.get("password") or "",
         "confirm": data.get("password_confirm") or ""}
    if not a["display_name"]:
        fields.setdefault("admin_name", []).append("请输入用户名")
    if problem := resident_id_problem(a["id_number"]):
        fields.setdefault("admin_id_number", []).append(problem)
    elif db.session.scalar(select(SupervisionMember.id).where(
            SupervisionMember.id_number == a["id_number"])):
        fields.setdefault("admin_id_number", []).append("该身份证号码已注册")
    if not PHONE.match(a["phone"]):
        fields.setdefault("admin_phone", []).append("手机号码格式不正确")
    elif db.session.scalar(select(Account.id).where(Account.username == a["phone"])):
        fields.setdefault("admin_phone", []).append("该手机号码已注册")
    if problem := password_problem(a["password"]):
        fields.setdefault("password", []).append(problem)
    if a["password"] != a["confirm"]:
        fields.setdefault("password_confirm", []).append("两次输入的密码不一致")
    return a


def _apply(unit: SupervisedUnit, v: dict) -> None:
    for key, value in v.items():
        setattr(unit, key, value)
    div = _county(v["division_code"])
    unit.city_code, unit.province_code = div.parent_code, v["division_code"][:2] + "0000"
    unit.checklist_province, unit.checklist_version = checklist_province(v["division_code"])
    unit.administration_id = db.session.scalar(select(Administration.id).where(
        Administration.division_code == v["division_code"]))
    # an institution the registry already holds is linked, never copied
    unit.institution_id = db.session.scalar(select(Institution.id).where(
        Institution.uscc == v["uscc"]))


def submit(data: dict, proofs: list | None = None) -> SupervisedUnit:
    """Create the sign-up and its (not yet enabled) administrator; the caller commits."""
    fields: dict = {}
    v = _check_unit(data, fields, None)
    a = _check_admin(data, fields)
    if fields:
        raise SignupError(fields)
    unit = SupervisedUnit(status="pending")
    _apply(unit, v)
    if unit.administration_id is None:
        raise SignupError({"division_code": ["该地区暂无卫生健康行政部门受理注册"]})
    account = Account(username=a["phone"], password_hash=hash_password(a["password"]),
                      display_name=a["display_name"], kind="supervision", roles=["inst_admin"],
                      phone=a["phone"], is_enabled=False)
    db.session.add_all([unit, account])
    with change_context(None, "机构注册"):
        db.session.flush()
        db.session.add(SupervisionMember(account_id=account.id, unit_id=unit.id,
                                         id_number=a["id_number"], is_admin=True))
        unit.licence_document_ids = [store(account) for store in proofs or []]
        db.session.flush()
    return unit


def unit_for_credentials(phone: str, password: str) -> SupervisedUnit | None:
    """The sign-up whose administrator has this phone and password (to follow a review)."""
    member = db.session.scalars(select(SupervisionMember).join(Account).where(
        Account.username == (phone or "").strip(), SupervisionMember.is_admin)).first()
    if member is None or not verify_password(member.account.password_hash, password or ""):
        return None
    return member.unit


def correct(unit: SupervisedUnit, data: dict, proofs: list | None = None) -> None:
    """Answer a return by correcting the sign-up; it goes back to the administration."""
    if unit.status != "returned":
        raise SignupError({"status": ["仅退回的注册可以修改后重新提交"]})
    fields: dict = {}
    v = _check_unit(data, fields, unit.id)
    if fields:
        raise SignupError(fields)
    admin = admin_of(unit)
    with change_context(admin.account_id, "退回后修改重新提交"):
        _apply(unit, v)
        if proofs:
            unit.licence_document_ids = [store(admin.account) for store in proofs]
        unit.status, unit.submitted_at = "pending", utcnow()
        db.session.flush()


def admin_of(unit: SupervisedUnit) -> SupervisionMember:
    return db.session.scalars(select(SupervisionMember).where(
        SupervisionMember.unit_id == unit.id, SupervisionMember.is_admin)).one()


def review(actor: Account, unit: SupervisedUnit, decision: str, reason: str | None) -> None:
    """注册审核: pass (the administrator may log in) or return with a mandatory reason."""
    reason = (reason or "").strip()
    if unit.status != "pending":
        raise SignupError({"decision": ["该注册不在待审核状态"]})
    if decision not in ("pass", "return"):
        raise SignupError({"decision": ["请选择审核结果"]})
    if decision == "return" and not reason:
        raise SignupError({"reason": ["选择退回时，必须填写退回原因"]})
    if len(reason) > 500:
        raise SignupError({"reason": ["退回原因不能超过 500 字"]})
    with change_context(actor.id, "注册审核"):
        unit.status = "active" if decision == "pass" else "returned"
        unit.return_reason = reason if decision == "return" else None
        unit.reviewed_by_id, unit.reviewed_at = actor.id, utcnow()
        if decision == "pass":
            admin_of(unit).account.is_enabled = True
        db.session.flush()
