"""Helpers for the nurse journeys (accounts, N1–N4) through the REST API: demo nurses of
``seed/demo/nurse_qualifications.csv``, sign-up with codes read from the outbox."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from physician_accounts_flow import PASSWORD, outbox_code
from sqlalchemy import select


@dataclass(frozen=True)
class ExamRecord:
    name: str
    id_number: str


# u_bj1: passed the exam in 2025, never signed up
FRESH = ExamRecord("孙雨桐", "110105199906083222")
# nurse.new: passed the exam in 2026, account not activated, not registered
NEW = ExamRecord("周晓彤", "110105200003152149")
# nurse.demo: registered at inst.chaoyang1
DEMO = ExamRecord("李薇", "11010519921105170X")


def nurse_signup(client, database, person: ExamRecord, username: str,
                 phone: str = "13900002222", email: str = "nurse@example.cn",
                 status: int = 201, **changes) -> dict:
    """Sign up over REST (codes read from the outbox); the answer's JSON."""
    for channel, address in (("sms", phone), ("email", email)):
        sent = client.post("/api/v1/nurses/signup/codes", json={
            "name": person.name, "id_number": person.id_number, "channel": channel,
            "address": address})
        assert sent.status_code == 202, sent.get_json()
    body = {"name": person.name, "id_number": person.id_number, "phone": phone,
            "phone_code": outbox_code(database, phone), "email": email,
            "email_code": outbox_code(database, email), "username": username,
            "password": PASSWORD, **changes}
    response = client.post("/api/v1/nurses/signup", json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def nurse_of(database: Any, username: str):
    """The nurse record behind an account (with its registrations loaded)."""
    from service.access.models import Account
    from service.nurses.models import Nurse

    with database.session() as s:
        account = s.scalars(select(Account).where(Account.username == username)).one()
        nurse = s.get(Nurse, account.nurse_id)
        regs = [(r.institution_id, r.status, r.certificate_number, r.valid_from, r.valid_to)
                for r in nurse.registrations]
        return {"id": nurse.id, "status": nurse.status, "institution_id": nurse.institution_id,
                "certificate_number": nurse.certificate_number, "valid_until": nurse.valid_until,
                "activated": account.activated_at is not None, "registrations": regs}
