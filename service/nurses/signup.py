"""A nurse signs up for an account herself, as a physician does (``service.persons.signup``):
her name and resident ID are checked against the nurse exam records; the account is created
not yet activated (her first registration activates it, or her institution's code)."""
from __future__ import annotations

from functools import partial

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.nurses.models import Nurse, NurseQualification
from service.persons import signup as persons

NOT_FOUND = ("未查询到您的护士执业资格考试成绩，请核对姓名和身份证号；"
             "如仍有问题请联系考试所在地卫生健康行政部门")
NAME_MISMATCH = ("您填写的姓名与护士执业资格考试成绩中的姓名不一致，请按准考证上的姓名填写；"
                 "如考试信息有误，请联系考试所在地卫生健康行政部门")
ACCOUNT_EXISTS = "该身份证号已注册护士账户，请直接登录；如忘记用户名或密码，请使用“找回密码”"


def _new_nurse(q: NurseQualification, contacts: persons.CheckedContacts) -> Nurse:
    return Nurse(name=q.name, gender=q.gender, birth_date=q.birth_date, id_number=q.id_number,
                 status="unregistered", qualification=q, phone=contacts.phone,
                 email=contacts.email)


SIGNUP = persons.SignupKind(
    "nurse", NurseQualification, persons.RecordWords(NOT_FOUND, NAME_MISMATCH), ACCOUNT_EXISTS,
    lambda q: db.session.scalars(select(Nurse).where(Nurse.id_number == q.id_number)).first(),
    _new_nurse, lambda nurse: nurse.status == "active", "护士注册账户")


# step 1 (the exam record of a name and resident ID) and step 2 (the nurse, if new, and her
# account, not yet activated; the caller commits), on the shared sign-up
check_identity = partial(persons.check_identity, SIGNUP)
create_account = partial(persons.create_account, SIGNUP)


def summary(account: Account) -> dict:
    """The new account as the last sign-up screen shows it: masked, and how she activates it."""
    nurse = account.nurse
    registered = nurse is not None and nurse.status == "active"
    return persons.masked_summary(
        account, registered, "registration",
        nurse.institution.name if registered and nurse.institution else None)
