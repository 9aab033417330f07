"""Account activation codes an institution gives its physicians and nurses, and revoking an
account that was wrongly created under one of its persons (seed 003 ch.3 §5, §5.1; issue 13).

A code belongs to a person of the generating institution (a physician whose main institution
it is, a nurse registered there: ``AccountKind.person_here``). It goes out through the
notification outbox to the phone and e-mail on her record, so it is sent only if the
transaction commits. A new code voids her earlier unused ones: only the latest code she was
told works. Activation redeems a code with :func:`redeemable`.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from service.access.models import Account, ApiToken
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.times import utcnow
from service.notify import outbox
from service.persons.accounts import AccountKind
from service.persons.models import AccountRevocation, ActivationCode

# No 0/O, 1/I/L: the code is read out over the phone when the SMS does not arrive.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LIVE = ("unused", "sent")


def acting_for(actor: Account, inst, label: str, *, manage: bool = False):
    """The institution (already read by the actor) for a write by one of its own accounts.

    Settings (``manage``) belong to the institution's administrator; everyday work (codes,
    accounts, departments) to its clerks as well. Administrations read these records but never
    write them: the seed gives them to the institution.
    """
    roles = ("inst_admin",) if manage else ("inst_admin", "inst_clerk")
    if actor.kind != "institution" or actor.institution_id != inst.id or not actor.has_role(*roles):
        raise ApiError(403, "只有本机构的管理员或经办人可以办理此事项")
    if inst.status == "cancelled":
        raise ApiError(409, f"本机构已注销，不能再办理{label}管理事项")
    return inst


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What the physician typed, as stored: upper case, without spaces or hyphens."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -")


def accounts_of(spec: AccountKind, person_id: int) -> list[Account]:
    return list(db.session.scalars(select(Account).where(
        getattr(Account, spec.column) == person_id, Account.kind == spec.kind).order_by(Account.id)))


def _contacts(person, accounts: list[Account]) -> tuple[str | None, str | None]:
    """Phone and e-mail to send to: the person's record first.

    The record's contacts were registered through the institution; an account's were typed in
    at sign-up, possibly by someone who is not the person (the reason accounts get revoked).
    """
    enabled = [a for a in accounts if a.is_enabled]
    phone = person.phone or next((a.phone for a in enabled if a.phone), None)
    email = person.email or next((a.email for a in enabled if a.email), None)
    return phone, email


def generate(spec: AccountKind, actor: Account, inst, person_id: object) -> ActivationCode:
    """A fresh code for the person, sent by SMS and e-mail; her earlier unused codes die."""
    person = spec.person_here(actor, inst, person_id)
    accounts = accounts_of(spec, person.id)
    if any(a.is_enabled and a.activated_at is not None for a in accounts):
        raise ApiError(409, f"该{spec.label}账户已激活，无需再生成激活码")
    column = getattr(ActivationCode, spec.column)
    db.session.execute(update(ActivationCode).where(
        column == person.id, ActivationCode.status.in_(LIVE)).values(status="revoked"))
    record = _insert_unique(spec, inst, person, actor)
    phone, email = _contacts(person, accounts)
    account_id = next((a.id for a in accounts if a.is_enabled), None)
    label = spec.label
    body = (f"【医政管理平台】{person.name}{label}：{inst.name}为您生成的{label}账户激活码为 "
            f"{record.code}。请登录{label}个人端，在“账户激活”中输入激活码。如非本人操作请联系{inst.name}。")
    for channel, address in (("sms", phone), ("email", email)):
        if address:
            outbox.queue(channel, f"{label}账户激活码", body, account_id=account_id,
                         address=address)
    if phone or email:
        record.status, record.sent_at = "sent", utcnow()
        record.sent_phone, record.sent_email = phone, email
    db.session.flush()
    return record


def _insert_unique(spec: AccountKind, inst, person, actor: Account) -> ActivationCode:
    # 31^8 ≈ 8.5e11 codes: a clash is rare, and the unique index settles a concurrent one.
    for _ in range(10):
        code = new_code()
        if db.session.scalar(select(ActivationCode.id).where(ActivationCode.code == code)):
            continue
        record = ActivationCode(institution_id=inst.id, code=code, status="unused",
                                created_by_id=actor.id, **{spec.column: person.id})
        try:
            with db.session.begin_nested():
                db.session.add(record)
                db.session.flush()
        except IntegrityError:
            continue
        return record
    raise ApiError(409, "激活码生成冲突，请重试")


def revoke_code(actor: Account, inst, code_id: object) -> ActivationCode:
    """Void a code that has not been used (e.g. it was told to the wrong person)."""
    try:
        ident = int(code_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiError(404) from None
    record = db.session.get(ActivationCode, ident) if 0 < ident < 2**31 else None
    if record is None or record.institution_id != inst.id:
        raise ApiError(404, "本机构没有该激活码")
    if record.status not in LIVE:
        raise ApiError(409, f"该激活码{record.status_name}，不能作废")
    record.status = "revoked"
    db.session.flush()
    return record


def latest_codes(spec: AccountKind, person_ids: list[int]) -> dict[int, ActivationCode]:
    """Each person's newest code (whichever institution made it)."""
    column = getattr(ActivationCode, spec.column)
    out: dict[int, ActivationCode] = {}
    for record in db.session.scalars(select(ActivationCode).where(
            column.in_(person_ids)).order_by(ActivationCode.id)):
        out[getattr(record, spec.column)] = record
    return out


