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


def upload(caller, name: str = "体检证明.pdf") -> int:
    """A real PDF uploaded by ``caller``; its document id."""
    import io

    from test_documents import make_pdf

    response = caller.post("/api/v1/documents", data={
        "file": (io.BytesIO(make_pdf(1, name)), name, "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def application(caller, **changes) -> dict:
    """A complete N1 application form (with an uploaded health certificate)."""
    return {"department": "内科", "title": "护士", "pledge": True,
            "health_certificate": [upload(caller)], **changes}


def exam_on(database, id_number: str, exam_date) -> None:
    """Move a demo exam record's date (the three-year rule reads it)."""
    from service.nurses.models import NurseQualification

    with database.session() as s:
        q = s.scalars(select(NurseQualification).where(
            NurseQualification.id_number == id_number)).one()
        q.exam_date = exam_date
        s.commit()


def registration_ends(database, username: str, valid_to) -> None:
    """Move the end of a nurse's current registration (the renewal windows read it)."""
    from service.access.models import Account
    from service.nurses.models import Nurse

    with database.session() as s:
        account = s.scalars(select(Account).where(Account.username == username)).one()
        nurse = s.get(Nurse, account.nurse_id)
        reg = next(r for r in nurse.registrations if r.status in ("active", "expired"))
        reg.valid_to = nurse.valid_until = valid_to
        s.commit()


def inbox(database, username: str, subject: str) -> list[str]:
    """The bodies of the in-app notices an account received under ``subject``."""
    from service.access.models import Account
    from service.notify.models import Notification

    return [n.body for n in database.scalars(
        select(Notification).join(Account, Account.id == Notification.account_id)
        .where(Account.username == username, Notification.channel == "inbox",
               Notification.subject == subject).order_by(Notification.id))]
