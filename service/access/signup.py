"""Signing up for an account oneself, for every kind of self-registered account (physicians,
nurses, applicants for a new institution): a name and resident ID checked as such, contacts
each proved by a code sent to it, a user name and a password. The kinds add their own record
checks on top (``service.persons.signup``, ``service.institutions.applicants``).

Every refusal is a :class:`SignupError` with Chinese field messages and writes nothing (except
the count of wrong codes, which must survive the refusal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from service.access import codes
from service.access.accounts import find_by_username, verified_contact
from service.access.models import Account
from service.access.passwords import password_problem
from service.core.extensions import db
from service.registry.validation import normalise_id, resident_id_problem

USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{5,11}$")
USERNAME_RULE = "用户名须以字母开头，由 6 至 12 位字母和数字组成"
USERNAME_TAKEN = "该用户名已被使用，请换一个"
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


def name_problem(name: str) -> str | None:
    if not name:
        return "请填写您的姓名"
    if re.search(r"[A-Za-z0-9]", name):
        return "请填写您的真实姓名（姓名不是登录用户名，请不要输入字母及数字）"
    if not _NAME.match(name):
        return "姓名应为 2 至 40 个字"
    return None


def checked_name_and_id(name: str | None, id_number: str | None) -> tuple[str, str]:
    """A real name and a valid resident ID, normalised; SignupError with both reasons."""
    name = (name or "").strip()
    id_number = normalise_id(id_number or "")
    fields: dict[str, list[str]] = {}
    if problem := name_problem(name):
        fields["name"] = [problem]
    if problem := resident_id_problem(id_number):
        fields["id_number"] = [problem]
    if fields:
        raise SignupError(fields)
    return name, id_number


def send_code(channel: str, address: str | None) -> None:
    """Send a sign-up code to the phone (``sms``) or e-mail of a checked identity."""
    address = codes.normalise(channel, address)
    field = "phone" if channel == "sms" else "email"
    if problem := codes.address_problem(channel, address):
        raise SignupError({field: [problem]})
    if problem := contact_taken(channel, address):
        raise SignupError({field: [problem]}, code="contact_taken", status=409)
    try:
        codes.issue("signup", channel, address)
    except codes.CodeError as exc:
        raise SignupError({field: [exc.message]}, code=exc.code, status=exc.status) from None


def contact_taken(channel: str, address: str) -> str | None:
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
        if problem := codes.address_problem(channel, address) or contact_taken(channel, address):
            fields[field] = [problem]
    username = (req.username or "").strip()
    if not USERNAME.match(username):
        fields["username"] = [USERNAME_RULE]
    elif find_by_username(username):
        fields["username"] = [USERNAME_TAKEN]
    if problem := password_problem(req.password or "",
                                    names=(username, req.name, phone, email, req.id_number)):
        fields["password"] = [problem]
    elif req.confirm is not None and req.confirm != req.password:
        fields["confirm"] = ["两次输入的密码不一致"]
    return fields


@dataclass
class CheckedContacts:
    """Step 2's contacts, user name and password, checked; the codes to consume on success."""

    phone: str
    email: str
    verified: list


def check_contacts(req: SignupRequest) -> CheckedContacts:
    """Check step 2 beyond the identity; SignupError with every field's reason."""
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
    return CheckedContacts(phone, email, verified)


def save_account(account: Account, checked: CheckedContacts) -> Account:
    """Add the new account, consume its codes and flush; the caller commits."""
    db.session.add(account)
    for row in checked.verified:
        codes.consume(row)
    try:
        db.session.flush()
    except IntegrityError:
        # a concurrent sign-up took the user name (or the contact) a moment ago
        db.session.rollback()
        raise SignupError({"username": [USERNAME_TAKEN]}) from None
    return account
