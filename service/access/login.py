"""Authentication with temporary lockout, for both the login page and the token endpoint."""
from __future__ import annotations

import functools
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select

from service.access.accounts import find_by_username
from service.access.models import Account, ApiToken
from service.access.passwords import burn_time, verify_password
from service.access.throttle import LOCKOUT, MAX_FAILURES, minutes_left
from service.core.extensions import db
from service.core.times import utcnow


class LoginError(Exception):
    """Why a login failed, in Chinese; ``locked`` when the account is temporarily locked."""

    def __init__(self, message: str, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


def authenticate(username: str, password: str) -> Account:
    """The account for these credentials; counts failures and locks after five in a row."""
    account = find_by_username(username or "")
    if account is None:
        burn_time(password or "")
        raise LoginError("用户名或密码错误")
    now = utcnow()
    if account.locked_until and account.locked_until > now:
        raise LoginError(_locked_message(account), locked=True)
    if not verify_password(account.password_hash, password or ""):
        account.failed_logins += 1
        locked = account.failed_logins >= MAX_FAILURES
        if locked:
            account.locked_until, account.failed_logins = now + LOCKOUT, 0
        db.session.commit()
        if locked:
            raise LoginError(_locked_message(account), locked=True)
        # the same answer as for an unknown user name, so that names cannot be probed
        raise LoginError("用户名或密码错误")
    if not account.is_enabled:
        raise LoginError("该账户已停用，请联系发放账户的卫生行政部门")
    account.previous_login_at = account.last_login_at  # shown in the holder's security settings
    account.failed_logins, account.locked_until, account.last_login_at = 0, None, now
    db.session.commit()
    return account


def login_rate_limit() -> str:
    """Attempts per client address on the login page and token endpoint (Flask-Limiter)."""
    return current_app.config.get("LOGIN_RATE_LIMIT", "20/minute")


def _locked_message(account: Account) -> str:
    return f"连续登录失败次数过多，账户已临时锁定，请 {minutes_left(account.locked_until)} 分钟后再试"


def issue_token(account: Account, name: str = "login", scopes: list[str] | None = None,
                ttl: timedelta | None = None) -> tuple[str, ApiToken]:
    """A new bearer token; the plain token is returned once and only its digest is stored."""
    token = secrets.token_urlsafe(32)
    ttl = ttl or timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    record = ApiToken(account_id=account.id, token_hash=ApiToken.digest(token), name=name,
                      scopes=scopes or [], expires_at=utcnow() + ttl,
                      session_epoch=account.session_epoch)
    db.session.add(record)
    db.session.commit()
    return token, record


@functools.cache
def _token_query():
    # built once (every request runs it): token and account in one query
    return (select(ApiToken.revoked_at, ApiToken.expires_at, ApiToken.session_epoch, Account)
            .join(Account, Account.id == ApiToken.account_id)
            .where(ApiToken.token_hash == bindparam("digest")))


def account_for_token(token: str) -> Account | None:
    """The account a live bearer token belongs to."""
    row = db.session.execute(_token_query(), {"digest": ApiToken.digest(token)}).first()
    if row is None:
        return None
    revoked_at, expires_at, epoch, account = row
    if revoked_at or expires_at <= utcnow():
        return None
    if not account.is_enabled or epoch != account.session_epoch:
        return None
    return account
