"""S1 supervision_signup: an institution signs itself up (注册页面 1–2) with its administrator;
the administration of its division passes it or returns it with a reason, which the
institution answers by correcting. Only a passed institution's administrator logs in."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.access.codes import PHONE
from service.access.models import Account
from service.access.passwords import hash_password, password_problem, verify_password
from service.core.errors import ApiError
from service.core.extensions import db
from service.documents.models import Document
from service.engine import runtime
from service.engine.plugins import ActionContext, CheckContext, action, check
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
from service.supervision.messages import tell
from service.supervision.models import SupervisedUnit, SupervisionMember
from service.supervision.processes import open_item

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
    # the review runs on the engine (bpmn/supervision_signup.bpmn), in this transaction
    unit.signup_case_id = runtime.start(account, "supervision_signup", {"unit_id": unit.id},
                                        commit=False).id
    return unit


def unit_for_credentials(phone: str, password: str) -> SupervisedUnit | None:
    """The sign-up whose administrator has this phone and password (to follow a review)."""
    member = db.session.scalars(select(SupervisionMember).join(Account).where(
        Account.username == (phone or "").strip(), SupervisionMember.is_admin)).first()
    if member is None or not verify_password(member.account.password_hash, password or ""):
        return None
    return member.unit


def correct(unit: SupervisedUnit, data: dict, proofs: list | None = None) -> None:
    """Answer a return by correcting the sign-up: the engine's ``correct`` task checks it
    (``sv_signup_correction``) and its action applies it; it goes back to the administration."""
    item = open_item(unit.signup_case_id, "correct")
    if unit.status != "returned" or item is None:
        raise SignupError({"status": ["仅退回的注册可以修改后重新提交"]})
    admin = admin_of(unit)
    form = {k: data.get(k) for k in UNIT_FIELDS}
    stored = [store(admin.account) for store in proofs or []]
    form["licence_document_ids"] = stored or list(unit.licence_document_ids)
    _engine_step(admin.account, item.id, form)


def _engine_step(actor: Account, item_id: int, form: dict, rename: dict | None = None) -> None:
    """Complete the task on the engine; its refusals come back as the page's field errors."""
    try:
        runtime.complete(actor, item_id, form)
    except ApiError as exc:
        if exc.status != 422:
            raise
        fields = exc.fields or {"form": [exc.message]}
        raise SignupError({(rename or {}).get(k, k): v for k, v in fields.items()}) from None


def admin_of(unit: SupervisedUnit) -> SupervisionMember:
    return db.session.scalars(select(SupervisionMember).where(
        SupervisionMember.unit_id == unit.id, SupervisionMember.is_admin)).one()


def review(actor: Account, unit: SupervisedUnit, decision: str, reason: str | None) -> None:
    """注册审核 on the engine's ``review`` task: pass (the administrator may log in) or return
    with a mandatory reason (``sv_signup_review``)."""
    item = open_item(unit.signup_case_id, "review")
    if unit.status != "pending" or item is None:
        raise SignupError({"decision": ["该注册不在待审核状态"]})
    if decision not in ("pass", "return"):
        raise SignupError({"decision": ["请选择审核结果"]})
    _engine_step(actor, item.id, {"decision": decision, "comment": (reason or "").strip()},
                 rename={"comment": "reason"})


@check("sv_signup_review")
def review_rule(ctx: CheckContext) -> dict[str, list[str]]:
    if ctx.data.get("decision") == "return" and not (ctx.data.get("comment") or "").strip():
        return {"comment": ["选择退回时，必须填写退回原因"]}
    return {}


@check("sv_signup_correction")
def correction_rule(ctx: CheckContext) -> dict[str, list[str]]:
    """The sign-up's rules again, and proof images only of the institution's administrator
    (she is not enabled yet, so the documents' own check cannot tell)."""
    unit = db.session.scalars(select(SupervisedUnit).where(
        SupervisedUnit.signup_case_id == ctx.case.id)).one()
    fields: dict = {}
    _check_unit(ctx.data, fields, unit.id)
    ids = ctx.data.get("licence_document_ids") or []
    uploader = admin_of(unit).account_id
    if any(db.session.scalar(select(Document.uploaded_by_id).where(Document.id == i)) != uploader
           for i in ids):
        fields["licence_document_ids"] = ["证明材料不存在或无权使用"]
    return fields


@check("sv_signup_start")
def start_rule(ctx: CheckContext) -> dict[str, list[str]]:
    """A sign-up is reviewed once at a time: only a new, pending one starts a review."""
    unit = db.session.get(SupervisedUnit, ctx.institution.unit_id)
    if unit.status != "pending" or unit.signup_case_id is not None:
        return {"unit_id": ["该注册已在审核中或已审核"]}
    return {}


def _unit(ctx: ActionContext) -> SupervisedUnit:
    return db.session.get(SupervisedUnit, ctx.data["unit_id"])


@action("sv_signup_return")
def signup_return(ctx: ActionContext) -> str:
    unit = _unit(ctx)
    unit.status, unit.return_reason = "returned", ctx.data.get("comment")
    unit.reviewed_by_id, unit.reviewed_at = ctx.actor.id, ctx.at
    tell(admin_of(unit).account, "注册已退回", f"{unit.name}的注册被退回，退回原因：{unit.return_reason}。"
         "请用手机号和密码查询注册进度，修改后重新提交。", sms=True)
    return "returned"


@action("sv_signup_resubmit")
def signup_resubmit(ctx: ActionContext) -> str:
    unit = _unit(ctx)
    fields: dict = {}
    values = _check_unit(ctx.data, fields, unit.id)
    _apply(unit, values)
    unit.licence_document_ids = list(ctx.data.get("licence_document_ids") or [])
    unit.status, unit.submitted_at = "pending", ctx.at
    return "resubmitted"


@action("sv_signup_pass")
def signup_pass(ctx: ActionContext) -> str:
    unit = _unit(ctx)
    unit.status, unit.return_reason = "active", None
    unit.reviewed_by_id, unit.reviewed_at = ctx.actor.id, ctx.at
    account = admin_of(unit).account
    account.is_enabled = True
    tell(account, "注册审核通过", f"{unit.name}的注册已审核通过，请用手机号 {account.phone} 登录。", sms=True)
    return "approved"
