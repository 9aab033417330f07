"""P0: a physician signs up for an account herself (seed 003 ch.2 §1.2).

The physician's wording and records over the shared sign-up (``service.persons.signup``):
step 1 checks her name and resident ID against the physician qualification records; step 2
creates the physician (if new) and her account, not yet activated. Both doors (pages and REST)
call these functions.
"""
from __future__ import annotations

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.persons import signup as persons
from service.persons.signup import (  # noqa: F401  (the physician doors import them from here)
    USERNAME_RULE,
    Identity,
    SignupError,
    SignupRequest,
    mask_email,
    mask_middle,
)
from service.physicians.models import Physician, PracticeRegistration, Qualification

NOT_FOUND = "未查询到您的医师资格信息，请核对姓名和身份证号；如仍有问题请联系资格证书发证机关"
NAME_MISMATCH = ("您填写的姓名与医师资格信息中的姓名不一致，请按医师资格证书上的姓名填写；"
                 "如资格信息有误，请联系资格证书发证机关")
ACCOUNT_EXISTS = "该身份证号已注册医师账户，请直接登录；如忘记用户名或密码，请使用“找回密码”"


def _new_physician(q: Qualification, contacts: persons.CheckedContacts) -> Physician:
    return Physician(qualification=q, name=q.name, id_number=q.id_number, gender=q.gender,
                     birth_date=q.birth_date, education=q.education, school=q.school,
                     phone=contacts.phone, email=contacts.email)


SIGNUP = persons.SignupKind(
    "physician", Qualification, persons.RecordWords(NOT_FOUND, NAME_MISMATCH), ACCOUNT_EXISTS,
    lambda q: db.session.scalars(select(Physician).where(
        Physician.qualification_id == q.id)).first(),
    _new_physician, lambda physician: has_valid_registration(physician), "医师注册账户")


def check_identity(name: str | None, id_number: str | None, *, lock: bool = False) -> Identity:
    """Step 1: the qualification of this name and resident ID; SignupError explains a refusal."""
    return persons.check_identity(SIGNUP, name, id_number, lock=lock)


def send_code(identity: Identity, channel: str, address: str | None) -> None:
    """Send a sign-up code to the phone (``sms``) or e-mail of a checked identity."""
    persons.send_code(channel, address)


def create_account(req: SignupRequest) -> Account:
    """Step 2: create the physician (if new) and her account, not yet activated; the caller
    commits."""
    return persons.create_account(SIGNUP, req)


def summary(account: Account) -> dict:
    """The new account as the sign-up's last screen shows it (seed 003)."""
    physician = account.physician
    main = main_registration(physician) if physician else None
    registered = physician is not None and has_valid_registration(physician)
    return persons.masked_summary(account, registered, "certificate",
                                  main.institution.name if main is not None else None)


def has_valid_registration(physician: Physician) -> bool:
    """Whether she holds a valid practice registration (then she activates with her
    institution's code, not her certificate number)."""
    return any(r.status == "active" for r in physician.registrations)


def main_registration(physician: Physician) -> PracticeRegistration | None:
    """Her valid main registration (主要执业机构), if any."""
    return next((r for r in physician.registrations
                 if r.kind == "main" and r.status == "active"), None)
