"""The second factor (seed 000's 电子钥匙): TOTP from an authenticator app, with ten one-time
recovery codes. Secrets are encrypted (Fernet) and recovery codes hashed (HMAC) with a key from
the environment, so a copy of the database alone neither shows a secret nor checks a code."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, select

from service.access import throttle
from service.access.models import Account, RecoveryCode, SecondFactor
from service.core.extensions import db
from service.core.times import utcnow

ISSUER = "医政管理平台"
RECOVERY_CODES = 10
PURPOSE = "second_factor"
# Who must have one when REQUIRE_SECOND_FACTOR is on: administrations and platform staff,
# except machine accounts that hold only the api_client role.
REQUIRED_KINDS = ("administration", "staff")


class SecondFactorError(Exception):
    """Why a code was refused, in Chinese; ``locked`` after too many wrong codes."""

    def __init__(self, message: str, locked: bool = False) -> None:
        super().__init__(message)
        self.message, self.locked = message, locked


def _key(purpose: bytes) -> bytes:
    base = current_app.config.get("SECOND_FACTOR_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(str(base).encode(), b"yizheng second factor " + purpose, hashlib.sha256).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(b"secret")))


def _digest(code: str) -> str:
    return hmac.new(_key(b"recovery"), _normal(code).encode(), hashlib.sha256).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def factor_of(account: Account) -> SecondFactor | None:
    return db.session.scalars(select(SecondFactor).where(
        SecondFactor.account_id == account.id)).first()


def is_enrolled(account: Account) -> bool:
    factor = factor_of(account)
    return factor is not None and factor.confirmed_at is not None


def is_required(account: Account) -> bool:
    """Whether this account may not work without a second factor (by configuration)."""
    config = current_app.config
    if not config.get("REQUIRE_SECOND_FACTOR") or account.kind not in REQUIRED_KINDS:
        return False
    if set(account.roles or []) <= {"api_client"}:
        return False
    return account.username.lower() not in config.get("SECOND_FACTOR_EXEMPT", set())


def pending_secret(account: Account) -> str:
    """The secret being enrolled (a new one if none is pending); an enrolled secret is never
    given out again. The caller commits."""
    factor = factor_of(account)
    if factor is not None and factor.confirmed_at is not None:
        raise SecondFactorError("已启用电子钥匙；如需更换，请联系平台管理员重置")
    if factor is None:
        secret = pyotp.random_base32()
        db.session.add(SecondFactor(account_id=account.id,
                                    secret_encrypted=_fernet().encrypt(secret.encode()).decode()))
        return secret
    return _secret(factor)


def _secret(factor: SecondFactor) -> str:
    try:
        return _fernet().decrypt(factor.secret_encrypted.encode()).decode()
    except InvalidToken:
        # the key changed (SECOND_FACTOR_KEY or SECRET_KEY): the platform admin resets it
        raise SecondFactorError("电子钥匙无法校验，请联系平台管理员重置") from None


def provisioning_uri(account: Account, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=ISSUER)


def confirm(account: Account, code: str) -> list[str]:
    """Enrol with the first right code; returns the recovery codes, shown this once. The
    caller commits (also on a refusal: the count of wrong codes must survive it)."""
    factor = factor_of(account)
    if factor is None or factor.confirmed_at is not None:
        raise SecondFactorError("请先打开启用页面，扫描二维码")
    _check(account, factor, code, recovery=False)
    factor.confirmed_at = utcnow()
    return new_recovery_codes(account)


def new_recovery_codes(account: Account) -> list[str]:
    """Ten fresh recovery codes replacing the old ones; only their hashes are stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(account_id=account.id, code_hash=_digest(c)) for c in codes)
    return codes


def verify(account: Account, code: str) -> None:
    """Accept a current TOTP code or an unused recovery code, else raise; the caller commits."""
    factor = factor_of(account)
    if factor is None or factor.confirmed_at is None:
        raise SecondFactorError("该账户未启用电子钥匙")
    _check(account, factor, code, recovery=True)


def _check(account: Account, factor: SecondFactor, code: str, recovery: bool) -> None:
    subject = str(account.id)
    until = throttle.locked_until(PURPOSE, subject)
    if until is not None:
        raise SecondFactorError(_locked(until), locked=True)
    if _totp_ok(factor, code) or (recovery and _recovery_ok(account, code)):
        throttle.clear(PURPOSE, subject)
        return
    failure = throttle.fail(PURPOSE, subject)
    if failure.locked_until is not None:
        raise SecondFactorError(_locked(failure.locked_until), locked=True)
    raise SecondFactorError(f"动态口令不正确或已使用（还可尝试 {failure.left} 次）")


def _totp_ok(factor: SecondFactor, code: str, now: datetime | None = None) -> bool:
    code = _normal(code)
    if len(code) != 6 or not code.isdigit():
        return False
    totp, now = pyotp.TOTP(_secret(factor)), now or utcnow()
    for drift in (-1, 0, 1):  # one step of clock drift either way
        at = now + timedelta(seconds=drift * totp.interval)
        step = totp.timecode(at)
        if step > factor.last_step and hmac.compare_digest(totp.at(at), code):
            factor.last_step = step
            return True
    return False


def _recovery_ok(account: Account, code: str) -> bool:
    row = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.account_id == account.id, RecoveryCode.code_hash == _digest(code),
        RecoveryCode.used_at.is_(None))).first()
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def recovery_codes_left(account: Account) -> int:
    return len(list(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)))))


def reset(account: Account) -> None:
    """Remove the account's second factor (lost phone); it enrols again at its next login if
    required. Its logins and tokens end. The caller commits."""
    db.session.execute(delete(SecondFactor).where(SecondFactor.account_id == account.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    throttle.clear(PURPOSE, str(account.id))
    account.session_epoch += 1


def _locked(until: datetime) -> str:
    return f"动态口令错误次数过多，请 {throttle.minutes_left(until)} 分钟后再试"
