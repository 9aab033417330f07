"""Outbound webhooks: subscriptions, the outbox written in the step's transaction, signed
delivery to a real receiver on 127.0.0.1 retried with backoff, the delivery log and replay."""
from __future__ import annotations

import pytest
from conftest import run_worker
from registration_flow import Registration
from sqlalchemy import select
from webhook_receiver import Receiver

SECRET = "s3cret-for-the-test-receiver-0001"


@pytest.fixture
def hooks(app):
    """Loopback receivers allowed (as in the embedded default) and a short backoff; the
    in-memory queues emptied of what earlier (rolled back) tests left."""

    saved = {k: app.config[k] for k in ("WEBHOOK_ALLOW_LOOPBACK", "WEBHOOK_RETRY_SECONDS",
                                        "WEBHOOK_MAX_ATTEMPTS")}
    app.config.update(WEBHOOK_ALLOW_LOOPBACK=True, WEBHOOK_RETRY_SECONDS=0.2, WEBHOOK_MAX_ATTEMPTS=3)
    yield app
    app.config.update(saved)


def _subscribe(api, url: str, events: list[str], **extra) -> dict:
    response = api("admin").post("/api/v1/webhooks", json={"url": url, "events": events,
                                                           "secret": SECRET, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()



def _deliveries(database, event: str | None = None):
    from service.integration.models import WebhookDelivery

    stmt = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event:
        stmt = stmt.where(WebhookDelivery.event == event)
    return database.scalars(stmt)


def test_a_receiver_that_fails_twice_gets_one_signed_delivery_accepted(hooks, api, database):
    from service.integration.models import WebhookAttempt

    with Receiver(SECRET, [500, 503, 200]) as receiver:
        sub = _subscribe(api, receiver.url, ["case.started"])
        flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
        case = flow.start()
        run_worker("webhooks")
    assert receiver.bad_signatures == 0
    assert [r["status"] for r in receiver.requests] == [500, 503, 200]
    assert len({r["delivery"] for r in receiver.requests}) == 1  # the same id on every retry
    accepted = receiver.accepted[0]
    assert accepted["event"] == "case.started" and accepted["body"]["event"] == "case.started"
    assert accepted["body"]["data"]["case_id"] == case["id"]
    assert set(accepted["body"]) == {"id", "event", "at", "data"}
    # backoff: the second retry waited longer than the first
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    assert gaps[0] >= 0.15 and gaps[1] >= gaps[0]
    delivery, = _deliveries(database, "case.started")
    assert delivery.status == "delivered" and delivery.attempts == 3
    attempts = database.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
                                .order_by(WebhookAttempt.attempt))
    assert [a.status_code for a in attempts] == [500, 503, 200]
    assert sum(1 for a in attempts if a.error is None) == 1  # exactly one accepted delivery
    log = api("admin").get(f"/api/v1/webhooks/{sub['id']}/deliveries").get_json()["items"]
    assert log[0]["status"] == "delivered" and log[0]["attempt"] == 3
    assert [a["status_code"] for a in log[0]["attempts"]] == [500, 503, 200]


def test_a_failed_delivery_is_replayed_from_the_log(hooks, api, database):
    with Receiver(SECRET, [500, 500, 500, 200]) as receiver:
        sub = _subscribe(api, receiver.url, ["case.started"])
        Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw")).start()
        run_worker("webhooks")
        delivery, = _deliveries(database)
        assert delivery.status == "failed" and not receiver.accepted
        admin = api("admin")
        other = admin.post(f"/api/v1/webhooks/{sub['id']}/deliveries/{delivery.id}/replay")
        assert other.status_code == 202, other.get_json()
        run_worker("webhooks")
    assert receiver.accepted[0]["delivery"] == str(delivery.id)
    assert _deliveries(database)[0].status == "delivered"
    again = api("admin").post(f"/api/v1/webhooks/{sub['id']}/deliveries/{delivery.id}/replay")
    assert again.status_code == 409  # only failed deliveries are replayed


def test_every_registration_is_in_the_outbox_of_its_step(hooks, api, database):
    _subscribe(api, "http://127.0.0.1:9/hook", ["institution.registered", "case.completed"])
    flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    case = flow.through()
    assert case["status"] == "completed"
    registered, = _deliveries(database, "institution.registered")
    import json

    body = json.loads(registered.body)
    assert body["data"]["registration_number"] and body["data"]["institution_id"] == case["subject"]["institution_id"]
    completed, = _deliveries(database, "case.completed")
    assert json.loads(completed.body)["data"]["outcome"] == "approved"


def test_a_refused_step_writes_nothing_to_the_outbox(hooks, api, database):
    _subscribe(api, "http://127.0.0.1:9/hook", ["case.started"])
    flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    flow.start(division_code="999999", status=422)
    assert _deliveries(database) == []


def test_a_division_subscription_gets_only_its_divisions_events(hooks, api, database):
    _subscribe(api, "http://127.0.0.1:9/a", ["case.started"], division_code="500105")
    Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw")).start()
    assert _deliveries(database) == []


@pytest.mark.parametrize("url", ["ftp://example.cn/x", "http://10.0.0.8/hook", "http://169.254.169.254/"])
def test_webhook_urls_into_the_services_own_network_are_refused(api, url):
    response = api("admin").post("/api/v1/webhooks", json={"url": url, "events": ["case.started"]})
    assert response.status_code == 422 and "url" in response.get_json()["error"]["fields"]


def test_loopback_is_refused_outside_the_embedded_default(app, api):
    assert app.config["WEBHOOK_ALLOW_LOOPBACK"] is bool(app.config["EMBEDDED"])
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    try:
        response = api("admin").post("/api/v1/webhooks", json={
            "url": "http://127.0.0.1:8080/hook", "events": ["case.started"]})
    finally:
        app.config["WEBHOOK_ALLOW_LOOPBACK"] = bool(app.config["EMBEDDED"])
    assert response.status_code == 422


def test_unknown_events_are_refused(api):
    response = api("admin").post("/api/v1/webhooks", json={
        "url": "https://example.cn/hook", "events": ["case.exploded"]})
    assert response.status_code == 422


def test_a_generated_secret_is_shown_once(hooks, api):
    response = api("admin").post("/api/v1/webhooks", json={
        "url": "http://127.0.0.1:9/hook", "events": ["case.started"]})
    assert response.status_code == 201 and len(response.get_json()["secret"]) >= 32
    listed = api("admin").get("/api/v1/webhooks").get_json()["items"]
    assert all("secret" not in s for s in listed)


def test_a_change_of_a_registered_institution_is_reported_with_what_changed(hooks, api, database, demo):
    import json

    from service.institutions.face import Institution
    from service.registry.versioning import change_context

    _subscribe(api, "http://127.0.0.1:9/hook", ["institution.changed", "institution.registered"])
    with database.session() as s, change_context(None, "数据维护"):
        inst = s.get(Institution, demo.institution["inst.chaoyang1"])
        inst.phone = "010-65550000"
        s.commit()
    changed, = _deliveries(database, "institution.changed")
    data = json.loads(changed.body)["data"]
    assert data["institution_id"] == demo.institution["inst.chaoyang1"] and "phone" in data["changed"]
    assert _deliveries(database, "institution.registered") == []
