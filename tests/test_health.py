"""Health check and the published OpenAPI document."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy.exc import OperationalError

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def test_healthz_reports_database_and_broker_ok_without_login(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_database_cannot_answer(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.extensions import db

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken, raising=False)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"].startswith("error")


def _openapi(client: FlaskClient) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_openapi_document_is_valid_openapi_3(client: FlaskClient) -> None:
    spec = _openapi(client)
    assert spec["openapi"].startswith("3.")
    validate(spec)  # raises on an invalid document


def _documented(spec: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, ops in spec["paths"].items()
            for method in ops if method in HTTP_METHODS}


def _served(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes |= {(path, m) for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}}
    return routes


def test_every_api_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    served = _served(app)
    assert ("/api/v1/institutions/{institution_id}", "GET") in served  # the comparison works
    undocumented = served - _documented(_openapi(client))
    assert not undocumented, f"routes missing from openapi.json: {sorted(undocumented)}"


def test_openapi_documents_no_route_that_does_not_exist(app: Flask, client: FlaskClient) -> None:
    documented = {(p, m) for p, m in _documented(_openapi(client)) if p.startswith("/api/v1")}
    assert not documented - _served(app)


def test_documented_error_responses_use_the_error_shape(client: FlaskClient) -> None:
    spec = _openapi(client)
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message"}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method not in HTTP_METHODS:
                continue
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")) and path.startswith("/api/"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)