def redeemable(spec: AccountKind, code: str, person_id: int) -> ActivationCode | None:
    """The live code ``code`` for this person, for activation to mark as used."""
    return db.session.scalars(select(ActivationCode).where(
        ActivationCode.code == normalise_code(code),
        getattr(ActivationCode, spec.column) == person_id,
        ActivationCode.status.in_(LIVE))).first()


@dataclass
class Revoked:
    revocation: AccountRevocation
    account: Account


def revoke_account(spec: AccountKind, actor: Account, inst, person_id: object,
                   account_id: object, reason: object) -> Revoked:
    """Disable an account the person says is not hers, end its sessions and tokens, and detach
    it from her record so that she can sign up again (seed 003 ch.3 §5.1)."""
    person = spec.person_here(actor, inst, person_id)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ApiError(422, fields={"reason": ["请填写撤销原因"]})
    if len(text) > 500:
        raise ApiError(422, fields={"reason": ["撤销原因不能超过 500 个字"]})
    account = next((a for a in accounts_of(spec, person.id) if str(a.id) == str(account_id)), None)
    if account is None:
        raise ApiError(404, f"该{spec.label}没有这个账户")
    if not account.is_enabled:
        raise ApiError(409, "该账户已停用")
    now = utcnow()
    account.is_enabled = False
    account.session_epoch += 1
    setattr(account, spec.column, None)
    db.session.execute(update(ApiToken).where(
        ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    revocation = AccountRevocation(account_id=account.id, institution_id=inst.id, reason=text,
                                   revoked_by_id=actor.id, revoked_at=now,
                                   **{spec.column: person.id})
    db.session.add(revocation)
    if account.phone:
        outbox.queue("sms", f"{spec.label}账户已撤销",
                     f"【医政管理平台】您的{spec.label}账户 {account.username} 已被{inst.name}撤销。"
                     "如有疑问请联系该医疗机构。", account_id=account.id, address=account.phone)
    db.session.flush()
    return Revoked(revocation, account)


def revocations(spec: AccountKind, inst, limit: int = 50) -> list[AccountRevocation]:
    return list(db.session.scalars(select(AccountRevocation).where(
        AccountRevocation.institution_id == inst.id,
        getattr(AccountRevocation, spec.column).isnot(None)).order_by(
        AccountRevocation.id.desc()).limit(limit)))
