"""A physician or nurse activates her account (seed 003 ch.2 §1.3 and ch.4; issue 13 item 1).

With a valid registration she enters the activation code her institution generated (P11);
without one (never registered, filed, cancelled, changed out) she enters her qualification's
number (医师资格证书编码 / 护士执业资格考试合格证明编号). Either way five wrong entries lock
activation for a while. Activation on the approval of a registration or change is the process
actions' business. What differs per kind comes from :mod:`service.persons.accounts`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select

from service.access import throttle
from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.persons.accounts import AccountKind, kind_of
from service.persons.activation_codes import normalise_code, redeemable
from service.persons.models import ActivationCode
from service.registry.validation import certificate_matches, normalise_certificate

PURPOSE = "activation"


class ActivationError(Exception):
    """Why activation was refused, in Chinese, for the named field."""

    def __init__(self, message: str, field: str = "code", status: int = 422,
                 code: str = "activation_refused") -> None:
        super().__init__(message)
        self.message, self.field, self.status, self.code = message, field, status, code


@dataclass
class ActivationState:
    """What the activation page shows: how she activates, and where she gets the code."""

    activated: bool
    method: str  # "code" (from her institution) or "certificate" (her qualification)
    institution: Any
    locked_minutes: int | None
    certificate_words: str = ""


def _person(account: Account) -> tuple[AccountKind, Any]:
    spec = kind_of(account.kind)
    person = getattr(account, spec.column.removesuffix("_id")) if spec else None
    if spec is None or person is None:
        raise ActivationError("只有医师、护士账户需要激活", status=403, code="forbidden")
    return spec, person


def state(account: Account) -> ActivationState:
    spec, person = _person(account)
    until = throttle.locked_until(PURPOSE, str(account.id))
    return ActivationState(
        activated=account.activated_at is not None,
        method="code" if spec.registered(person) else "certificate",
        institution=spec.institution_of(person),
        locked_minutes=throttle.minutes_left(until) if until else None,
        certificate_words=spec.certificate_words,
    )


def _precheck(account: Account) -> tuple[AccountKind, Any]:
    found = _person(account)
    if account.activated_at is not None:
        raise ActivationError("您的账户已激活，无需重复激活", status=409, code="already_activated")
    until = throttle.locked_until(PURPOSE, str(account.id))
    if until is not None:
        raise ActivationError(
            f"激活信息连续输入错误次数过多，请 {throttle.minutes_left(until)} 分钟后再试",
            status=429, code="activation_locked")
    return found


def _refuse(account: Account, message: str, field: str) -> ActivationError:
    """Count the failure (committed now: it must outlive the refusal) and build the error."""
    failure = throttle.fail(PURPOSE, str(account.id))
    db.session.commit()
    if failure.locked_until is not None:
        return ActivationError(
            f"{message}。连续输入错误次数过多，请 {throttle.minutes_left(failure.locked_until)} "
            "分钟后再试", field=field, status=429, code="activation_locked")
    return ActivationError(f"{message}，还可尝试 {failure.left} 次", field=field)


def _activate(account: Account) -> None:
    account.activated_at = utcnow()
    throttle.clear(PURPOSE, str(account.id))


def by_code(account: Account, code: str | None) -> None:
    """Activate with the code her institution generated; the caller commits."""
    spec, person = _precheck(account)
    entered = normalise_code(code or "")[:16]
    if not entered:
        raise ActivationError("请输入账户激活码")
    row = redeemable(spec, entered, person.id)
    if row is None:
        voided = db.session.scalar(select(exists().where(
            getattr(ActivationCode, spec.column) == person.id, ActivationCode.code == entered,
            ActivationCode.status == "revoked")))
        if voided:  # her own code, replaced by a newer one: not a guess, no failure counted
            raise ActivationError("该激活码已作废，请使用医疗机构最近发送给您的激活码")
        raise _refuse(account, "激活码不正确，请核对医疗机构发送给您的激活码", "code")
    row.status, row.used_at, row.used_by_id = "used", utcnow(), account.id
    _activate(account)


def by_certificate(account: Account, certificate_number: str | None) -> None:
    """Activate with her qualification's number (only without a valid registration); the
    caller commits."""
    spec, person = _precheck(account)
    words = spec.certificate_words
    if spec.registered(person):
        inst = spec.institution_of(person)
        where = f"（{inst.name}）" if inst else ""
        raise ActivationError(
            f"您有有效的执业注册，请向执业所在医疗机构{where}申领账户激活码激活账户",
            field="certificate_number", status=409, code="registered")
    if not normalise_certificate(certificate_number):
        raise ActivationError(f"请输入{words}", field="certificate_number")
    if not certificate_matches(certificate_number, spec.qualification_number(person)):
        raise _refuse(account, f"{words}不正确，请按证书填写", "certificate_number")
    _activate(account)
