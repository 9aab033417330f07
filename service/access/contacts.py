"""The account holder verifies or changes her phone and e-mail (安全设置 › 验证手机 / 我的邮箱).

A verified phone or e-mail is what password recovery trusts, so it changes only when a code
sent to the new address comes back.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from service.access import codes
from service.access.accounts import verified_contact
from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow

PURPOSE = "verify"


def _taken_by_other(account: Account, channel: str, address: str) -> bool:
    return bool(db.session.scalar(select(exists().where(
        verified_contact(channel, address), Account.id != account.id))))


def _checked_address(account: Account, channel: str, address: str | None) -> str:
    address = codes.normalise(channel, address)
    if problem := codes.address_problem(channel, address):
        raise codes.CodeError(problem, field="address")
    if _taken_by_other(account, channel, address):
        what = "手机号码" if channel == "sms" else "电子邮箱"
        raise codes.CodeError(f"该{what}已被其他账户验证使用", field="address", status=409,
                              code="contact_taken")
    return address


def send_code(account: Account, channel: str, address: str | None) -> None:
    """Send a code to the (new) phone or e-mail; the caller commits."""
    address = _checked_address(account, channel, address)
    try:
        codes.issue(PURPOSE, channel, address, account_id=account.id)
    except codes.CodeError as exc:
        exc.field = "address"
        raise


def confirm(account: Account, channel: str, address: str | None, code: str | None) -> None:
    """Record the address as the account's verified phone or e-mail; the caller commits."""
    address = _checked_address(account, channel, address)
    row = codes.verify(PURPOSE, channel, address, code)
    codes.consume(row)
    now = utcnow()
    if channel == "sms":
        account.phone, account.phone_verified_at = address, now
    else:
        account.email, account.email_verified_at = address, now
