"""Scopes on every REST route: a declared scope per route (the URL map is walked), API client
tokens limited to the scopes they were granted, auditors' logins read-only."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from national_flow import national_registry


def _api_rules(app: Flask):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]


def test_every_api_route_declares_its_scope(app: Flask) -> None:
    from service.api.v1.scopes import ROUTE_SCOPES

    endpoints = {r.endpoint for r in _api_rules(app)}
    assert "api_v1.cases" in endpoints  # the walk sees the routes
    missing = sorted(endpoints - set(ROUTE_SCOPES))
    assert not missing, f"routes without a declared scope in service/api/v1/scopes.py: {missing}"
    assert not set(ROUTE_SCOPES) - endpoints, "scopes declared for routes that do not exist"


def test_a_route_without_a_declared_scope_is_refused_to_clients() -> None:
    from service.api.v1.scopes import allowed

    assert not allowed("api_v1.undeclared", ["cases:read", "cases:write"], client=True, auditor=False)
    assert not allowed("api_v1.undeclared", [], client=False, auditor=True)


def _url(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "x" if m.group(1) in ("name", "code", "category") else "1", rule.rule)


def _client_with(api, scopes: list[str]):
    from conftest import ApiClient

    admin = api("admin")
    beijing = admin.get("/api/v1/me").get_json()  # any live call proves the admin token works
    assert beijing["username"] == "admin"
    from service.core.extensions import db
    from service.registry.reference import Administration

    with admin.client.application.app_context():
        org = db.session.scalar(db.select(Administration.id).where(Administration.division_code == "110105"))
    response = admin.post("/api/v1/clients", json={"name": "测试系统", "organisation_id": org,
                                                   "scopes": scopes})
    assert response.status_code == 201, response.get_json()
    return ApiClient(admin.client, response.get_json()["token"]), response.get_json()


def test_every_scoped_route_refuses_a_client_token_without_its_scope(app: Flask, api) -> None:
    from service.api.v1.scopes import GRANTABLE, PUBLIC, ROUTE_SCOPES, SELF

    tokens = {}
    checked = 0
    for rule in _api_rules(app):
        need = ROUTE_SCOPES[rule.endpoint]
        if need in (PUBLIC, SELF):
            continue
        # a client holding every grantable scope but the one the route needs
        others = sorted(set(GRANTABLE) - {need})
        key = tuple(others)
        if key not in tokens:
            tokens[key] = _client_with(api, others)[0]
        client = tokens[key]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.client.open(_url(rule), method=method, json={},
                                          headers={"Authorization": f"Bearer {client.token}"})
            assert response.status_code == 403, (rule.rule, method, response.status_code)
            assert response.get_json()["error"]["code"] == "insufficient_scope", (rule.rule, method)
            checked += 1
    assert checked > 60


def test_a_client_reads_with_cases_read_but_may_not_start_a_case(api) -> None:
    client, _ = _client_with(api, ["cases:read"])
    assert client.get("/api/v1/cases").status_code == 200
    response = client.post("/api/v1/cases", json={"process": "institution_registration",
                                                  "subject": {"division_code": "110105"}})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "insufficient_scope"
    assert client.get("/api/v1/me").get_json()["organisation"]["division_code"] == "110105"


def test_a_clients_reads_stay_in_its_organisations_jurisdiction(api, demo) -> None:
    client, _ = _client_with(api, ["registry:read"])
    assert client.get(f"/api/v1/institutions/{demo.institution['inst.chaoyang1']}").status_code == 200
    assert client.get(f"/api/v1/institutions/{demo.institution['inst.jiangbei1']}").status_code == 404


@pytest.mark.parametrize("path,body", [
    ("/api/v1/cases", {"process": "institution_registration", "subject": {"division_code": "110105"}}),
    ("/api/v1/documents", None),
    ("/api/v1/messages/national_ack", {"correlation": {"registration_number": "x"}}),
    ("/api/v1/accounts", {}),
    ("/api/v1/webhooks", {}),
])
def test_an_auditors_login_is_read_only(api, path, body) -> None:
    auditor = api("auditor")
    response = auditor.post(path, json=body if body is not None else {})
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "insufficient_scope"
    assert auditor.get("/api/v1/cases").status_code == 200


def test_clients_are_created_listed_revoked_and_show_their_last_use(api) -> None:
    client, created = _client_with(api, ["cases:read"])
    admin = api("admin")
    listed = {c["id"]: c for c in admin.get("/api/v1/clients").get_json()["items"]}
    assert listed[created["id"]]["scopes"] == ["cases:read"]
    assert "token" not in listed[created["id"]]  # shown once, at creation
    assert client.get("/api/v1/cases").status_code == 200
    listed = {c["id"]: c for c in admin.get("/api/v1/clients").get_json()["items"]}
    assert listed[created["id"]]["last_used_at"] is not None
    revoked = admin.post(f"/api/v1/clients/{created['id']}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    response = client.get("/api/v1/cases")
    assert response.status_code == 401


def test_only_the_platform_administrator_manages_clients(api) -> None:
    response = api("bj.wjw").post("/api/v1/clients", json={
        "name": "x", "organisation_id": 1, "scopes": ["cases:read"]})
    assert response.status_code == 403
    assert api("bj.wjw").get("/api/v1/clients").status_code == 403


def test_a_client_may_not_be_granted_an_unknown_scope(api) -> None:
    response = api("admin").post("/api/v1/clients", json={
        "name": "x", "organisation_id": 1, "scopes": ["cases:read", "admin"]})
    assert response.status_code == 422
    assert "scopes" in response.get_json()["error"]["fields"]


def test_the_national_registry_client_sends_messages(api) -> None:
    national = national_registry(api("admin").client)
    response = national.post("/api/v1/messages/national_ack", json={
        "correlation": {"registration_number": "PDY00000011010512A1001"}, "payload": {}})
    assert response.status_code == 404  # allowed by its scope; nothing waits for that number
    assert response.get_json()["error"]["code"] == "unknown_correlation"
