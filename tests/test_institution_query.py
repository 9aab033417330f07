"""The combined query grown (I12): several subjects, level and affiliation, the beds range
checked, names by pinyin, totals and pages both ways, saved queries, XLSX, the printed
report, and the envelope and label batches (信封打印). Expected rows come from the registry,
read in the test, never from the query itself."""
from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from conftest import ApiClient, Database, csrf, error_of, logged_in, run_worker
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update
from test_institutions import _division, _rows, _subject

from service.institutions.face import Institution


def _oracle(database: Database, where: Callable, scope: str | None = None) -> list:
    return [r for r in _rows(database) if where(r) and (scope is None or _division(scope)(r))]


def _api_all(caller: ApiClient, query: str) -> list[dict]:
    items, cursor = [], None
    for _ in range(100):
        response = caller.get(f"/api/v1/institutions?limit=200&{query}"
                              + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ended")


# --- filters ---------------------------------------------------------------------------------

def test_several_subjects_find_the_institutions_holding_every_one(api, database):
    expected = {r.id for r in _oracle(database, lambda r: _subject("03")(r) and _subject("05")(r))}
    assert expected, "the demo registry should hold institutions with both subjects"
    either = {r.id for r in _oracle(database, lambda r: _subject("03")(r) or _subject("05")(r))}
    assert expected < either  # the rule is "all of them", which the test can tell from "any"
    found = {i["id"] for i in _api_all(api("admin"), "subject=03&subject=05")}
    assert found == expected


@pytest.mark.parametrize(("params", "field", "match"), [
    ({"level": "3A"}, "level_code", "3A"), ({"affiliation": "50"}, "affiliation_code", "50")])
def test_level_and_affiliation_narrow_to_their_code(api, database, params, field, match):
    rows = database.rows(select(Institution.id).where(getattr(Institution, field) == match))
    found = {i["id"] for i in _api_all(api("admin"), urlencode(params))}
    assert found == {r[0] for r in rows}


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"beds_min": "50", "beds_max": "10"}, "beds_max", "床位数上限不能小于下限"),
    ({"subject": "99.99"}, "subject", "诊疗科目代码不存在"),
    ({"category": "ZZZZ"}, "category", "机构类别代码不存在"),
    ({"status": "gone"}, "status", "状态不正确"),
])
def test_a_bad_filter_is_a_chinese_field_error_on_page_and_api(api, client, params, field, message):
    response = api("bj.chaoyang.wjw").get("/api/v1/institutions?" + urlencode(params))
    assert response.status_code == 400
    assert message in error_of(response)["fields"][field][0]
    page = logged_in(client, "bj.chaoyang.wjw").get("/institutions/?" + urlencode(params))
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and message in text and "查询条件有误" in text


def test_names_sort_by_pinyin_not_by_code_point(api, client, database, demo):
    ids = database.scalars(select(Institution.id).where(Institution.division_code == "110105")
                           .order_by(Institution.id).limit(4))
    names = ["冉氏测序门诊", "刘氏测序门诊", "李氏测序门诊", "杜氏测序门诊"]  # code-point order
    with database.session() as s:
        for ident, name in zip(ids, names, strict=True):
            s.execute(update(Institution).where(Institution.id == ident).values(name=name))
        s.commit()
    pinyin = ["杜氏测序门诊", "李氏测序门诊", "刘氏测序门诊", "冉氏测序门诊"]
    assert [i["name"] for i in _api_all(api("bj.chaoyang.wjw"), "q=测序门诊")] == pinyin
    page = logged_in(client, "bj.chaoyang.wjw").get("/institutions/?q=测序门诊").get_data(as_text=True)
    assert [page.index(n) for n in pinyin] == sorted(page.index(n) for n in pinyin)


# --- the page: total, pages both ways, 下次校验 ------------------------------------------------

_LINK = {rel: re.compile(rf'rel="{rel}" href="([^"]+)"') for rel in ("next", "prev")}
_DETAIL = re.compile(r'href="/institutions/(\d+)"')


def _ids(text: str) -> list[int]:
    return [int(i) for i in _DETAIL.findall(text)]


