"""Lockout after repeated failures at guessing something short (activation codes, recovery by
personal data). The per-address request limit (Flask-Limiter) slows one client; this stops a
guess at one target from many addresses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from service.access.models import Throttle
from service.core.extensions import db
from service.core.times import utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
# the purpose of failed logins; their subject is ``<account id>|<address>``
LOGIN = "login"


@dataclass(frozen=True)
class Failure:
    """What a failed attempt left: attempts remaining before the lockout, or the lockout's end."""

    left: int
    locked_until: datetime | None


def _row(purpose: str, subject: str) -> Throttle | None:
    return db.session.scalars(select(Throttle).where(
        Throttle.purpose == purpose, Throttle.subject == subject[:64])).first()


def locked_until(purpose: str, subject: str) -> datetime | None:
    """The end of a running lockout, or None."""
    row = _row(purpose, subject)
    if row is not None and row.locked_until and row.locked_until > utcnow():
        return row.locked_until
    return None


def fail(purpose: str, subject: str, max_failures: int = MAX_FAILURES,
         lockout: timedelta = LOCKOUT) -> Failure:
    """Count a failure; the ``max_failures``-th in a row locks for ``lockout``. The caller commits
    (also when the request itself then fails: the count must survive the refusal)."""
    row = _row(purpose, subject)
    now = utcnow()
    if row is None:
        row = Throttle(purpose=purpose, subject=subject[:64], failures=0)
        db.session.add(row)
    row.failures += 1
    row.updated_at = now
    if row.failures >= max_failures:
        row.failures, row.locked_until = 0, now + lockout
        return Failure(0, row.locked_until)
    return Failure(max_failures - row.failures, None)


def clear(purpose: str, subject: str) -> None:
    row = _row(purpose, subject)
    if row is not None:
        db.session.delete(row)


def clear_prefix(purpose: str, prefix: str) -> None:
    """Delete the rows of ``purpose`` whose subject starts with ``prefix``."""
    db.session.execute(delete(Throttle).where(
        Throttle.purpose == purpose, Throttle.subject.startswith(prefix, autoescape=True)))


def clear_login_lockouts(account_id: int) -> None:
    """Lift every address's pause on logging in to this account."""
    clear_prefix(LOGIN, f"{account_id}|")


def minutes_left(until: datetime) -> int:
    return max(1, int((until - utcnow()).total_seconds() // 60) + 1)
