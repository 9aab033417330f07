"""Password recovery (seed 003 ch.4 "找回您的登录账户"), for physicians and nurses: by a code sent
to the verified phone or e-mail, or by personal data (name, resident ID and the number of her
qualification: 医师资格证书编码 / 护士执业资格考试合格证明编号).

Nothing here tells whether an address or a person has an account: an unknown address gets the
same answer as a known one (a code is stored that nobody receives) and every wrong detail of
the personal data gets the same message. Only after a successful check is the (masked) user
name shown, as the seed does.
"""
from __future__ import annotations

from sqlalchemy import select

from service.access import codes, throttle
from service.access.accounts import new_password_problem, store_password, verified_contact
from service.access.models import Account
from service.core.extensions import db
from service.persons.accounts import kinds
from service.registry.validation import certificate_matches, normalise_id

PURPOSE = "recover"
PERSONAL = "recover_person"
WRONG_PERSONAL = "您填写的信息与已注册账户的信息不一致，请核对后重试"


class RecoveryError(Exception):
    def __init__(self, message: str, field: str = "code", status: int = 422,
                 code: str = "recovery_refused") -> None:
        super().__init__(message)
        self.message, self.field, self.status, self.code = message, field, status, code


def account_by_contact(channel: str, address: str) -> Account | None:
    """The enabled account that verified this phone or e-mail."""
    return db.session.scalars(
        select(Account).where(verified_contact(channel, address), Account.is_enabled.is_(True))
        .order_by(Account.id)).first()


def send_code(channel: str, address: str | None) -> str:
    """Send a recovery code if an account verified this address; the same answer otherwise.
    Returns the normalised address; the caller commits."""
    address = codes.normalise(channel, address)
    account = None
    if not codes.address_problem(channel, address):
        account = account_by_contact(channel, address)
    try:
        codes.issue(PURPOSE, channel, address, account_id=account.id if account else None,
                    deliver=account is not None)
    except codes.CodeError as exc:
        raise RecoveryError(exc.message, exc.field, exc.status, exc.code) from None
    return address


def check_code(channel: str, address: str | None, code: str | None) -> Account:
    """The account whose verified address received ``code``; the caller commits."""
    address = codes.normalise(channel, address)
    try:
        row = codes.verify(PURPOSE, channel, address, code)
    except codes.CodeError as exc:
        raise RecoveryError(exc.message, "code", exc.status, exc.code) from None
    account = account_by_contact(channel, address)
    if account is None:  # only reachable by guessing a code nobody was sent
        raise RecoveryError("验证码不正确，请重新获取")
    codes.consume(row)
    return account


def _matching_account(name: str, id_number: str, certificate_number: str) -> Account | None:
    """The enabled person's account whose record matches all three details, of any kind."""
    for spec in kinds():
        person = db.session.scalars(select(spec.model).where(
            spec.model.id_number == id_number)).first()
        if person is None or person.qualification is None or person.qualification.name != name:
            continue
        if not certificate_matches(certificate_number, spec.qualification_number(person)):
            continue
        account = db.session.scalars(select(Account).where(
            getattr(Account, spec.column) == person.id, Account.is_enabled.is_(True))
            .order_by(Account.id)).first()
        if account is not None:
            return account
    return None


def check_personal(name: str | None, id_number: str | None,
                   certificate_number: str | None) -> Account:
    """The physician or nurse account matching all three personal details; five wrong tries
    for one ID number lock this way of recovery for it."""
    id_number = normalise_id(id_number or "")
    if not (name or "").strip() or not id_number or not (certificate_number or "").strip():
        raise RecoveryError("请完整填写姓名、身份证号和资格证书编号", "_form")
    until = throttle.locked_until(PERSONAL, id_number)
    if until is not None:
        raise RecoveryError(f"错误次数过多，请 {throttle.minutes_left(until)} 分钟后再试",
                            "_form", 429, "recovery_locked")
    account = _matching_account(name.strip(), id_number, certificate_number)
    if account is None:
        failure = throttle.fail(PERSONAL, id_number)
        db.session.commit()
        if failure.locked_until is not None:
            raise RecoveryError(f"{WRONG_PERSONAL}。错误次数过多，请 "
                                f"{throttle.minutes_left(failure.locked_until)} 分钟后再试",
                                "_form", 429, "recovery_locked")
        raise RecoveryError(f"{WRONG_PERSONAL}（还可尝试 {failure.left} 次）", "_form")
    throttle.clear(PERSONAL, id_number)
    return account


def reset_password(account: Account, new_password: str, confirm: str | None = None) -> None:
    """Set the new password; every session of the account ends. The caller commits."""
    if problem := new_password_problem(account, new_password or ""):
        raise RecoveryError(problem, "password")
    if confirm is not None and confirm != new_password:
        raise RecoveryError("两次输入的密码不一致", "confirm")
    store_password(account, new_password)
    account.must_change_password = False
    account.failed_logins, account.locked_until = 0, None
    account.session_epoch += 1
