"""One-time verification codes sent by SMS or e-mail (sign-up, password recovery, verifying a
new phone or e-mail).

A code is 6 digits, valid for 10 minutes and for 5 wrong tries; only the newest code sent to an
address counts. The database keeps an HMAC of the code keyed with the application secret, so
a copy of the table does not reveal live codes (a bare SHA-256 of six digits is reversed by
trying a million values). Sending is limited per address: once a minute, five times an hour.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from service.access.models import VerificationCode
from service.core.extensions import db
from service.core.times import utcnow
from service.notify import outbox

TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_PER_HOUR = 5
PURPOSES = {"signup": "注册账户", "recover": "找回密码", "verify": "验证联系方式"}
CHANNELS = {"sms": "手机", "email": "电子邮箱"}
PHONE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class CodeError(Exception):
    """A code that was not sent or not accepted, with a Chinese message for one field."""

    def __init__(self, message: str, field: str = "code", status: int = 422,
                 code: str = "bad_code") -> None:
        super().__init__(message)
        self.message, self.field, self.status, self.code = message, field, status, code


def normalise(channel: str, address: str | None) -> str:
    address = (address or "").strip()
    return address.lower() if channel == "email" else address.replace(" ", "").replace("-", "")


def address_problem(channel: str, address: str) -> str | None:
    """Why an address cannot receive codes on this channel, or None."""
    if channel == "sms":
        if not address:
            return "请填写手机号码"
        return None if PHONE.match(address) else "手机号码格式不正确，应为 11 位手机号"
    if channel == "email":
        if not address:
            return "请填写电子邮箱"
        return None if EMAIL.match(address) and len(address) <= 120 else "电子邮箱格式不正确"
    return "不支持的发送方式"


def _digest(purpose: str, address: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{address}:{code}".encode(), hashlib.sha256).hexdigest()


def _newest(purpose: str, channel: str, address: str) -> VerificationCode | None:
    return db.session.scalars(
        select(VerificationCode).where(
            VerificationCode.purpose == purpose, VerificationCode.channel == channel,
            VerificationCode.address == address)
        .order_by(VerificationCode.id.desc()).limit(1)
    ).first()


def issue(purpose: str, channel: str, address: str, *, account_id: int | None = None,
          deliver: bool = True) -> VerificationCode:
    """Create a code for ``address`` and queue it in the outbox (in the caller's transaction).

    ``deliver=False`` stores a code nobody receives: password recovery answers an unknown
    address exactly like a known one, so the answer does not tell which addresses have accounts.
    """
    field = "phone" if channel == "sms" else "email"
    problem = address_problem(channel, address)
    if problem:
        raise CodeError(problem, field=field)
    now = utcnow()
    last = _newest(purpose, channel, address)
    if last is not None and now - last.created_at < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - last.created_at)).total_seconds()) + 1
        raise CodeError(f"验证码已发送，请 {wait} 秒后再重新获取", field=field, status=429,
                        code="code_resend_limited")
    sent_last_hour = db.session.scalar(select(func.count()).select_from(VerificationCode).where(
        VerificationCode.purpose == purpose, VerificationCode.address == address,
        VerificationCode.created_at > now - timedelta(hours=1)))
    if sent_last_hour >= MAX_PER_HOUR:
        raise CodeError("获取验证码过于频繁，请 1 小时后再试", field=field, status=429,
                        code="code_resend_limited")
    code = f"{secrets.randbelow(10**6):06d}"
    row = VerificationCode(purpose=purpose, channel=channel, address=address,
                           code_hash=_digest(purpose, address, code), expires_at=now + TTL,
                           attempts=0, created_at=now)
    db.session.add(row)
    db.session.flush()
    if deliver:
        _send(purpose, channel, address, code, account_id)
    return row


def _send(purpose: str, channel: str, address: str, code: str, account_id: int | None) -> None:
    what = PURPOSES.get(purpose, "身份验证")
    minutes = int(TTL.total_seconds() // 60)
    body = (f"【医政管理平台】您正在{what}，验证码为 {code}，{minutes} 分钟内有效。"
            "请勿将验证码告诉他人；如非本人操作，请忽略本消息。")
    outbox.queue(channel, f"{what}验证码", body, account_id=account_id, address=address)


def verify(purpose: str, channel: str, address: str, code: str | None) -> VerificationCode:
    """The newest code sent to ``address`` if ``code`` matches it; CodeError otherwise.

    A wrong code counts against the code and that count is committed here, before the refusal,
    so call this before writing anything else in the request.
    """
    code = (code or "").strip()
    if not code:
        raise CodeError("请填写验证码")
    row = _newest(purpose, channel, address)
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise CodeError("验证码已失效，请重新获取", code="code_expired")
    if row.attempts >= MAX_ATTEMPTS:
        raise CodeError("验证码输入错误次数过多，请重新获取", code="code_attempts_exceeded")
    if not (code.isdigit() and hmac.compare_digest(row.code_hash, _digest(purpose, address, code))):
        row.attempts += 1
        left = MAX_ATTEMPTS - row.attempts
        db.session.commit()
        if left <= 0:
            raise CodeError("验证码输入错误次数过多，请重新获取", code="code_attempts_exceeded")
        raise CodeError(f"验证码不正确，还可尝试 {left} 次")
    return row


def consume(row: VerificationCode) -> None:
    """Spend a verified code: it cannot be used a second time."""
    row.used_at = utcnow()
