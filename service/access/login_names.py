"""What a login may type as its user name: the user name itself, or for physicians and nurses
(seed 003, "用户名/手机号码/资格证书编码") a verified phone number or a certificate number. Domains
register how their certificate numbers lead to accounts (``@certificate_lookup``)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from service.access.accounts import find_by_username
from service.access.codes import PHONE, normalise
from service.access.models import Account
from service.core.extensions import db

PERSON_KINDS = ("physician", "nurse")
# A lookup returns the ids of the accounts a certificate number belongs to.
_LOOKUPS: list[Callable[[str], list[int]]] = []


def certificate_lookup(fn: Callable[[str], list[int]]) -> Callable[[str], list[int]]:
    """Register a domain's lookup from a certificate number to account ids."""
    _LOOKUPS.append(fn)
    return fn


def find_login_account(name: str) -> Account | None:
    """The one account ``name`` designates, or None (unknown, or more than one: then only the
    user name is unambiguous)."""
    name = (name or "").strip()
    if not name:
        return None
    account = find_by_username(name)
    if account is not None:
        return account
    phone = normalise("sms", name)
    if PHONE.match(phone):
        # a verified phone belongs to one account at most (ux_account_verified_phone)
        return db.session.scalars(select(Account).where(
            Account.phone == phone, Account.phone_verified_at.is_not(None),
            Account.kind.in_(PERSON_KINDS))).first()
    return _by_certificate(name)


def _by_certificate(number: str) -> Account | None:
    if len(number) > 32:
        return None
    ids = {i for lookup in _LOOKUPS for i in lookup(number)}
    if not ids:
        return None
    accounts = list(db.session.scalars(select(Account).where(
        Account.id.in_(ids), Account.kind.in_(PERSON_KINDS))))
    # a revoked (disabled) account stays beside her new one: the enabled one is meant
    enabled = [a for a in accounts if a.is_enabled]
    candidates = enabled or accounts
    return candidates[0] if len(candidates) == 1 else None
