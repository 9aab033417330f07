"""The combined institution query (综合查询) through the API, the page and the CSV export; keyset
pages; the detail page and the history of a change."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from conftest import ApiClient, Database, Demo, csrf, error_of, logged_in
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.core.times import utcnow
from service.institutions.face import Institution, InstitutionSubject
from service.registry.versioning import state_at

CSV_HEADER = ["登记号", "机构名称", "类别", "经营性质", "法定代表人", "地址", "床位", "诊疗科目",
              "行政区划", "发证机关", "有效期至", "下次校验", "状态"]


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    registration_number: str
    legal_representative: str
    address: str
    beds: int
    category_code: str
    management_class: str
    economic_type_code: str
    status: str
    division_code: str
    subjects: frozenset[str]


def _rows(database: Database) -> list[Row]:
    """Every institution as plain values: the oracle the query is checked against."""
    subjects: dict[int, set[str]] = {}
    for inst_id, code in database.rows(select(InstitutionSubject.institution_id,
                                              InstitutionSubject.subject_code)):
        subjects.setdefault(inst_id, set()).add(code)
    columns = [getattr(Institution, f) for f in Row.__dataclass_fields__ if f != "subjects"]
    return [Row(*values, frozenset(subjects.get(values[0], ())))
            for values in database.rows(select(*columns))]


def _subject(code: str) -> Callable[[Row], bool]:
    return lambda r: any(s == code or s.startswith(code + ".") for s in r.subjects)


def _division(code: str) -> Callable[[Row], bool]:
    """GB/T 2260: a province code (xx0000) or city code (xxxx00) stands for its subtree."""
    prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
    return lambda r: r.division_code.startswith(prefix)


FILTERS: list[tuple[dict[str, str], Callable[[Row], bool]]] = [
    ({"q": "社区卫生服务"}, lambda r: "社区卫生服务" in r.name),
    ({"registration_number": "11A1001"}, lambda r: "11A1001" in r.registration_number),
    ({"legal_representative": "王"}, lambda r: "王" in r.legal_representative),
    ({"address": "望京"}, lambda r: "望京" in r.address),
    ({"beds_min": "100"}, lambda r: r.beds >= 100),
    ({"beds_max": "30"}, lambda r: r.beds <= 30),
    ({"beds_min": "20", "beds_max": "99"}, lambda r: 20 <= r.beds <= 99),
    ({"subject": "05"}, _subject("05")),
    ({"subject": "50.13"}, _subject("50.13")),
    ({"category": "D211"}, lambda r: r.category_code == "D211"),
    ({"management_class": "2"}, lambda r: r.management_class == "2"),
    ({"economic_type": "15"}, lambda r: r.economic_type_code == "15"),
    ({"status": "deferred"}, lambda r: r.status == "deferred"),
    ({"division": "500105"}, _division("500105")),
    ({"division": "110000"}, _division("110000")),
    ({"division": "530100"}, _division("530100")),
    ({"division": "110105", "management_class": "2", "beds_min": "50"},
     lambda r: r.division_code == "110105" and r.management_class == "2" and r.beds >= 50),
    ({"q": "口腔", "status": "active", "subject": "12"},
     lambda r: "口腔" in r.name and r.status == "active" and _subject("12")(r)),
]
FILTER_IDS = ["&".join(f"{k}={v}" for k, v in params.items()) for params, _ in FILTERS]


def _api_ids(caller: ApiClient, params: dict[str, str], limit: int = 200) -> list[int]:
    """Every id the API lists for ``params``, following the cursor to the end."""
    ids: list[int] = []
    cursor = None
    for _ in range(100):
        query = {**params, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        response = caller.get("/api/v1/institutions?" + urlencode(query))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("the cursor never ended")


_DETAIL_LINK = re.compile(r'href="/institutions/(\d+)"')
_NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')


def _page_ids(client: FlaskClient, params: dict[str, str]) -> list[int]:
    """Every institution the search page lists, following its 下一页 links."""
    url, ids = "/institutions/?" + urlencode(params), []
    for _ in range(100):
        response = client.get(url)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        ids += [int(i) for i in _DETAIL_LINK.findall(text)]
        following = _NEXT_LINK.search(text)
        if following is None:
            return ids
        url = html.unescape(following.group(1))
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize(("params", "matches"), FILTERS, ids=FILTER_IDS)
def test_each_query_filter_narrows_to_exactly_the_matching_institutions(
        api: Callable[..., ApiClient], client: FlaskClient, database: Database,
        params: dict[str, str], matches: Callable[[Row], bool]) -> None:
    rows = _rows(database)
    expected = {r.id for r in rows if matches(r)}
    assert expected and len(expected) < len(rows), "the demo data must exercise this filter"
    api_ids = _api_ids(api("admin"), params)
    assert len(api_ids) == len(set(api_ids)) and set(api_ids) == expected
    page_ids = _page_ids(logged_in(client, "admin"), params)
    assert len(page_ids) == len(set(page_ids)) and set(page_ids) == expected


def test_a_first_level_subject_finds_institutions_registered_only_for_its_sub_subjects(
        api: Callable[..., ApiClient], database: Database) -> None:
    only_sub = {r.id for r in _rows(database)
                if any(s.startswith("05.") for s in r.subjects) and "05" not in r.subjects}
    assert only_sub  # e.g. 北京华盛肿瘤医院 holds 05.01 but not 05
    assert only_sub <= set(_api_ids(api("admin"), {"subject": "05"}))


def test_filters_apply_within_the_read_scope(api: Callable[..., ApiClient],
                                             database: Database) -> None:
    jiangbei = api("cq.jiangbei.wjw")
    assert _api_ids(jiangbei, {"division": "110105"}) == []
    expected = {r.id for r in _rows(database)
                if "医院" in r.name and r.division_code == "500105"}
    assert expected and set(_api_ids(jiangbei, {"q": "医院"})) == expected


@pytest.mark.parametrize(("params", "field"), [
    ({"beds_min": "abc"}, "beds_min"), ({"beds_max": "-1"}, "beds_max"),
    ({"beds_min": "100001"}, "beds_min"), ({"division": "11"}, "division"),
    ({"q": "长" * 101}, "q"),
])
def test_an_unusable_filter_is_400_with_a_field_message(
        api: Callable[..., ApiClient], client: FlaskClient, params: dict[str, str],
        field: str) -> None:
    response = api("admin").get("/api/v1/institutions?" + urlencode(params))
    assert response.status_code == 400
    assert error_of(response)["fields"][field]
    page = logged_in(client, "admin").get("/institutions/?" + urlencode(params))
    assert page.status_code == 400 and "查询条件有误" in page.get_data(as_text=True)


# --- keyset pages ----------------------------------------------------------------------------

def test_pages_of_three_walk_every_institution_once_in_order(
        api: Callable[..., ApiClient], database: Database) -> None:
    admin = api("admin")
    walked = _api_ids(admin, {}, limit=3)
    assert len(walked) == len(set(walked)) == database.count(select(Institution.id))
    assert walked == _api_ids(admin, {}, limit=200)  # the same order in one page


def test_pages_of_three_walk_a_filtered_query_without_gaps(
        api: Callable[..., ApiClient], database: Database) -> None:
    admin = api("admin")
    expected = {r.id for r in _rows(database) if r.division_code == "110105"}
    walked = _api_ids(admin, {"division": "110105"}, limit=3)
    assert len(walked) == len(set(walked)) and set(walked) == expected


def test_institutions_sharing_a_name_are_neither_skipped_nor_repeated(
        api: Callable[..., ApiClient], database: Database) -> None:
    twins = database.scalars(select(Institution.id).where(Institution.division_code == "500105")
                             .order_by(Institution.id).limit(4))
    with database.session() as s:
        s.execute(update(Institution).where(Institution.id.in_(twins)).values(name="同名测试医院"))
        s.commit()
    assert _api_ids(api("admin"), {"q": "同名测试医院"}, limit=1) == sorted(twins)


def _cursor(value: object) -> str:
    raw = json.dumps(value).encode() if not isinstance(value, bytes) else value
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("cursor", ["!!!", "abc", _cursor(["名称"]), _cursor({"a": 1, "b": 2}),
                                    _cursor(["名称", "7"]), _cursor(b"\xff\xfe")])
def test_a_bad_cursor_is_400(api: Callable[..., ApiClient], cursor: str) -> None:
    response = api("admin").get(f"/api/v1/institutions?limit=3&cursor={cursor}")
    assert response.status_code == 400
    assert error_of(response)["fields"]["cursor"] == ["分页游标无效"]


@pytest.mark.parametrize("limit", ["0", "500", "201", "-1", "abc", ""])
def test_a_limit_outside_1_to_200_is_400(api: Callable[..., ApiClient], limit: str) -> None:
    response = api("admin").get(f"/api/v1/institutions?limit={limit}")
    assert response.status_code == 400 and "limit" in error_of(response)["fields"]


def test_the_default_page_holds_up_to_fifty(api: Callable[..., ApiClient],
                                            database: Database) -> None:
    total = database.count(select(Institution.id))
    body = api("admin").get("/api/v1/institutions").get_json()
    assert len(body["items"]) == min(50, total)
    assert (body["next_cursor"] is None) == (total <= 50)


# --- CSV export ------------------------------------------------------------------------------

def _export(client: FlaskClient, params: dict[str, str]) -> tuple[str, list[list[str]]]:
    response = client.get("/institutions/export.csv?" + urlencode(params))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data().decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_export_has_a_bom_a_chinese_header_and_the_query_rows(
        api: Callable[..., ApiClient], client: FlaskClient) -> None:
    params = {"division": "110105", "management_class": "2"}
    text, rows = _export(logged_in(client, "bj.chaoyang.wjw"), params)
    assert text.startswith("\ufeff登记号,")
    assert rows[0] == CSV_HEADER
    body = api("bj.chaoyang.wjw").get("/api/v1/institutions?limit=200&" + urlencode(params))
    items = body.get_json()["items"]
    assert len(items) > 1
    assert [r[0] for r in rows[1:]] == [i["registration_number"] for i in items]
    assert [r[1] for r in rows[1:]] == [i["name"] for i in items]
    assert {r[3] for r in rows[1:]} == {"营利性医疗机构"}


def test_the_csv_export_stays_within_the_read_scope(client: FlaskClient,
                                                     database: Database) -> None:
    _, rows = _export(logged_in(client, "cq.jiangbei.wjw"), {})
    expected = set(database.scalars(select(Institution.registration_number)
                                    .where(Institution.division_code == "500105")))
    assert {r[0] for r in rows[1:]} == expected
    assert all(r[8] == "500105" for r in rows[1:])


def test_the_csv_export_refuses_an_unusable_filter(client: FlaskClient) -> None:
    response = logged_in(client, "admin").get("/institutions/export.csv?beds_min=x",
                                              follow_redirects=True)
    assert response.status_code == 400  # the query page, with the field's Chinese error
    assert "床位数须为" in response.get_data(as_text=True)


# --- detail page and history -----------------------------------------------------------------

def _change_phone(client: FlaskClient, inst_id: int, phone: str, database: Database):
    fax, postal = database.rows(select(Institution.fax, Institution.postal_code)
                                .where(Institution.id == inst_id))[0]
    token = csrf(client, f"/institutions/{inst_id}")
    return client.post(f"/institutions/{inst_id}/contact", data={
        "phone": phone, "fax": fax or "", "postal_code": postal or "", "reason": "电话号码变更",
        "csrf_token": token})


def test_the_detail_page_shows_the_registered_items_and_the_version_history(
        client: FlaskClient, demo: Demo) -> None:
    page = logged_in(client, "bj.chaoyang.wjw").get(
        f"/institutions/{demo.institution['inst.chaoyang1']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "北京市朝阳区康泰医院" in text and "周博" in text
    assert "共 1 个版本" in text and "第 1 版" in text and "演示数据" in text


def test_a_contact_change_becomes_version_2_listing_the_phone(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    inst_id = demo.institution["inst.chaoyang1"]
    old_phone = database.scalar(select(Institution.phone).where(Institution.id == inst_id))
    logged_in(client, "bj.chaoyang.wjw")
    response = _change_phone(client, inst_id, "010-87654321", database)
    assert response.status_code == 303

    items = api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{inst_id}/history").get_json()["items"]
    assert [v["version"] for v in items] == [1, 2]
    first, second = items
    assert second["changed"] == ["phone"]
    assert second["reason"] == "修改联系方式：电话号码变更" and second["actor"] == "bj.chaoyang.wjw"
    assert first["data"]["phone"] == old_phone and second["data"]["phone"] == "010-87654321"
    assert api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{inst_id}").get_json()["version"] == 2

    text = client.get(f"/institutions/{inst_id}").get_data(as_text=True)
    assert "共 2 个版本" in text and "第 2 版" in text and "修改联系方式" in text


def test_the_state_at_a_moment_before_the_change_is_the_old_version(
        client: FlaskClient, demo: Demo, database: Database) -> None:
    inst_id = demo.institution["inst.chaoyang2"]
    logged_in(client, "bj.chaoyang.wjw")
    assert _change_phone(client, inst_id, "010-55556666", database).status_code == 303
    with database.session():
        now = state_at("institution", inst_id, utcnow())
        assert now.version == 2 and now.data["phone"] == "010-55556666"
        before = state_at("institution", inst_id, now.valid_from - timedelta(microseconds=1))
        assert before.version == 1 and before.data["phone"] != "010-55556666"
        assert state_at("institution", inst_id, before.valid_from - timedelta(days=1)) is None


def test_an_invalid_contact_form_writes_no_version(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo) -> None:
    inst_id = demo.institution["inst.chaoyang1"]
    logged_in(client, "bj.chaoyang.wjw")
    token = csrf(client, f"/institutions/{inst_id}")
    response = client.post(f"/institutions/{inst_id}/contact",
                           data={"phone": "010-1", "postal_code": "10002x", "csrf_token": token})
    assert response.status_code == 303
    assert "联系方式未保存" in client.get(f"/institutions/{inst_id}").get_data(as_text=True)
    items = api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{inst_id}/history").get_json()["items"]
    assert len(items) == 1


def test_a_contact_post_without_csrf_token_changes_nothing(
        client: FlaskClient, demo: Demo, database: Database) -> None:
    inst_id = demo.institution["inst.chaoyang1"]
    logged_in(client, "bj.chaoyang.wjw")
    response = client.post(f"/institutions/{inst_id}/contact", data={"phone": "010-9"})
    assert response.status_code == 400
    assert database.scalar(select(Institution.phone).where(Institution.id == inst_id)) != "010-9"


def test_an_institution_account_is_sent_from_the_search_to_its_own_page(
        client: FlaskClient, demo: Demo) -> None:
    logged_in(client, "inst.chaoyang2")
    response = client.get("/institutions/")
    assert response.status_code == 302 and response.headers["Location"] == "/institutions/mine"
    own = client.get("/institutions/mine")
    assert own.headers["Location"] == f"/institutions/{demo.institution['inst.chaoyang2']}"
