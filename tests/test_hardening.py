"""Smaller findings of the probe: CSV formula injection, cache and transport headers, the
OpenAPI document agreeing with the API, and enabling one's own account."""
from __future__ import annotations

import csv
import io

import pytest
from conftest import logged_in
from sqlalchemy import update

from service.core.config import Settings
from service.web.exports import cell


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "-2+3",
                                   "@SUM(A1)", "\t=1", "\r=1"])
def test_cells_a_spreadsheet_would_run_are_quoted(value: str) -> None:
    assert cell(value) == "'" + value


def test_ordinary_cells_and_numbers_are_left_alone() -> None:
    assert cell("北京市朝阳区") == "北京市朝阳区" and cell(-5) == -5 and cell(None) is None
    assert cell("010-65990001") == "010-65990001"


def test_the_institution_export_neutralises_a_formula_name(client, demo, _isolated) -> None:
    from service.institutions.models import Institution

    formula = '=HYPERLINK("http://evil.example","点我")'
    _isolated.execute(update(Institution).where(
        Institution.id == demo.institution["inst.chaoyang1"]).values(name=formula))
    logged_in(client, "bj.chaoyang.wjw")
    response = client.get("/institutions/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [c for row in rows for c in row]
    assert "'" + formula in cells and formula not in cells


def test_json_answers_are_not_cached(api) -> None:
    response = api("bj.chaoyang.wjw").get("/api/v1/me")
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_outside_the_embedded_default_only(app, client) -> None:
    production = Settings.from_env({"DATABASE_URL": "postgresql://db/x", "SECRET_KEY": "k", "EVENT_CHAIN_KEY": "e",
                                    "INSTANCE_DIR": app.instance_path})
    embedded = Settings.from_env({"DATABASE_URL": "", "SECRET_KEY": "k",
                                  "INSTANCE_DIR": app.instance_path})
    assert production.hsts_max_age == 365 * 24 * 3600 and embedded.hsts_max_age == 0
    configured = app.config["HSTS_MAX_AGE"]  # the suite's app is production on PostgreSQL
    try:
        app.config["HSTS_MAX_AGE"] = embedded.hsts_max_age
        assert "Strict-Transport-Security" not in client.get("/login").headers
        app.config["HSTS_MAX_AGE"] = production.hsts_max_age
        assert client.get("/login").headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"
    finally:
        app.config["HSTS_MAX_AGE"] = configured


def test_enabling_ones_own_account_keeps_ones_sessions(api, client, demo) -> None:
    admin = api("admin")
    own = demo.account["admin"]
    response = admin.post(f"/api/v1/accounts/{own}/enable")
    assert response.status_code == 200, response.get_json()
    assert admin.get("/api/v1/me").status_code == 200
    logged_in(client, "admin")
    assert client.get("/accounts/").status_code == 200


def test_disabling_still_ends_the_sessions(api, demo) -> None:
    target = api("inst.chaoyang2")
    assert api("bj.chaoyang.wjw").post(
        f"/api/v1/accounts/{demo.account['inst.chaoyang2']}/disable").status_code == 200
    assert target.get("/api/v1/me").status_code == 401


def test_the_document_declares_decimals_as_strings_and_case_statuses(api) -> None:
    document = api("admin").get("/api/v1/openapi.json").get_json()
    institution = document["components"]["schemas"]["Institution"]["properties"]
    assert institution["floor_area"]["type"] == "string"
    assert institution["registered_capital"]["type"] == "string"
    params = {p["name"]: p for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]}
    statuses = params["status"]["schema"]["enum"]
    for status in statuses:
        assert api("admin").get(f"/api/v1/cases?status={status}").status_code == 200
    assert "active" not in statuses
    assert api("admin").get("/api/v1/cases?status=active").status_code == 400
    backfill = document["paths"]["/api/v1/institutions"]["post"]["responses"]
    assert {"400", "413", "415", "503"} <= set(backfill)
