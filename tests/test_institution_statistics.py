"""Statistics (统计分析) through the API, the page and its XLSX: each dimension, two crossed, the
drill-down from province to city to county, the caller's jurisdiction. Every number is
counted in the test from the registry's rows, never taken from the statistics code."""
from __future__ import annotations

import io
from collections import Counter

import pytest
from conftest import Database, error_of, logged_in
from openpyxl import load_workbook
from sqlalchemy import select

from service.institutions.face import Institution

COLUMN = {"ownership": "management_class", "level": "level_code",
          "affiliation": "affiliation_code", "category": "category_code"}


def _registry(database: Database, prefix: str = "") -> list[dict]:
    """Institutions not cancelled whose county code starts with ``prefix``."""
    columns = [Institution.id, Institution.beds, Institution.status, Institution.division_code,
               Institution.city_code, Institution.province_code,
               *(getattr(Institution, c) for c in COLUMN.values())]
    return [row._asdict() for row in database.rows(select(*columns))
            if row.status != "cancelled" and row.division_code.startswith(prefix)]


def _tally(rows: list[dict], key) -> dict:
    counts, beds = Counter(), Counter()
    for r in rows:
        counts[key(r)] += 1
        beds[key(r)] += r["beds"]
    return {k: (counts[k], beds[k]) for k in counts}


def _answer(rows: list[dict]) -> dict:
    return {r["key"]: (r["count"], r["beds"]) for r in rows}


@pytest.mark.parametrize("by", list(COLUMN))
def test_each_dimension_counts_institutions_and_beds_of_the_district(api, database, by):
    body = api("bj.chaoyang.wjw").get(f"/api/v1/statistics/institutions?by={by}")
    assert body.status_code == 200, body.get_json()
    answer = body.get_json()
    rows = _registry(database, "110105")
    assert _answer(answer["rows"]) == _tally(rows, lambda r: r[COLUMN[by]])
    assert answer["total"] == len(rows) and answer["total_beds"] == sum(r["beds"] for r in rows)
    assert answer["by"] == by and all(r["label"] for r in answer["rows"])


def test_the_province_drills_down_from_cities_to_counties(api, database):
    caller = api("bj.wjw")
    top = caller.get("/api/v1/statistics/institutions?by=division").get_json()
    beijing = _registry(database, "11")
    assert _answer(top["rows"]) == _tally(beijing, lambda r: r["city_code"])
    city = top["rows"][0]["key"]
    down = caller.get(f"/api/v1/statistics/institutions?by=division&division={city}").get_json()
    assert _answer(down["rows"]) == _tally(_registry(database, city[:4]),
                                           lambda r: r["division_code"])
    county = caller.get("/api/v1/statistics/institutions?by=category&division=110105").get_json()
    assert _answer(county["rows"]) == _tally(_registry(database, "110105"),
                                             lambda r: r["category_code"])


def test_two_dimensions_crossed_give_every_cell(api, database):
    body = api("bj.wjw").get(
        "/api/v1/statistics/institutions?by=ownership&cross=category").get_json()
    expected = _tally(_registry(database, "11"),
                      lambda r: (r["management_class"], r["category_code"]))
    cells = {(row["key"], cell["key"]): (cell["count"], cell["beds"])
             for row in body["rows"] for cell in row["cells"]}
    assert cells == expected
    assert {c["key"] for c in body["columns"]} == {k[1] for k in expected}


def test_a_status_narrows_the_counts(api, database):
    body = api("admin").get("/api/v1/statistics/institutions?by=ownership&status=deferred")
    deferred = [r for r in database.rows(select(Institution.management_class, Institution.status))
                if r.status == "deferred"]
    assert body.get_json()["total"] == len(deferred)
    everything = api("admin").get("/api/v1/statistics/institutions?by=ownership&status=all")
    assert everything.get_json()["total"] == len(database.rows(select(Institution.id)))


@pytest.mark.parametrize(("username", "division"), [
    ("bj.chaoyang.wjw", "110101"), ("bj.chaoyang.wjw", "110000"), ("bj.wjw", "500000"),
    ("bj.wjw", "999999")])
def test_a_division_outside_the_jurisdiction_is_404(api, client, username, division):
    response = api(username).get(f"/api/v1/statistics/institutions?by=division&division={division}")
    assert response.status_code == 404 and error_of(response)
    page = logged_in(client, username).get(f"/institutions/statistics?division={division}")
    assert page.status_code == 404


def test_institutions_have_no_statistics(api, client):
    assert api("inst.chaoyang1").get("/api/v1/statistics/institutions").status_code == 404
    assert logged_in(client, "inst.chaoyang1").get("/institutions/statistics").status_code == 404


@pytest.mark.parametrize(("query", "field"), [
    ("by=beds", "by"), ("by=level&cross=level", "cross"), ("by=level&cross=x", "cross"),
    ("division=11", "division"), ("status=gone", "status")])
def test_bad_statistics_arguments_are_400_in_chinese(api, client, query, field):
    response = api("bj.wjw").get(f"/api/v1/statistics/institutions?{query}")
    assert response.status_code == 400
    message = error_of(response)["fields"][field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    page = logged_in(client, "bj.wjw").get(f"/institutions/statistics?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)


def test_the_page_shows_the_table_a_chart_holder_and_links_to_the_rows(client, database):
    text = logged_in(client, "bj.chaoyang.wjw").get(
        "/institutions/statistics?by=ownership").get_data(as_text=True)
    rows = _registry(database, "110105")
    assert f'<strong id="stats-total">{len(rows)}</strong>' in text
    assert 'id="stats-chart"' in text and "vendor/echarts.min.js" in text and "statistics.js" in text
    assert "<script>" not in text  # no inline script (CSP)
    private = sum(1 for r in rows if r["management_class"] == "2")
    assert f'data-value="{private}"' in text
    assert "management_class=2" in text  # a number opens the institutions it counts


def test_the_xlsx_export_holds_counts_and_beds(client, database):
    response = logged_in(client, "bj.wjw").get(
        "/institutions/statistics.xlsx?by=division&cross=ownership")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert book.sheetnames == ["机构数", "床位数"]
    counts = [list(r) for r in book["机构数"].iter_rows(values_only=True)]
    beijing = _registry(database, "11")
    assert counts[0][0] == "行政区划" and counts[-1][0] == "合计"
    assert counts[-1][-1] == len(beijing)
    beds = [list(r) for r in book["床位数"].iter_rows(values_only=True)]
    assert beds[-1][-1] == sum(r["beds"] for r in beijing)
