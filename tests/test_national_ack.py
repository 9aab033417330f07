"""Inbound callbacks: registration (I2) and physician registration (P1) wait for the national
registry's acknowledgement (BPMN message ``national_ack``) after approval, correlated by the
registration number, with idempotency keys; unknown correlations are 404; the message is a
case event; the embedded default's simulator acknowledges by itself."""
from __future__ import annotations

import json

import pytest
from conftest import run_worker
from national_flow import acknowledge, national_registry, registration_number
from physician_flow import PhysicianCase
from registration_flow import Registration
from sqlalchemy import select
from verification_flow import complete


def _approved_waiting(api) -> tuple[Registration, dict]:
    """An I2 case approved by the approver, before the national registry answered."""
    flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    flow.start()
    flow.enter()
    flow.accept()
    flow.review()
    case = complete(flow.approver, flow.item(flow.approver)["id"], {"decision": "approve"}, 200)
    return flow, case


def test_the_e_licence_is_released_only_after_the_national_acknowledgement(api, database):
    from service.engine.models import CaseEvent
    from service.institutions.licences import Licence

    flow, case = _approved_waiting(api)
    assert case["status"] == "open" and case["open_work_items"] == []
    institution_id = case["subject"]["institution_id"]
    assert institution_id  # registered: the record exists, the licence waits
    assert database.scalars(select(Licence).where(Licence.institution_id == institution_id)) == []
    pdf = flow.approver.get(f"/api/v1/institutions/{institution_id}/licence.pdf")
    assert pdf.status_code == 404

    national = national_registry(api("admin").client)
    number = registration_number(api("admin").client, case["id"])
    answer = acknowledge(national, number, key="ack-1", payload={"ack_id": "NR-2026-0001"})
    assert answer["status"] == "completed" and answer["outcome"] == "approved"
    licence, = database.scalars(select(Licence).where(Licence.institution_id == institution_id))
    assert licence.status == "valid" and licence.case_id == case["id"]
    event = database.scalars(select(CaseEvent).where(CaseEvent.case_id == case["id"])
                             .order_by(CaseEvent.seq.desc()))[0]
    assert event.type == "message_received" and event.data["name"] == "national_ack"
    assert event.data["payload"] == {"ack_id": "NR-2026-0001"}
    assert flow.approver.post(f"/api/v1/cases/{case['id']}/replay").get_json()["ok"] is True


def test_the_same_key_and_body_answer_the_first_answer_and_another_body_is_409(api):
    _, case = _approved_waiting(api)
    national = national_registry(api("admin").client)
    number = registration_number(api("admin").client, case["id"])
    first = acknowledge(national, number, key="ack-key-7", payload={"ack_id": "A"})
    again = national.post("/api/v1/messages/national_ack", json={
        "correlation": {"registration_number": number}, "payload": {"ack_id": "A"}},
        headers={"Idempotency-Key": "ack-key-7"})
    assert again.status_code == 200 and again.get_json() == first
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = national.post("/api/v1/messages/national_ack", json={
        "correlation": {"registration_number": number}, "payload": {"ack_id": "B"}},
        headers={"Idempotency-Key": "ack-key-7"})
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    # without the key, a second acknowledgement finds nothing waiting any more
    acknowledge(national, number, status=404)


def test_unknown_correlations_are_404(api):
    national = national_registry(api("admin").client)
    body = acknowledge(national, "PDY99999911010512A1999", status=404)
    assert body["error"]["code"] == "unknown_correlation"
    response = national.post("/api/v1/messages/national_ack", json={
        "correlation": {"licence": "x"}, "payload": {}})
    assert response.status_code == 422  # no such correlation key


def test_a_client_outside_the_jurisdiction_cannot_acknowledge(api):
    from conftest import ApiClient

    from service.core.extensions import db
    from service.registry.reference import Administration

    _, case = _approved_waiting(api)
    admin = api("admin")
    with admin.client.application.app_context():
        chongqing = db.session.scalar(select(Administration.id).where(
            Administration.division_code == "500105"))
    created = admin.post("/api/v1/clients", json={
        "name": "重庆系统", "organisation_id": chongqing, "scopes": ["messages:send"]}).get_json()
    outsider = ApiClient(admin.client, created["token"])
    acknowledge(outsider, registration_number(admin.client, case["id"]), status=404)


def test_a_physician_registration_waits_for_the_acknowledgement_too(app, api, demo, database):
    from service.integration.models import WebhookDelivery

    app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    try:
        subscribed = api("admin").post("/api/v1/webhooks", json={
            "url": "http://127.0.0.1:9/hook", "events": ["physician.registered"]})
    finally:
        app.config["WEBHOOK_ALLOW_LOOPBACK"] = bool(app.config["EMBEDDED"])
    assert subscribed.status_code == 201
    flow = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(category="1", scope="101", pledge=True, department="内科")
    flow.confirm()
    item = flow.approval_item()
    case = complete(flow.authority, item["id"], {"decision": "approve", "comment": ""}, 200)
    assert case["status"] == "open" and case["open_work_items"] == []
    number = registration_number(api("admin").client, case["id"])
    assert number  # the lifelong 执业证书编码 correlates
    delivery, = database.scalars(select(WebhookDelivery).where(
        WebhookDelivery.event == "physician.registered"))
    assert json.loads(delivery.body)["data"]["certificate_number"] == number
    answer = acknowledge(national_registry(api("admin").client), number)
    assert answer["status"] == "completed" and answer["outcome"] == "approved"
    assert flow.replay()["ok"] is True


@pytest.fixture
def simulator(app):
    """The simulator on."""
    app.config.update(NATIONAL_REGISTRY_SIMULATOR=True, NATIONAL_REGISTRY_SIMULATOR_DELAY_MS=100)
    yield
    app.config.update(NATIONAL_REGISTRY_SIMULATOR=False, NATIONAL_REGISTRY_SIMULATOR_DELAY_MS=1500)


def test_the_embedded_simulator_acknowledges_a_registration(simulator, api, database):
    from service.access.models import Account
    from service.engine.models import Case, CaseEvent

    _, case = _approved_waiting(api)
    run_worker("webhooks")  # the simulator's delayed message; the database is read after
    assert database.scalar(select(Case.status).where(Case.id == case["id"])) == "completed"
    event = database.scalars(select(CaseEvent).where(CaseEvent.case_id == case["id"])
                             .order_by(CaseEvent.seq.desc()))[0]
    actor = database.scalar(select(Account.username).where(Account.id == event.actor_id))
    assert event.type == "message_received" and actor == "national.registry"
    assert event.data["payload"]["simulated"] is True
