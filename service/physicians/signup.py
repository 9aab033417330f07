"""P0: a physician signs up for an account herself (seed 003 ch.2 §1.2).

Step 1 checks her name and resident ID against the qualification records; step 2 takes a phone
and an e-mail (each proved by a code), a user name and a password, and creates the account,
not yet activated. Both doors (pages and REST) call these functions; every refusal is a
:class:`SignupError` with Chinese field messages and writes nothing (except the count of wrong
codes, which must survive the refusal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from service.access import codes
from service.access.accounts import find_by_username, verified_contact
from service.access.models import Account
from service.access.passwords import hash_password, password_problem
from service.core.extensions import db
from service.core.times import utcnow
from service.physicians.models import Physician, PracticeRegistration, Qualification
from service.registry.validation import normalise_id, resident_id_problem
from service.registry.versioning import change_context

USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{5,11}$")
USERNAME_RULE = "用户名须以字母开头，由 6 至 12 位字母和数字组成"
NOT_FOUND = "未查询到您的医师资格信息，请核对姓名和身份证号；如仍有问题请联系资格证书发证机关"
NAME_MISMATCH = ("您填写的姓名与医师资格信息中的姓名不一致，请按医师资格证书上的姓名填写；"
                 "如资格信息有误，请联系资格证书发证机关")
ACCOUNT_EXISTS = "该身份证号已注册医师账户，请直接登录；如忘记用户名或密码，请使用“找回密码”"
_NAME = re.compile(r"^[^\sA-Za-z0-9]{2,40}$")


class SignupError(Exception):
    """Why a sign-up step was refused: field messages, an error code, HTTP status."""

    def __init__(self, fields: dict[str, list[str]], code: str = "validation_failed",
                 status: int = 422) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.fields, self.code, self.status = fields, code, status

    @property
    def message(self) -> str:
        return str(self)


@dataclass
class Identity:
    """A checked name and resident ID: her qualification, and her physician record if any."""

    qualification: Qualification
    physician: Physician | None

    @property
    def registered(self) -> bool:
        """Whether she holds a valid registration (then her institution gives the activation code)."""
        return self.physician is not None and has_valid_registration(self.physician)


def _name_problem(name: str) -> str | None:
    if not name:
        return "请填写您的姓名"
    if re.search(r"[A-Za-z0-9]", name):
        return "请填写您的真实姓名（姓名不是登录用户名，请不要输入字母及数字）"
    if not _NAME.match(name):
        return "姓名应为 2 至 40 个字"
    return None


def check_identity(name: str | None, id_number: str | None, *, lock: bool = False) -> Identity:
    """Step 1: the qualification of this name and resident ID; SignupError explains a refusal."""
    name = (name or "").strip()
    id_number = normalise_id(id_number or "")
    fields: dict[str, list[str]] = {}
    if problem := _name_problem(name):
        fields["name"] = [problem]
    if problem := resident_id_problem(id_number):
        fields["id_number"] = [problem]
    if fields:
        raise SignupError(fields)
    stmt = select(Qualification).where(Qualification.id_number == id_number)
    qualification = db.session.scalars(stmt.with_for_update() if lock else stmt).first()
    if qualification is None:
        raise SignupError({"id_number": [NOT_FOUND]}, code="qualification_not_found")
    if qualification.name != name:
        # the recorded name is not shown: it would tell anyone holding an ID number whose it is
        raise SignupError({"name": [NAME_MISMATCH]}, code="name_mismatch")
    physician = db.session.scalars(
        select(Physician).where(Physician.qualification_id == qualification.id)).first()
    if physician is not None and _has_account(physician.id):
        raise SignupError({"id_number": [ACCOUNT_EXISTS]}, code="account_exists", status=409)
    return Identity(qualification, physician)


def _has_account(physician_id: int) -> bool:
    # A revoked (disabled) account does not count: the institution revoked it so that she can
    # sign up again (seed 003 ch.3 §5.1).
    return bool(db.session.scalar(select(exists().where(
        Account.physician_id == physician_id, Account.is_enabled.is_(True)))))


def send_code(identity: Identity, channel: str, address: str | None) -> None:
    """Send a sign-up code to the phone (``sms``) or e-mail of a checked identity."""
    address = codes.normalise(channel, address)
    field = "phone" if channel == "sms" else "email"
    if problem := codes.address_problem(channel, address):
        raise SignupError({field: [problem]})
    if problem := _contact_taken(channel, address):
        raise SignupError({field: [problem]}, code="contact_taken", status=409)
    try:
        codes.issue("signup", channel, address)
    except codes.CodeError as exc:
        raise SignupError({field: [exc.message]}, code=exc.code, status=exc.status) from None


def _contact_taken(channel: str, address: str) -> str | None:
    if channel == "sms":
        message = "该手机号码已被其他账户验证使用，请更换手机号码"
    else:
        message = "该电子邮箱已被其他账户验证使用，请更换电子邮箱"
    taken = verified_contact(channel, address)
    return message if db.session.scalar(select(exists().where(taken))) else None


@dataclass
class SignupRequest:
    """Step 2 as submitted (the name and ID number are checked again: REST is stateless)."""

    name: str
    id_number: str
    phone: str
    phone_code: str
    email: str
    email_code: str
    username: str
    password: str
    confirm: str | None = None


def _account_fields(req: SignupRequest, phone: str, email: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for channel, field, address in (("sms", "phone", phone), ("email", "email", email)):
        if problem := codes.address_problem(channel, address) or _contact_taken(channel, address):
            fields[field] = [problem]
    username = (req.username or "").strip()
    if not USERNAME.match(username):
        fields["username"] = [USERNAME_RULE]
    elif find_by_username(username):
        fields["username"] = ["该用户名已被使用，请换一个"]
    if problem := password_problem(req.password or "",
                                    names=(username, req.name, phone, email, req.id_number)):
        fields["password"] = [problem]
    elif req.confirm is not None and req.confirm != req.password:
        fields["confirm"] = ["两次输入的密码不一致"]
    return fields


def create_account(req: SignupRequest) -> Account:
    """Step 2: check everything, then create the physician (if new) and her account, not yet
    activated; the caller commits."""
    identity = check_identity(req.name, req.id_number, lock=True)
    phone = codes.normalise("sms", req.phone)
    email = codes.normalise("email", req.email)
    fields = _account_fields(req, phone, email)
    verified = []
    for channel, field, address, code in (("sms", "phone_code", phone, req.phone_code),
                                          ("email", "email_code", email, req.email_code)):
        if codes.address_problem(channel, address):
            continue  # the address itself is wrong: its code cannot be checked
        try:
            verified.append(codes.verify("signup", channel, address, code))
        except codes.CodeError as exc:
            fields[field] = [exc.message]
    if fields:
        raise SignupError(fields)

    q, now = identity.qualification, utcnow()
    physician = identity.physician
    with change_context(None, "医师注册账户"):
        if physician is None:
            physician = Physician(
                qualification=q, name=q.name, id_number=q.id_number, gender=q.gender,
                birth_date=q.birth_date, education=q.education, school=q.school,
                phone=phone, email=email,
            )
            db.session.add(physician)
        account = Account(
            username=req.username.strip(), password_hash=hash_password(req.password),
            display_name=q.name, kind="physician", roles=["physician"], physician=physician,
            phone=phone, email=email, phone_verified_at=now, email_verified_at=now,
        )
        db.session.add(account)
        for row in verified:
            codes.consume(row)
        try:
            db.session.flush()
        except IntegrityError:
            # a concurrent sign-up took the user name (or the contact) a moment ago
            db.session.rollback()
            raise SignupError({"username": ["该用户名已被使用，请换一个"]}) from None
    return account


def mask_middle(value: str | None, head: int, tail: int) -> str:
    """As seed 003 shows an account: ``ch...563``."""
    if not value:
        return ""
    if len(value) <= head + tail:
        return value[:1] + "..."
    return f"{value[:head]}...{value[-tail:] if tail else ''}"


def mask_email(value: str | None) -> str:
    local, _, domain = (value or "").partition("@")
    return f"{mask_middle(local, 2, 0)}@{domain}" if domain else mask_middle(value, 2, 0)


def summary(account: Account) -> dict:
    """The new account as the sign-up's last screen shows it (seed 003): masked, and how she
    activates it. The password is not shown in any form: even a fragment weakens it."""
    physician = account.physician
    main = main_registration(physician) if physician else None
    registered = physician is not None and has_valid_registration(physician)
    return {
        "username": mask_middle(account.username, 2, 3),
        "phone": mask_middle(account.phone, 3, 2),
        "email": mask_email(account.email),
        "activated": account.activated_at is not None,
        "activation": "institution_code" if registered else "certificate",
        "institution": main.institution.name if main is not None else None,
    }


def has_valid_registration(physician: Physician) -> bool:
    """Whether she holds a valid practice registration (then she activates with her
    institution's code, not her certificate number)."""
    return any(r.status == "active" for r in physician.registrations)


def main_registration(physician: Physician) -> PracticeRegistration | None:
    """Her valid main registration (主要执业机构), if any."""
    return next((r for r in physician.registrations
                 if r.kind == "main" and r.status == "active"), None)
