"""Whom a task or a message is for: an organisation or a person, and telling them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.notify import outbox

# The kinds a target may name, each with the account column that belongs to it; a target of
# kind ``account`` is one account (seed 004's staff belong to no organisation of the registry),
# as is an ``applicant`` for a new institution.
TARGET_KINDS = ("administration", "institution", "physician", "nurse", "account", "applicant")


@dataclass(frozen=True)
class Target:
    """Where a task goes: an organisation (administration / institution) or a person."""

    kind: str
    id: int


def notify(target: Target, subject: str, body: str) -> None:
    """An in-app message to every enabled account of an organisation or a person."""
    if target.kind not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {target.kind!r}")
    column = Account.id if target.kind in ("account", "applicant") \
        else getattr(Account, f"{target.kind}_id")
    for account_id in db.session.scalars(
        select(Account.id).where(column == target.id, Account.is_enabled.is_(True))
    ):
        outbox.queue("inbox", subject, body, account_id=account_id)
