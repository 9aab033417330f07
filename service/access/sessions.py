"""Page logins kept server-side: a login starts a row, logout ends it, and the session loader
accepts a cookie only while its row is live and the account's epoch is unchanged."""
from __future__ import annotations

import functools
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, select, update

from service.access.models import Account, LoginSession
from service.core.extensions import db
from service.core.times import utcnow

# The key in the (signed) Flask session cookie that names the server-side login.
SESSION_KEY = "login_key"
# Ended and expired rows are kept this long (they say when a login ended), then deleted.
KEEP_ENDED = timedelta(days=7)


def start(account: Account) -> str:
    """A new login for ``account``; returns the key the cookie carries (only its digest is
    stored). The caller commits."""
    now = utcnow()
    lifetime = current_app.permanent_session_lifetime
    key = secrets.token_urlsafe(32)
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at < now - KEEP_ENDED))
    db.session.add(LoginSession(account_id=account.id, key_hash=LoginSession.digest(key),
                                created_at=now, expires_at=now + lifetime))
    return key


def end(key: str | None) -> None:
    """End the login with this key (logout); the caller commits."""
    if not key:
        return
    db.session.execute(update(LoginSession)
                       .where(LoginSession.key_hash == LoginSession.digest(key),
                              LoginSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))


@functools.cache
def _live_query():
    # built once (every page request runs it): the login and its account in one query
    return (select(Account, LoginSession.expires_at, LoginSession.ended_at)
            .join(LoginSession, LoginSession.account_id == Account.id)
            .where(LoginSession.key_hash == bindparam("digest"), Account.id == bindparam("ident")))


def account_for(user_id: str, key: str | None) -> Account | None:
    """The account of a live login: ``user_id`` is Flask-Login's ``<account id>:<epoch>``."""
    ident, _, epoch = (user_id or "").partition(":")
    if not key or not ident.isascii() or not ident.isdigit() or not epoch.isascii() \
            or not epoch.isdigit() or len(ident) > 18 or len(epoch) > 18:
        return None
    row = db.session.execute(_live_query(), {"digest": LoginSession.digest(key),
                                             "ident": int(ident)}).first()
    if row is None:
        return None
    account, expires_at, ended_at = row
    if ended_at is not None or expires_at <= utcnow() or account.session_epoch != int(epoch):
        return None
    return account
