"""Helpers for the physician's account journeys (P0): demo persons, codes read from the
outbox, sign-up over REST and on the pages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.access.models import Account, VerificationCode
from service.notify.models import Notification
from service.physicians.models import Physician
from service.registry.versioning import RecordVersion

_CODE = re.compile(r"验证码为 (\d{6})")
PASSWORD = "Kaiming2024x"


@dataclass(frozen=True)
class Person:
    """A qualified person of the demo data (seed/demo/qualifications.csv)."""

    name: str
    id_number: str
    certificate_number: str


# u_bj1: qualified, never registered, no account
UNREGISTERED = Person("张俊豪", "110105199406166734", "202213110110105199406161156")
# p_cy1_nk: main registration at inst.chaoyang1, no account yet
REGISTERED = Person("邹磊", "110105197610275031", "200111110110105197610278088")
# doctor.demo: registered at inst.chaoyang1, account activated
DEMO = Person("陈思远", "110105198504178996", "201111110110105198504178976")
# doctor.new: qualified, not registered, account not activated
NEW = Person("刘雨欣", "110105199706082882", "202411110110108199706084254")


def outbox_code(database: Any, address: str) -> str:
    """The code in the newest message queued to ``address`` (SMS or e-mail)."""
    message = database.scalar(select(Notification).where(Notification.address == address)
                              .order_by(Notification.id.desc()).limit(1))
    assert message is not None, f"nothing was sent to {address}"
    found = _CODE.search(message.body)
    assert found, message.body
    return found.group(1)


def counts(database: Any) -> dict[str, int]:
    """Rows that a refused sign-up must not add."""
    return {model.__name__: database.scalar(select(func.count()).select_from(model))
            for model in (Account, Physician, RecordVersion, Notification, VerificationCode)}


def send_codes(client: FlaskClient, person: Person, phone: str, email: str) -> None:
    for channel, address in (("sms", phone), ("email", email)):
        response = client.post("/api/v1/signup/codes", json={
            "name": person.name, "id_number": person.id_number, "channel": channel,
            "address": address})
        assert response.status_code == 202, response.get_json()


def signup_body(database: Any, person: Person, username: str, phone: str, email: str,
                changes: dict | None = None) -> dict:
    body = {"name": person.name, "id_number": person.id_number, "phone": phone,
            "phone_code": outbox_code(database, phone), "email": email,
            "email_code": outbox_code(database, email), "username": username,
            "password": PASSWORD}
    body.update(changes or {})
    return body


def api_signup(client: FlaskClient, database: Any, person: Person, username: str,
               phone: str = "13900001111", email: str = "signup@example.cn") -> dict:
    """Sign up over REST (codes read from the outbox); the 201 answer."""
    send_codes(client, person, phone, email)
    response = client.post("/api/v1/signup",
                           json=signup_body(database, person, username, phone, email))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def account_of(database: Any, username: str) -> Account:
    account = database.scalar(select(Account).where(Account.username == username))
    assert account is not None, username
    return account