def test_the_page_gives_the_total_and_walks_forward_and_back(client, database):
    expected = _oracle(database, lambda r: True, "110000")
    browser = logged_in(client, "bj.wjw")
    first = browser.get("/institutions/?division=110000").get_data(as_text=True)
    pages = -(-len(expected) // 20)
    assert f"共 <strong>{len(expected)}</strong> 家医疗机构，第 1 / {pages} 页" in first
    seen, texts, url = [], [first], None
    text = first
    for number in range(2, pages + 1):
        url = html.unescape(_LINK["next"].search(text).group(1))
        text = browser.get(url).get_data(as_text=True)
        assert f"第 {number} / {pages} 页" in text
        texts.append(text)
    assert "rel=\"next\"" not in text
    for t in texts:
        seen += _ids(t)
    assert sorted(seen) == sorted(r.id for r in expected) and len(seen) == len(set(seen))
    # 上一页 from the last page gives back the page before it, row for row
    back = browser.get(html.unescape(_LINK["prev"].search(text).group(1))).get_data(as_text=True)
    assert _ids(back) == _ids(texts[-2]) and f"第 {pages - 1} / {pages} 页" in back
    last = browser.get("/institutions/?division=110000&last=1").get_data(as_text=True)
    assert _ids(last) == _ids(texts[-1]) and f"第 {pages} / {pages} 页" in last


def test_a_total_above_the_cap_says_more_than_and_still_pages(api, client, database, monkeypatch):
    from service.institutions import pages

    monkeypatch.setattr(pages, "COUNT_CAP", 10)
    expected = _oracle(database, lambda r: True, "110000")
    assert len(expected) > 20
    browser = logged_in(client, "bj.wjw")
    first = browser.get("/institutions/?division=110000").get_data(as_text=True)
    assert "超过 <strong>10</strong> 家医疗机构" in first and "第 1 页" in first
    second = browser.get(html.unescape(_LINK["next"].search(first).group(1))).get_data(as_text=True)
    assert "第 2 页" in second and not set(_ids(first)) & set(_ids(second))
    last = browser.get("/institutions/?division=110000&last=1").get_data(as_text=True)
    ordered = [i["id"] for i in _api_all(api("bj.wjw"), "division=110000")]
    assert _ids(last) == ordered[-20:]  # the last rows, in order, without counting them all
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_the_list_shows_the_next_verification_date(client, database, demo):
    inst_id = demo.institution["inst.chaoyang1"]
    due = database.scalar(select(Institution.verification_due).where(Institution.id == inst_id))
    text = logged_in(client, "bj.chaoyang.wjw").get("/institutions/?q=康泰").get_data(as_text=True)
    assert "<th>下次校验</th>" in text and due.isoformat() in text


def test_a_saved_query_keeps_its_filters_and_shows_its_count(client, database):
    browser = logged_in(client, "bj.chaoyang.wjw")
    query = "subject=03&subject=05&beds_min=0&cursor=abc"
    done = browser.post("/tasks/filters", data={
        "endpoint": "institutions.search", "query": query, "name": "内外科",
        "csrf_token": csrf(browser, "/institutions/")}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "已保存常用查询：内外科" in text
    expected = _oracle(database, lambda r: _subject("03")(r) and _subject("05")(r), "110105")
    found = re.search(r'<a href="([^"]+)">内外科</a> <span class="count">（(\d+)）', text)
    assert found and int(found.group(2)) == len(expected)
    assert "cursor" not in found.group(1) and "subject=03" in found.group(1)
    assert "内外科" not in logged_in(client.application.test_client(), "bj.wjw").get(
        "/institutions/").get_data(as_text=True)


# --- XLSX, report -----------------------------------------------------------------------------

def test_the_xlsx_export_holds_the_query_rows_in_order_and_defuses_formulas(api, client, database):
    target = database.scalar(select(Institution.id).where(
        Institution.division_code == "110105", Institution.management_class == "2")
        .order_by(Institution.id))
    with database.session() as s:
        s.execute(update(Institution).where(Institution.id == target)
                  .values(legal_representative="=HYPERLINK(1)"))
        s.commit()
    response = logged_in(client, "bj.chaoyang.wjw").get("/institutions/export.xlsx?management_class=2")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][11] == "下次校验" and rows[0][0] == "登记号"
    items = _api_all(api("bj.chaoyang.wjw"), "management_class=2")
    assert [r[0] for r in rows[1:]] == [i["registration_number"] for i in items]
    assert all(r[8] == "110105" for r in rows[1:])  # Chaoyang sees only its own
    assert [r[4] for r in rows[1:] if "HYPERLINK" in (r[4] or "")] == ["'=HYPERLINK(1)"]


def test_the_report_prints_title_filters_date_and_page_numbers(client, database):
    expected = _oracle(database, lambda r: r.beds >= 20, "110105")
    response = logged_in(client, "bj.chaoyang.wjw").get("/institutions/report.pdf?beds_min=20")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "医疗机构综合查询报表" in text and "床位数不少于：20" in text and "制表日期" in text
    assert f"共 {len(expected)} 家" in text and f"第 1 页 共 {len(reader.pages)} 页" in text
    assert all(r.name in text.replace("\n", "") for r in expected[:5])


def test_a_report_over_the_limit_asks_for_more_filters(client, monkeypatch):
    from service.institutions import query_outputs

    monkeypatch.setattr(query_outputs, "REPORT_LIMIT", 1)
    response = logged_in(client, "bj.chaoyang.wjw").get("/institutions/report.pdf",
                                                        follow_redirects=True)
    assert "超过报表打印上限 1 家" in response.get_data(as_text=True)


# --- envelopes and labels --------------------------------------------------------------------

def _run_batches() -> None:
    """Drain the print queue."""
    from service.institutions.mailing import draw_mailing

    run_worker(draw_mailing.queue_name, timeout_ms=60_000)


def _start(browser: FlaskClient, layout: str, filters: dict) -> str:
    response = browser.post("/institutions/mailings", data={
        "layout": layout, **filters, "csrf_token": csrf(browser, "/institutions/")})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


@pytest.mark.parametrize(("layout", "per_page"), [("labels", 14), ("envelopes", 1)])
def test_a_mailing_batch_prints_the_query_addresses_in_the_background(
        client, database, layout, per_page):
    expected = _oracle(database, lambda r: True, "110105")
    browser = logged_in(client, "bj.chaoyang.wjw")
    status_url = _start(browser, layout, {"division": "110105"})
    queued = browser.get(status_url).get_data(as_text=True)
    assert "排队中" in queued and 'http-equiv="refresh"' in queued
    _run_batches()
    done = browser.get(status_url).get_data(as_text=True)
    assert "已完成" in done and f"地址 {len(expected)} / {len(expected)}" in done
    link = re.search(r'id="mailing-download" href="([^"]+)"', done).group(1)
    pdf = browser.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.get_data()))
    assert len(reader.pages) == -(-len(expected) // per_page)
    first = reader.pages[0].extract_text().replace("\n", "")
    on_first = [r for r in expected if f"{r.name}  收" in first or f"{r.name} 收" in first]
    assert len(on_first) == min(per_page, len(expected))
    if layout == "envelopes":  # the six postcode digits in their boxes
        postcode = database.scalar(select(Institution.postal_code).where(
            Institution.id == on_first[0].id))
        assert postcode and all(d in first for d in postcode)
    # the batch and its file are its account's own
    other = logged_in(client.application.test_client(), "bj.wjw")
    assert other.get(status_url).status_code == 404 and other.get(link).status_code == 404


def test_a_mailing_batch_stays_inside_the_jurisdiction(client, database):
    browser = logged_in(client, "bj.chaoyang.wjw")
    status_url = _start(browser, "labels", {"division": "500105"})  # Jiangbei: not Chaoyang's
    _run_batches()
    assert "地址 0 / 0" in browser.get(status_url).get_data(as_text=True)


def test_a_mailing_with_bad_filters_is_refused_in_chinese(client):
    browser = logged_in(client, "bj.chaoyang.wjw")
    response = browser.post("/institutions/mailings", data={
        "layout": "labels", "beds_min": "9", "beds_max": "1",
        "csrf_token": csrf(browser, "/institutions/")}, follow_redirects=True)
    assert "查询条件有误，未生成打印任务" in response.get_data(as_text=True)
    assert browser.post("/institutions/mailings", data={
        "layout": "posters", "csrf_token": csrf(browser, "/institutions/")}).status_code == 404
    assert browser.post("/institutions/mailings", data={"layout": "labels"}).status_code == 400
