"""The national registry's acknowledgement (``national_ack``) in tests: an API client of the
national registry created by the platform administrator, and the callback it sends after a
registration (I2) or a physician registration (P1) was approved."""
from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

ApiClient = Any  # the conftest client: get/post with a bearer token
_keys = itertools.count(1)


def national_registry(client) -> Any:
    """A new API client bound to the Beijing municipal commission with ``messages:send``."""
    from conftest import _DEMO_LOGINS
    from conftest import ApiClient as Bearer

    from service.core.extensions import db
    from service.registry.reference import Administration

    with client.application.app_context():
        beijing = db.session.scalar(select(Administration.id).where(
            Administration.division_code == "110000"))
    admin = Bearer(client, _DEMO_LOGINS.tokens["admin"], "admin")
    response = admin.post("/api/v1/clients", json={
        "name": "全国医疗机构注册系统", "organisation_id": beijing,
        "scopes": ["messages:send", "cases:read"]})
    assert response.status_code == 201, response.get_json()
    return Bearer(client, response.get_json()["token"], response.get_json()["username"])


def registration_number(client, case_id: int) -> str:
    """The number the acknowledgement names: the institution's 登记号 (I2) or the
    physician's 执业证书编码 (P1)."""
    from service.core.extensions import db
    from service.engine.models import Case
    from service.institutions.models import Institution
    from service.physicians.models import Physician

    with client.application.app_context():
        case = db.session.get(Case, case_id)
        if case.process_id == "institution_registration":
            return db.session.get(Institution, case.subject_institution_id).registration_number
        return db.session.get(Physician, case.subject_physician_id).certificate_number


def acknowledge(national: ApiClient, number: str, status: int = 200, key: str | None = None,
                payload: dict | None = None) -> dict:
    response = national.post("/api/v1/messages/national_ack", json={
        "correlation": {"registration_number": number},
        "payload": payload or {"ack_id": f"NR-{next(_keys)}"}},
        headers={"Idempotency-Key": key} if key else None)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def acknowledged(reader: ApiClient, case: dict) -> dict:
    """After an approval: the national registry acknowledges, and the case as it then stands
    (unchanged when the case does not wait for it)."""
    if case.get("status") != "open" or case.get("open_work_items"):
        return case
    national = national_registry(reader.client)
    acknowledge(national, registration_number(reader.client, case["id"]))
    response = reader.get(f"/api/v1/cases/{case['id']}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()
