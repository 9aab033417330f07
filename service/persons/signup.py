"""Sign-up of a person against her qualification record (seed 003 ch.2 §1.2), for every
persons' domain: step 1 checks a name and resident ID against the domain's records, step 2
checks contacts (each proved by a code), a user name and a password (``service.access.signup``).

Every refusal is a :class:`SignupError` with Chinese field messages and writes nothing (except
the count of wrong codes, which must survive the refusal).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select

from service.access.models import Account
from service.access.passwords import hash_password
from service.access.signup import (  # noqa: F401  (the persons' domains use them from here)
    USERNAME_RULE,
    CheckedContacts,
    SignupError,
    SignupRequest,
    check_contacts,
    checked_name_and_id,
    save_account,
    send_code,
)
from service.core.extensions import db
from service.core.times import utcnow
from service.registry.versioning import change_context


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


def find_record(model, name: str | None, id_number: str | None, words: RecordWords, *,
                lock: bool = False):
    """The qualification record (``model``) of this name and resident ID, or SignupError."""
    name, id_number = checked_name_and_id(name, id_number)
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
