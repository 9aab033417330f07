"""Account activation codes an institution gives its physicians, and revoking an account that
was wrongly created under one of its physicians (seed 003 ch.3 §5, §5.1).

A code belongs to a physician whose main institution (主要执业机构) is the generating one. It goes
out through the notification outbox to the phone and e-mail on her physician record, so it is
sent only if the transaction commits. A new code voids her earlier unused ones: only the latest
code she was told works. Sign-up (P0) redeems a code with :func:`redeemable`.
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
from service.institutions.face import Institution
from service.notify import outbox
from service.persons.models import AccountRevocation, ActivationCode
from service.physicians.models import Physician

# No 0/O, 1/I/L: the code is read out over the phone when the SMS does not arrive.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LIVE = ("unused", "sent")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What the physician typed, as stored: upper case, without spaces or hyphens."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -")


def main_physician(actor: Account, inst: Institution, physician_id: object) -> Physician:
    """A physician whose current main registration is at the institution, else 404."""
    from service.physicians.services import physician_of

    return physician_of(actor, inst, physician_id, main_only=True)


def accounts_of(physician_id: int) -> list[Account]:
    return list(db.session.scalars(select(Account).where(
        Account.physician_id == physician_id, Account.kind == "physician").order_by(Account.id)))


def _contacts(physician: Physician, accounts: list[Account]) -> tuple[str | None, str | None]:
    """Phone and e-mail to send to: the physician record first.

    The record's contacts were registered through the institution; an account's were typed in
    at sign-up, possibly by someone who is not the physician (the reason accounts get revoked).
    """
    enabled = [a for a in accounts if a.is_enabled]
    phone = physician.phone or next((a.phone for a in enabled if a.phone), None)
    email = physician.email or next((a.email for a in enabled if a.email), None)
    return phone, email


def generate(actor: Account, inst: Institution, physician_id: object) -> ActivationCode:
    """A fresh code for the physician, sent by SMS and e-mail; her earlier unused codes die."""
    physician = main_physician(actor, inst, physician_id)
    accounts = accounts_of(physician.id)
    if any(a.is_enabled and a.activated_at is not None for a in accounts):
        raise ApiError(409, "该医师账户已激活，无需再生成激活码")
    db.session.execute(update(ActivationCode).where(
        ActivationCode.physician_id == physician.id, ActivationCode.status.in_(LIVE)
    ).values(status="revoked"))
    record = _insert_unique(inst, physician, actor)
    phone, email = _contacts(physician, accounts)
    account_id = next((a.id for a in accounts if a.is_enabled), None)
    body = (f"【医政管理平台】{physician.name}医师：{inst.name}为您生成的医师账户激活码为 "
            f"{record.code}。请登录医师个人端，在“账户激活”中输入激活码。如非本人操作请联系{inst.name}。")
    if phone:
        outbox.queue("sms", "医师账户激活码", body, account_id=account_id, address=phone)
    if email:
        outbox.queue("email", "医师账户激活码", body, account_id=account_id, address=email)
    if phone or email:
        record.status, record.sent_at = "sent", utcnow()
        record.sent_phone, record.sent_email = phone, email
    db.session.flush()
    return record


def _insert_unique(inst: Institution, physician: Physician, actor: Account) -> ActivationCode:
    # 31^8 ≈ 8.5e11 codes: a clash is rare, and the unique index settles a concurrent one.
    for _ in range(10):
        code = new_code()
        if db.session.scalar(select(ActivationCode.id).where(ActivationCode.code == code)):
            continue
        record = ActivationCode(institution_id=inst.id, physician_id=physician.id, code=code,
                                status="unused", created_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(record)
                db.session.flush()
        except IntegrityError:
            continue
        return record
    raise ApiError(409, "激活码生成冲突，请重试")


def revoke_code(actor: Account, inst: Institution, code_id: object) -> ActivationCode:
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


def latest_codes(physician_ids: list[int]) -> dict[int, ActivationCode]:
    """Each physician's newest code (whichever institution made it)."""
    out: dict[int, ActivationCode] = {}
    for record in db.session.scalars(select(ActivationCode).where(
            ActivationCode.physician_id.in_(physician_ids)).order_by(ActivationCode.id)):
        out[record.physician_id] = record
    return out


def redeemable(code: str, physician_id: int) -> ActivationCode | None:
    """The live code ``code`` for this physician, for sign-up (P0) to mark as used."""
    return db.session.scalars(select(ActivationCode).where(
        ActivationCode.code == normalise_code(code), ActivationCode.physician_id == physician_id,
        ActivationCode.status.in_(LIVE))).first()


@dataclass
class Revoked:
    revocation: AccountRevocation
    account: Account


def revoke_account(actor: Account, inst: Institution, physician_id: object, account_id: object,
                   reason: object) -> Revoked:
    """Disable a physician account the physician says is not hers, end its sessions and tokens,
    and detach it from her record so that she can sign up again (seed 003 ch.3 §5.1)."""
    physician = main_physician(actor, inst, physician_id)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ApiError(422, fields={"reason": ["请填写撤销原因"]})
    if len(text) > 500:
        raise ApiError(422, fields={"reason": ["撤销原因不能超过 500 个字"]})
    account = next((a for a in accounts_of(physician.id) if str(a.id) == str(account_id)), None)
    if account is None:
        raise ApiError(404, "该医师没有这个账户")
    if not account.is_enabled:
        raise ApiError(409, "该账户已停用")
    now = utcnow()
    account.is_enabled = False
    account.session_epoch += 1
    account.physician_id = None
    db.session.execute(update(ApiToken).where(
        ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    revocation = AccountRevocation(account_id=account.id, physician_id=physician.id,
                                   institution_id=inst.id, reason=text, revoked_by_id=actor.id,
                                   revoked_at=now)
    db.session.add(revocation)
    if account.phone:
        outbox.queue("sms", "医师账户已撤销",
                     f"【医政管理平台】您的医师账户 {account.username} 已被{inst.name}撤销。"
                     "如有疑问请联系该医疗机构。", account_id=account.id, address=account.phone)
    db.session.flush()
    return Revoked(revocation, account)


def revocations(inst: Institution, limit: int = 50) -> list[AccountRevocation]:
    return list(db.session.scalars(select(AccountRevocation).where(
        AccountRevocation.institution_id == inst.id).order_by(
        AccountRevocation.id.desc()).limit(limit)))
