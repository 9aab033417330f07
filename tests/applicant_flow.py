"""Helpers for applicant accounts (prospective institutions): sign-up over REST with the
codes read from the outbox."""
from __future__ import annotations

import itertools

from physician_accounts_flow import outbox_code

PASSWORD = "Shenqing2026a"
serial = itertools.count(1)


def person() -> tuple[str, str, str, str]:
    """(name, resident ID, phone, e-mail) of a new applicant."""
    from stdnum.cn import ric
    n = next(serial)
    base = f"11010519850301{n:03d}"
    return "孙立群", base + ric.calc_check_digit(base + "0"), f"1390000{n:04d}", f"sun{n}@example.cn"


def sign_up(client, database, username: str) -> dict:
    name, id_number, phone, email = person()
    for channel, address in (("sms", phone), ("email", email)):
        sent = client.post("/api/v1/applicants/codes", json={
            "name": name, "id_number": id_number, "channel": channel, "address": address})
        assert sent.status_code == 202, sent.get_json()
    body = {"name": name, "id_number": id_number, "phone": phone,
            "phone_code": outbox_code(database, phone), "email": email,
            "email_code": outbox_code(database, email), "username": username,
            "password": PASSWORD}
    created = client.post("/api/v1/applicants", json=body)
    assert created.status_code == 201, created.get_json()
    return created.get_json()
