"""Sign-up of a person against her qualification record (seed 003 ch.2 §1.2), for every
persons' domain: step 1 checks a name and resident ID against the domain's records, step 2
checks contacts (each proved by a code), a user name and a password.

Every refusal is a :class:`SignupError` with Chinese field messages and writes nothing (except
the count of wrong codes, which must survive the refusal).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from service.access import codes
from service.access.accounts import find_by_username, verified_contact
from service.access.models import Account
from service.access.passwords import hash_password, password_problem
from service.core.extensions import db
from service.core.times import utcnow
from service.registry.validation import normalise_id, resident_id_problem
from service.registry.versioning import change_context

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


@dataclass
class Identity:
    """A checked name and resident ID: her qualification record, her person record if any,
    and whether she holds a valid registration (then her institution's code activates her)."""

    qualification: Any
    person: Any
    registered: bool = False


@dataclass(frozen=True)
class RecordWords:
    """How a domain names a missing record and a name that does not match it."""

    not_found: str
    name_mismatch: str


@dataclass(frozen=True)
class SignupKind:
    """A persons' domain's sign-up: the account kind, its qualification model and wording,
    how her person record is found and made, whether she is registered, the version reason."""

    kind: str
    qualification_model: type
    words: RecordWords
    account_exists: str
    find_person: Callable[[Any], Any]
    new_person: Callable[[Any, CheckedContacts], Any]
    registered: Callable[[Any], bool]
    reason: str


def check_identity(spec: SignupKind, name: str | None, id_number: str | None, *,
                   lock: bool = False) -> Identity:
    """Step 1: the qualification of this name and resident ID; SignupError explains a refusal."""
    record = find_record(spec.qualification_model, name, id_number, spec.words, lock=lock)
    person = spec.find_person(record)
    if person is not None and has_enabled_account(getattr(Account, f"{spec.kind}_id"), person.id):
        raise SignupError({"id_number": [spec.account_exists]}, code="account_exists", status=409)
    return Identity(record, person, person is not None and spec.registered(person))


def create_account(spec: SignupKind, req: SignupRequest) -> Account:
    """Step 2: check everything, then create her person record (if new) and her account, not
    yet activated; the caller commits."""
    identity = check_identity(spec, req.name, req.id_number, lock=True)
    checked = check_contacts(req)
    q, now = identity.qualification, utcnow()
    with change_context(None, spec.reason):
        person = identity.person or spec.new_person(q, checked)
        db.session.add(person)
        account = Account(
            username=req.username.strip(), password_hash=hash_password(req.password),
            display_name=q.name, kind=spec.kind, roles=[spec.kind], phone=checked.phone,
            email=checked.email, phone_verified_at=now, email_verified_at=now)
        setattr(account, spec.kind, person)
        return save_account(account, checked)


def name_problem(name: str) -> str | None:
    if not name:
        return "请填写您的姓名"
    if re.search(r"[A-Za-z0-9]", name):
        return "请填写您的真实姓名（姓名不是登录用户名，请不要输入字母及数字）"
    if not _NAME.match(name):
        return "姓名应为 2 至 40 个字"
    return None


def find_record(model, name: str | None, id_number: str | None, words: RecordWords, *,
                lock: bool = False):
    """The qualification record (``model``) of this name and resident ID, or SignupError."""
    name = (name or "").strip()
    id_number = normalise_id(id_number or "")
    fields: dict[str, list[str]] = {}
    if problem := name_problem(name):
        fields["name"] = [problem]
    if problem := resident_id_problem(id_number):
        fields["id_number"] = [problem]
    if fields:
        raise SignupError(fields)
    stmt = select(model).where(model.id_number == id_number)
    record = db.session.scalars(stmt.with_for_update() if lock else stmt).first()
    if record is None:
        raise SignupError({"id_number": [words.not_found]}, code="qualification_not_found")
    if record.name != name:
        # the recorded name is not shown: it would tell anyone holding an ID number whose it is
        raise SignupError({"name": [words.name_mismatch]}, code="name_mismatch")
    return record


def has_enabled_account(column, person_id: int) -> bool:
    """Whether an enabled account names this person. A revoked (disabled) account does not
    count: the institution revoked it so that she can sign up again (seed 003 ch.3 §5.1)."""
    return bool(db.session.scalar(select(exists().where(
        column == person_id, Account.is_enabled.is_(True)))))


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


def masked_summary(account: Account, registered: bool, other_way: str,
                   institution: str | None) -> dict:
    """The new account as the sign-up's last screen shows it (seed 003): masked, and how she
    activates it. The password is not shown in any form: even a fragment weakens it."""
    return {
        "username": mask_middle(account.username, 2, 3),
        "phone": mask_middle(account.phone, 3, 2),
        "email": mask_email(account.email),
        "activated": account.activated_at is not None,
        "activation": "institution_code" if registered else other_way,
        "institution": institution,
    }
