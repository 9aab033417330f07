"""Authentication with a temporary pause per account and address, for the login page and the
token endpoint; bearer tokens."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError

from service.access import throttle
from service.access.login_names import find_login_account
from service.access.models import Account, ApiToken
from service.access.passwords import burn_time, verify_password
from service.core.extensions import db
from service.core.times import utcnow

# Failed logins are counted per (account, client address): five in a row from one address stop
# that address for 15 minutes, while the holder still logs in from anywhere else. Names that
# are no account are counted the same way, so the answers cannot tell them apart.
PURPOSE = throttle.LOGIN
BAD_CREDENTIALS = "用户名或密码错误"


class LoginError(Exception):
    """Why a login failed, in Chinese; ``locked`` while this address is paused for the name."""

    def __init__(self, message: str, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


def authenticate(username: str, password: str, address: str | None = None) -> Account:
    """The account for these credentials, tried from ``address`` (default: the request's);
    ``username`` may also be a physician's or nurse's verified phone or certificate number."""
    password = password or ""
    account = find_login_account(username or "")
    subject = _subject(account, username or "", address or _client_address())
    until = throttle.locked_until(PURPOSE, subject)
    if until is not None:
        raise LoginError(_locked_message(until), locked=True)
    if account is None:
        burn_time(password)  # as long as a real check, so timing tells no names either
    if account is None or not verify_password(account.password_hash, password):
        failure = throttle.fail(PURPOSE, subject)
        db.session.commit()  # the count must survive the refusal
        if failure.locked_until is not None:
            raise LoginError(_locked_message(failure.locked_until), locked=True)
        raise LoginError(BAD_CREDENTIALS)
    if not account.is_enabled:
        raise LoginError("该账户已停用，请联系发放账户的卫生行政部门")
    throttle.clear(PURPOSE, subject)
    account.previous_login_at = account.last_login_at  # shown in the holder's security settings
    account.last_login_at = utcnow()
    db.session.commit()
    return account


def _subject(account: Account | None, name: str, address: str) -> str:
    if account is not None:
        return f"{account.id}|{address}"
    digest = hashlib.sha256(name.strip().lower().encode()).hexdigest()[:16]
    return f"?{digest}|{address}"


def _client_address() -> str:
    # behind a proxy this is the client's address only when TRUSTED_PROXIES says how many
    # proxies set X-Forwarded-For (ProxyFix in create_app); otherwise it is the proxy's
    return (request.remote_addr if has_request_context() else None) or "-"


def login_rate_limit() -> str:
    """Attempts per client address on the login page and token endpoint (Flask-Limiter)."""
    return current_app.config.get("LOGIN_RATE_LIMIT", "20/minute")


def _locked_message(until) -> str:
    return f"连续登录失败次数过多，请 {throttle.minutes_left(until)} 分钟后再试"


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
    return (select(ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.session_epoch,
                   ApiToken.name, ApiToken.scopes, ApiToken.last_used_at, Account)
            .join(Account, Account.id == ApiToken.account_id)
            .where(ApiToken.token_hash == bindparam("digest")))


# a token's last use is written at most this often (a read request writes only then)
LAST_USE_EVERY = timedelta(minutes=1)


def account_for_token(token: str) -> tuple[Account, ApiToken | None] | tuple[None, None]:
    """The account a live bearer token belongs to, with the token's id, name and scopes
    (an ``ApiToken`` not attached to the session); its last use is noted."""
    row = db.session.execute(_token_query(), {"digest": ApiToken.digest(token)}).first()
    if row is None:
        return None, None
    token_id, revoked_at, expires_at, epoch, name, scopes, last_used, account = row
    if revoked_at or expires_at <= utcnow():
        return None, None
    if not account.is_enabled or epoch != account.session_epoch:
        return None, None
    now = utcnow()
    if last_used is None or now - last_used >= LAST_USE_EVERY:
        _note_use(token_id, now)
    return account, ApiToken(id=token_id, name=name, scopes=list(scopes or []), last_used_at=now)


def _note_use(token_id: int, now) -> None:
    """Best effort, in a transaction of its own before the request's work: a read request on
    SQLite that cannot take the write lock at once skips it (the next request writes it)."""
    try:
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    except OperationalError:
        db.session.rollback()
