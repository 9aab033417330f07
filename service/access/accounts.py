"""Issuing and maintaining accounts (seed 002 §5(四), seed 003 ch.3 §1)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select

from service.access import throttle
from service.access.codes import PHONE
from service.access.models import ADMINISTRATION_ROLES, INSTITUTION_ROLES, Account
from service.access.passwords import hash_password, initial_password, password_problem
from service.access.policy import MANAGE, can, model_named
from service.core.extensions import db
from service.core.times import utcnow
from service.notify import outbox
from service.registry.reference import Administration

USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{2,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(Exception):
    """Field errors (Chinese) that stop an account from being issued."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields


@dataclass
class IssuedAccount:
    account: Account
    password: str


def find_by_username(username: str) -> Account | None:
    return db.session.scalars(
        select(Account).where(func.lower(Account.username) == username.strip().lower())
    ).first()


def verified_contact(channel: str, address: str) -> ColumnElement[bool]:
    """Accounts that verified this (normalised) phone (``sms``) or e-mail."""
    if channel == "sms":
        return and_(Account.phone == address, Account.phone_verified_at.is_not(None))
    return and_(func.lower(Account.email) == address, Account.email_verified_at.is_not(None))


def _check_contact(fields: dict, username: str, phone: str | None, email: str | None) -> None:
    if not USERNAME.match(username or ""):
        fields.setdefault("username", []).append(
            "用户名须以字母开头，由 3–40 位字母、数字或 . _ - 组成"
        )
    elif find_by_username(username):
        fields.setdefault("username", []).append("该用户名已被使用")
    if not phone:
        fields.setdefault("phone", []).append("请填写接收初始密码的手机号码")
    elif not PHONE.match(phone):
        fields.setdefault("phone", []).append("手机号码格式不正确")
    if email and not EMAIL.match(email):
        fields.setdefault("email", []).append("电子邮箱格式不正确")


def issue_account(actor: Account, *, username: str, display_name: str, phone: str,
                  email: str | None, roles: list[str], administration_id: int | None = None,
                  institution_id: int | None = None) -> IssuedAccount:
    """Create an account for an administration or institution the actor manages.

    The initial password goes out through the notification outbox (SMS to the phone given);
    the new account must change it at first login.
    """
    fields: dict[str, list[str]] = {}
    _check_contact(fields, username, phone, email)
    if not display_name.strip():
        fields.setdefault("display_name", []).append("请填写使用人姓名")
    if (administration_id is None) == (institution_id is None):
        fields.setdefault("organisation", []).append("请选择账户所属的单位")
        raise AccountError(fields)
    if administration_id is not None:
        org = db.session.get(Administration, administration_id)
        kind, allowed = "administration", ADMINISTRATION_ROLES
    else:
        institution = model_named("institution")
        org = db.session.get(institution, institution_id) if institution is not None else None
        kind, allowed = "institution", INSTITUTION_ROLES
    if org is None or not can(actor, MANAGE, org):
        fields.setdefault("organisation", []).append("您无权为该单位发放账户")
    if not roles or any(r not in allowed for r in roles):
        fields.setdefault("roles", []).append("请选择该单位可用的角色")
    if fields:
        raise AccountError(fields)

    password = initial_password()
    account = Account(
        username=username.strip(), display_name=display_name.strip(), kind=kind,
        roles=sorted(set(roles)), administration_id=administration_id,
        institution_id=institution_id, phone=phone, email=email or None,
        password_hash=hash_password(password), must_change_password=True,
        created_by_id=actor.id,
    )
    db.session.add(account)
    db.session.flush()
    _send_password(account, password, "账户开通")
    return IssuedAccount(account, password)


def reset_password(actor: Account, account: Account) -> None:
    """Issue a new initial password (sent by SMS) and end the account's sessions."""
    password = initial_password()
    store_password(account, password)
    account.must_change_password = True
    account.failed_logins, account.locked_until = 0, None
    throttle.clear_login_lockouts(account.id)
    account.session_epoch += 1
    _send_password(account, password, "密码重置")


def set_enabled(account: Account, enabled: bool) -> None:
    """Disabling ends the account's sessions and tokens; enabling leaves them as they are (a
    disabled account has none left, and enabling one's own must not log oneself out)."""
    if not enabled and account.is_enabled:
        account.session_epoch += 1
    account.is_enabled = enabled


def change_password(account: Account, new_password: str) -> str | None:
    """Set a new password chosen by the account holder; returns a Chinese problem or None."""
    problem = new_password_problem(account, new_password)
    if problem:
        return problem
    store_password(account, new_password)
    account.must_change_password = False
    account.session_epoch += 1
    return None


def new_password_problem(account: Account, password: str) -> str | None:
    """Why ``password`` may not become this account's password (its own names, the current or
    the previous password, the general rules), in Chinese, or None."""
    return password_problem(
        password, names=(account.username, account.display_name, account.phone, account.email),
        used_hashes=(account.password_hash, account.previous_password_hash))


def store_password(account: Account, password: str) -> None:
    """Hash and set ``password``, keeping the holder's own previous one (an issued initial
    password is not hers, so it is not kept)."""
    if account.password_hash and not account.must_change_password:
        account.previous_password_hash = account.password_hash
    account.password_hash = hash_password(password)


def _send_password(account: Account, password: str, subject: str) -> None:
    body = (
        f"【医政管理平台】{account.organisation_name}：您的登录用户名为 {account.username}，"
        f"初始密码为 {password}。首次登录后请立即修改密码。"
    )
    outbox.queue("sms", subject, body, account_id=account.id, address=account.phone)
    account.last_login_at = None
    account.created_at = account.created_at or utcnow()
