"""The institution's physician lists (核对本院医师信息), verification by resident ID (医师验证)
and its physician applications with their printed forms (seed 003 ch.3 §6, §8)."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from conftest import (
    ROOT,
    ApiClient,
    Database,
    Demo,
    csrf,
    error_of,
    logged_in,
    resident_id,
)
from flask.testing import FlaskClient
from physician_fixture import PROCESS_ID, deployed
from pypdf import PdfReader
from sqlalchemy import select
from verification_flow import complete, open_item

from service.institutions.face import Institution
from service.physicians.models import Physician, PracticeRegistration
from service.registry.versioning import change_context

FILING = ("multi_site", "legacy_multi_location")
LISTS = ("main", "filed_elsewhere", "filed_here", "not_in_register")
DEMO_ID = "110105198504178996"  # doctor.demo, 陈思远
NEW_NAME = "北京市朝阳区康泰综合医院"


def expected(database: Database, inst: int, kind: str) -> set[int]:
    """The oracle: registration ids a list must show, straight from the table."""
    rows = database.rows(select(PracticeRegistration.id, PracticeRegistration.physician_id,
                                PracticeRegistration.institution_id, PracticeRegistration.kind,
                                PracticeRegistration.status))
    ours = {p for _, p, i, k, s in rows if i == inst and k == "main" and s == "active"}
    return {rid for rid, p, i, k, s in rows if {
        "main": i == inst and k == "main" and s == "active",
        "filed_elsewhere": i != inst and k in FILING and s == "active" and p in ours,
        "filed_here": i == inst and k in FILING and s == "active",
        "not_in_register": i == inst and s != "active",
    }[kind]}


def listed(api: ApiClient, inst: int, kind: str, limit: int = 3, **filters: str) -> list[dict]:
    """Every item of a list, page by page (small pages, so the cursor is exercised)."""
    items, cursor = [], None
    while True:
        query = {"list": kind, "limit": str(limit), **filters, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"/api/v1/institutions/{inst}/physicians", query_string=query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def add_registration(database: Database, name: str, inst: int, kind: str,
                     status: str = "active") -> int:
    with database.session() as s, change_context(None, "测试数据"):
        physician = s.scalars(select(Physician).where(Physician.name == name)).one()
        main = physician.registrations[0]
        reg = PracticeRegistration(
            physician_id=physician.id, kind=kind, institution_id=inst, category=main.category,
            scope=main.scope, location_code=main.location_code,
            certificate_number=main.certificate_number, status=status,
            valid_from=date(2024, 1, 1), valid_to=None if status == "active" else date(2025, 6, 30))
        s.add(reg)
        s.commit()
        return reg.id


@pytest.fixture
def richer(database: Database, demo: Demo) -> dict[str, int]:
    """inst.chaoyang1 with physicians of other institutions filed here and ended ones."""
    cy1 = demo.institution["inst.chaoyang1"]
    out = {
        "filed_here": add_registration(database, "赵建英", cy1, "multi_site"),
        "legacy_here": add_registration(database, "陈建平", cy1, "legacy_multi_location"),
        "ended_here": add_registration(database, "周建国", cy1, "multi_site", "ended"),
    }
    with database.session() as s, change_context(None, "注册备案"):
        filed = s.scalars(select(PracticeRegistration).join(Physician).where(
            Physician.name == "林亚楠", PracticeRegistration.kind == "main")).one()
        filed.status, filed.valid_to = "filed", date(2025, 3, 31)
        s.commit()
        out["filed_main"] = filed.id
    return out


# --- the four lists ---------------------------------------------------------------------------

def csv_main_names(institution_key: str) -> set[str]:
    """The seed's own account of an institution's main physicians, independent of the loader."""
    def read(name: str) -> list[dict]:
        with (ROOT / "seed" / "demo" / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    names = {q["key"]: q["name"] for q in read("qualifications.csv")}
    keys = {p["key"]: p["qualification_key"] for p in read("physicians.csv")}
    return {names[keys[r["physician_key"]]] for r in read("registrations.csv")
            if r["institution_key"] == institution_key and r["kind"] == "main"
            and r["status"] == "active"}


def test_every_list_shows_exactly_the_right_registrations(
        api: Callable[..., ApiClient], demo: Demo, database: Database,
        richer: dict[str, int]) -> None:
    cy1 = demo.institution["inst.chaoyang1"]
    inst = api("inst.chaoyang1")
    for kind in LISTS:
        items = listed(inst, cy1, kind)
        ids = [i["registration_id"] for i in items]
        assert len(ids) == len(set(ids)), kind
        assert set(ids) == expected(database, cy1, kind), kind
        assert ids, kind  # the fixture gives every list something to show
    here = {i["registration_id"]: i for i in listed(inst, cy1, "filed_here")}
    assert here[richer["filed_here"]]["other_institution"]["name"] == "北京市朝阳区青枫社区卫生服务中心"
    elsewhere = listed(inst, cy1, "filed_elsewhere")
    assert {i["name"] for i in elsewhere} == {"邹磊", "高文静"}
    assert all(i["institution"]["id"] != cy1 and i["other_institution"] == i["institution"]
               for i in elsewhere)
    for kind in ("main", "filed_here", "not_in_register"):
        assert {i["institution"]["id"] for i in listed(inst, cy1, kind, 200)} == {cy1}, kind
    gone = {i["registration_id"]: i["status"] for i in listed(inst, cy1, "not_in_register")}
    assert gone == {richer["filed_main"]: "filed", richer["ended_here"]: "ended"}


def test_the_main_list_matches_the_seed_and_masks_personal_data(
        api: Callable[..., ApiClient], demo: Demo) -> None:
    cy1 = demo.institution["inst.chaoyang1"]
    response = api("inst.chaoyang1").get(f"/api/v1/institutions/{cy1}/physicians?limit=200")
    items = response.get_json()["items"]
    assert len(items) >= 10
    assert {i["name"] for i in items} == csv_main_names("chaoyang1")
    assert all(i["institution"]["id"] == cy1 and i["kind"] == "main" for i in items)
    demo_row = next(i for i in items if i["name"] == "陈思远")
    assert demo_row["id_number"] == "110105********8996"
    assert demo_row["phone"] == "185****7495" and demo_row["account_state"] == "active"
    assert DEMO_ID not in response.get_data(as_text=True)


@pytest.mark.parametrize(("filters", "check"), [
    ({"name": "王"}, lambda i: "王" in i["name"]),
    ({"category": "4"}, lambda i: i["category"] == "4"),
    ({"category": "2"}, lambda i: i["category"] == "2"),
])
def test_filters_narrow_the_list(api: Callable[..., ApiClient], demo: Demo, database: Database,
                                 filters: dict, check) -> None:
    cy1 = demo.institution["inst.chaoyang1"]
    everything = listed(api("inst.chaoyang1"), cy1, "main", 200)
    narrowed = listed(api("inst.chaoyang1"), cy1, "main", 2, **filters)
    assert narrowed and narrowed == [i for i in everything if check(i)]


def test_the_status_filter_and_bad_filters(api: Callable[..., ApiClient], demo: Demo,
                                           richer: dict[str, int]) -> None:
    cy1 = demo.institution["inst.chaoyang1"]
    filed = listed(api("inst.chaoyang1"), cy1, "not_in_register", status="filed")
    assert [i["registration_id"] for i in filed] == [richer["filed_main"]]
    for query in ("list=nope", "category=7", "status=gone", "department=x", "cursor=%%%",
                  "limit=0"):
        response = api("inst.chaoyang1").get(f"/api/v1/institutions/{cy1}/physicians?{query}")
        assert response.status_code == 400, query
        assert error_of(response)["fields"]


def test_lists_stay_within_jurisdiction(api: Callable[..., ApiClient], demo: Demo,
                                        database: Database, client: FlaskClient) -> None:
    cy1 = demo.institution["inst.chaoyang1"]
    path = f"/api/v1/institutions/{cy1}/physicians"
    assert api("inst.jiangbei1").get(path).status_code == 404
    assert api("inst.chaoyang2").get(path).status_code == 404
    assert api("cq.jiangbei.wjw").get(path).status_code == 404
    assert api("bj.chaoyang.wjw").get(path).status_code == 200
    zou = database.scalar(select(Physician.id).where(Physician.name == "邹磊"))
    logged_in(client, "inst.jiangbei1")
    assert client.get(f"/institution/physicians/{zou}").status_code == 404
    jb_page = client.get("/institution/physicians").get_data(as_text=True)
    assert "邹磊" not in jb_page and "白敏" in jb_page


def test_the_list_pages_and_the_csv_export(client: FlaskClient, demo: Demo, database: Database,
                                           richer: dict[str, int]) -> None:
    cy1 = demo.institution["inst.chaoyang1"]
    logged_in(client, "inst.chaoyang1")
    for kind, shows in [("main", "陈思远"), ("filed_elsewhere", "北京市朝阳区"),
                        ("filed_here", "赵建英"), ("not_in_register", "已备案离岗")]:
        page = client.get(f"/institution/physicians?list={kind}")
        assert page.status_code == 200 and shows in page.get_data(as_text=True), kind
        export = client.get(f"/institution/physicians/export.csv?list={kind}")
        assert export.status_code == 200 and export.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows[0][:4] == ["姓名", "性别", "年龄", "身份证号"]
        assert len(rows) - 1 == len(expected(database, cy1, kind)), kind
        assert all("********" in r[3] for r in rows[1:])
    assert client.get("/institution/physicians?list=main&category=9").status_code == 400


# --- institution rename -----------------------------------------------------------------------

def test_a_renamed_institution_shows_its_new_name_everywhere(
        api: Callable[..., ApiClient], demo: Demo, database: Database) -> None:
    """Registrations point at the institution; nothing was copied, so nothing goes stale."""
    cy1, cy2 = demo.institution["inst.chaoyang1"], demo.institution["inst.chaoyang2"]
    add_registration(database, "赵建英", cy1, "multi_site")  # chaoyang2's physician, filed at 1
    with database.session() as s, change_context(None, "机构更名"):
        s.get(Institution, cy1).name = NEW_NAME
        s.commit()
    elsewhere = listed(api("inst.chaoyang2"), cy2, "filed_elsewhere")
    assert [i["institution"]["name"] for i in elsewhere] == [NEW_NAME]
    lookup = api("inst.jiangbei1").get(f"/api/v1/physician-registrations?id_number={DEMO_ID}")
    assert lookup.get_json()["items"][0]["institution"]["name"] == NEW_NAME


# --- verification by resident ID --------------------------------------------------------------

def _with_wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


UNKNOWN_ID = resident_id("11010519800101123")


def test_registration_lookup_is_nationwide_and_masked(api: Callable[..., ApiClient]) -> None:
    response = api("inst.jiangbei1").get(f"/api/v1/physician-registrations?id_number={DEMO_ID}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["physician"]["name"] == "陈思远"
    assert body["physician"]["id_number"] == "110105********8996"
    assert body["items"][0]["kind"] == "main" and body["items"][0]["status"] == "active"
    assert DEMO_ID not in response.get_data(as_text=True)


@pytest.mark.parametrize(("number", "status", "message"), [
    (_with_wrong_check_digit(DEMO_ID), 422, "公民身份号码校验位不正确，请核对"),
    ("11010519850417899", 422, "公民身份号码应为 18 位"),
    (UNKNOWN_ID, 404, "未查询到"),
])
def test_bad_and_unknown_ids(api: Callable[..., ApiClient], number: str, status: int,
                             message: str) -> None:
    response = api("inst.chaoyang1").get(f"/api/v1/physician-registrations?id_number={number}")
    assert response.status_code == status
    error = error_of(response)
    assert message in (error.get("fields", {}).get("id_number", [""])[0] or error["message"])


def test_a_qualified_but_unregistered_physician_has_no_registration(
        api: Callable[..., ApiClient], demo: Demo, database: Database) -> None:
    number = database.scalar(select(Physician.id_number).where(
        Physician.id == demo.physician["doctor.new"]))
    assert api("inst.chaoyang1").get(f"/api/v1/qualifications?id_number={number}").status_code == 200
    response = api("inst.chaoyang1").get(f"/api/v1/physician-registrations?id_number={number}")
    assert response.status_code == 404 and "尚未注册" in error_of(response)["message"]
    assert api("doctor.demo").get(
        f"/api/v1/physician-registrations?id_number={number}").status_code == 403


def test_the_verification_page(client: FlaskClient) -> None:
    logged_in(client, "inst.chaoyang1")
    token = csrf(client, "/institution/verify")
    found = client.post("/institution/verify", data={
        "csrf_token": token, "kind": "qualification", "id_number": DEMO_ID.lower()})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and "陈思远" in text and "110105********8996" in text
    assert DEMO_ID not in text and "首都医科大学" in text
    registered = client.post("/institution/verify", data={
        "csrf_token": token, "kind": "registration", "id_number": DEMO_ID})
    assert "北京市朝阳区康泰医院" in registered.get_data(as_text=True)
    bad = client.post("/institution/verify", data={
        "csrf_token": token, "kind": "qualification", "id_number": _with_wrong_check_digit(DEMO_ID)})
    assert bad.status_code == 422 and "公民身份号码校验位不正确，请核对" in bad.get_data(as_text=True)
    missing = client.post("/institution/verify", data={
        "csrf_token": token, "kind": "qualification", "id_number": UNKNOWN_ID})
    assert missing.status_code == 404 and "未查询到该身份证号码对应的医师资格信息" in \
        missing.get_data(as_text=True)


# --- applications and the printed application form --------------------------------------------

def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_an_application_is_listed_decided_and_printed(
        app, api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    cy1 = demo.institution["inst.chaoyang1"]
    with deployed(app):
        doctor, inst = api("doctor.demo"), api("inst.chaoyang1")
        started = doctor.post("/api/v1/cases", json={"process": PROCESS_ID,
                                                     "subject": {"institution_id": cy1}})
        assert started.status_code == 201, started.get_json()
        case_id = started.get_json()["id"]
        complete(doctor, open_item(doctor, case_id)["id"], {
            "scope": "102", "reason": "变更执业范围", "witness_id": "110101196901264383"})

        cases = f"/api/v1/institutions/{cy1}/physician-cases"
        open_cases = inst.get(cases + "?state=open").get_json()["items"]
        assert [c["id"] for c in open_cases] == [case_id]
        assert open_cases[0]["physician"] == {"id": demo.physician["doctor.demo"], "name": "陈思远",
                                              "id_number": "110105********8996"}
        assert inst.get(cases + "?state=done").get_json()["items"] == []
        cy2 = demo.institution["inst.chaoyang2"]
        assert api("inst.chaoyang2").get(
            f"/api/v1/institutions/{cy2}/physician-cases").get_json()["items"] == []

        logged_in(client, "inst.chaoyang1")
        page = client.get("/institution/applications").get_data(as_text=True)
        item = open_item(inst, case_id)
        assert f"/tasks/{item['id']}" in page and "办理业务" in page and "陈思远" in page
        pending = client.get(f"/institution/cases/{case_id}/application.pdf")
        assert "尚待医疗机构确认" in pdf_text(pending.data)

        complete(inst, item["id"], {"decision": "agree", "comment": "情况属实"})
        assert [c["id"] for c in inst.get(cases + "?state=done").get_json()["items"]] == [case_id]
        with database.session() as s, change_context(None, "机构更名"):
            s.get(Institution, cy1).name = NEW_NAME
            s.commit()
        printed = client.get(f"/institution/cases/{case_id}/application.pdf")
        assert printed.status_code == 200 and printed.mimetype == "application/pdf"
        text = pdf_text(printed.data)
        for expected_text in ("陈思远", "110105********8996", "医师测试业务申请表", "外科专业",
                              "变更执业范围", "110101********4383", "同意", "情况属实", NEW_NAME):
            assert expected_text in text, expected_text
        assert DEMO_ID not in text and "北京市朝阳区康泰医院" not in text

        assert api("bj.wjw").get(f"/api/v1/cases/{case_id}/application.pdf").status_code == 200
        assert api("inst.chaoyang2").get(
            f"/api/v1/cases/{case_id}/application.pdf").status_code == 404
        for other in ("inst.jiangbei1", "inst.chaoyang2"):
            logged_in(client, other)
            assert client.get(f"/institution/cases/{case_id}/application.pdf").status_code == 404
        logged_in(client, "bj.chaoyang.wjw")
        assert client.get(f"/institution/cases/{case_id}/application.pdf").status_code == 200


def test_a_registration_application_prints_for_the_institution(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo) -> None:
    """The real P1 process: doctor.new (qualified, never registered) applies at inst.chaoyang1."""
    cy1 = demo.institution["inst.chaoyang1"]
    doctor, inst = api("doctor.new"), api("inst.chaoyang1")
    started = doctor.post("/api/v1/cases", json={"process": "physician_registration",
                                                 "subject": {"institution_id": cy1}})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    complete(doctor, open_item(doctor, case_id)["id"], {
        "category": "1", "scope": "101", "pledge": True, "reason": "首次注册"})
    complete(inst, open_item(inst, case_id)["id"], {"decision": "agree"})
    listed_cases = inst.get(f"/api/v1/institutions/{cy1}/physician-cases?state=open")
    assert case_id in [c["id"] for c in listed_cases.get_json()["items"]]
    logged_in(client, "inst.chaoyang1")
    printed = client.get(f"/institution/cases/{case_id}/application.pdf")
    assert printed.status_code == 200
    text = pdf_text(printed.data)
    for expected_text in ("刘雨欣", "医师执业注册", "内科专业", "首次注册", "同意", "北京市朝阳区康泰医院"):
        assert expected_text in text, expected_text
