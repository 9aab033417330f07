"""S1 supervision_signup (seed 004 §1.1 用户注册, §2.1 注册审核): sign up, return with a reason,
correct, pass, then the administrator logs in by phone; Chaoyang sees none of it."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import ApiClient, Database, csrf, error_of, logged_in, login
from flask.testing import FlaskClient
from sqlalchemy import select
from supervision_helpers import signup_body

from service.access.models import Account
from service.institutions.face import Institution
from service.supervision.catalogue import ChecklistNode, DemeritRule, DemeritThreshold
from service.supervision.models import SupervisedUnit

SIGNUP = "/api/v1/supervision/signups"


def _signup(client: FlaskClient, **overrides):
    return client.post(SIGNUP, json=signup_body(**overrides))


def test_the_catalogues_are_loaded_per_province_and_version(database: Database) -> None:
    items = database.count(select(ChecklistNode).where(
        ChecklistNode.province == "500000", ChecklistNode.level == "item"))
    default = database.count(select(ChecklistNode).where(
        ChecklistNode.province == "default", ChecklistNode.level == "item"))
    assert (items, default) == (209, 207)
    first = database.scalar(select(DemeritRule).where(DemeritRule.code == "01.01"))
    assert first.points == 1 and first.version == "2026.1" and "九不准" in first.description
    assert database.count(select(DemeritThreshold).where(DemeritThreshold.opens_case)) == 3


def test_return_then_pass_then_login_by_phone(client: FlaskClient, api: Callable[..., ApiClient],
                                              database: Database, new_client) -> None:
    response = _signup(client)
    assert response.status_code == 201, response.get_json()
    unit = response.get_json()
    assert unit["status"] == "pending" and unit["institution_id"] is None
    # an area ticks all its groups; a group alone is allowed
    groups_a = database.scalars(select(ChecklistNode.code).where(
        ChecklistNode.province == "500000", ChecklistNode.parent_code == "A"))
    assert set(unit["scope"]) == {*groups_a, "B01"}
    # not yet reviewed: the administrator cannot log in
    assert login(new_client(), "13700000001", "Guanyin2026q").status_code == 401

    jiangbei = api("cq.jiangbei.wjw")
    listed = {u["id"]: u["status"] for u in jiangbei.get(SIGNUP).get_json()["items"]}
    assert listed[unit["id"]] == "pending"
    missing = jiangbei.post(f"{SIGNUP}/{unit['id']}/review", json={"decision": "return"})
    assert missing.status_code == 422
    assert "必须填写退回原因" in error_of(missing)["fields"]["reason"][0]
    returned = jiangbei.post(f"{SIGNUP}/{unit['id']}/review",
                             json={"decision": "return", "reason": "执业许可证照片不清晰"})
    assert returned.get_json()["status"] == "returned"

    # the institution follows its sign-up with phone and password, sees the reason, corrects
    page = new_client()
    token = csrf(page, "/supervision/signup/status")
    status = page.post("/supervision/signup/status", data={
        "phone": "13700000001", "password": "Guanyin2026q", "csrf_token": token})
    assert "执业许可证照片不清晰" in status.get_data(as_text=True)
    form = signup_body(address="重庆市江北区观音桥街道2号")
    form["csrf_token"] = csrf(page, "/supervision/signup/correct")
    assert page.post("/supervision/signup/correct", data=form).status_code == 302
    assert jiangbei.get(f"{SIGNUP}/{unit['id']}").get_json()["status"] == "pending"

    passed = jiangbei.post(f"{SIGNUP}/{unit['id']}/review", json={"decision": "pass"})
    assert passed.get_json()["status"] == "active"
    admin = new_client()
    assert login(admin, "13700000001", "Guanyin2026q").status_code == 302
    portal = admin.get("/supervision/", follow_redirects=True).get_data(as_text=True)
    assert "江北测试诊所1" in portal and "小燕" in portal
    history = database.scalar(select(SupervisedUnit).where(SupervisedUnit.id == unit["id"]))
    assert history.version >= 3 and history.address.endswith("2号")


def test_chaoyang_sees_none_of_it(client: FlaskClient, api: Callable[..., ApiClient],
                                  new_client) -> None:
    unit = _signup(client).get_json()
    chaoyang = api("bj.chaoyang.wjw")
    assert chaoyang.get(SIGNUP).get_json()["items"] == []
    assert chaoyang.get(f"{SIGNUP}/{unit['id']}").status_code == 404
    assert chaoyang.post(f"{SIGNUP}/{unit['id']}/review", json={"decision": "pass"}).status_code == 404
    page = logged_in(new_client(), "bj.chaoyang.wjw")
    assert page.get(f"/supervision/reviews/{unit['id']}").status_code == 404
    assert "江北测试诊所" not in page.get("/supervision/reviews").get_data(as_text=True)
    other_institution = api("inst.jiangbei1")
    assert other_institution.get(f"{SIGNUP}/{unit['id']}").status_code == 404


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"uscc": "12500105MB0000001X"}, "uscc", "统一社会信用代码"),
    ({"legal_representative_id": "110105199001010019"}, "legal_representative_id", "校验位"),
    ({"admin_id_number": "12345"}, "admin_id_number", "18 位"),
    ({"admin_phone": "1370000"}, "admin_phone", "手机号码格式不正确"),
    ({"contact_phone": "023-1234"}, "contact_phone", "手机号码"),
    ({"password": "abcdefgh", "password_confirm": "abcdefgh"}, "password", "字母和数字"),
    ({"password": "12345678", "password_confirm": "12345678"}, "password", "字母和数字"),
    ({"password_confirm": "Guanyin2026q6"}, "password_confirm", "不一致"),
    ({"scope": []}, "scope", "请选择执业自查范围"),
    ({"scope": ["ZZ"]}, "scope", "不正确"),
    ({"division_code": "500100"}, "division_code", "区县级"),
    ({"name": " "}, "name", "医疗机构名称"),
    ({"subject_codes": []}, "subject_codes", "诊疗科目"),
])
def test_each_signup_rule_is_422_and_writes_nothing(client: FlaskClient, database: Database,
                                                    overrides: dict, field: str, message: str) -> None:
    before = database.count(select(SupervisedUnit))
    response = _signup(client, **overrides)
    assert response.status_code == 422
    assert message in error_of(response)["fields"][field][0]
    assert database.count(select(SupervisedUnit)) == before


def test_phone_id_and_uscc_are_unique(client: FlaskClient) -> None:
    assert _signup(client).status_code == 201
    again = error_of(_signup(client))["fields"]
    assert "已注册" in again["uscc"][0] and "已注册" in again["admin_phone"][0]
    assert "已注册" in again["admin_id_number"][0]


def test_an_institution_in_the_registry_is_linked(client: FlaskClient, database: Database,
                                                  demo) -> None:
    inst = database.scalar(select(Institution).where(
        Institution.id == demo.institution["inst.chaoyang2"]))
    response = _signup(client, uscc=inst.uscc, division_code="110105")
    assert response.status_code == 201, response.get_json()
    unit = response.get_json()
    assert unit["institution_id"] == inst.id
    assert database.count(select(Institution).where(Institution.uscc == inst.uscc)) == 1


def test_the_signup_page_in_chinese_with_camera_upload(client: FlaskClient, database: Database) -> None:
    html = client.get("/supervision/signup").get_data(as_text=True)
    assert 'accept="image/*" capture' in html and "执业自查范围" in html and "机构资质" in html
    data = signup_body(7, admin_phone="13812")
    data["csrf_token"] = csrf(client, "/supervision/signup")
    response = client.post("/supervision/signup", data=data)
    assert response.status_code == 400 and "手机号码格式不正确" in response.get_data(as_text=True)
    no_csrf = client.post("/supervision/signup", data=signup_body(8))
    assert no_csrf.status_code == 400
    assert database.count(select(Account).where(Account.username == "13700000008")) == 0


def test_a_return_without_reason_is_refused_on_the_page(client: FlaskClient, new_client) -> None:
    unit = _signup(client).get_json()
    page = logged_in(new_client(), "cq.jiangbei.wjw")
    url = f"/supervision/reviews/{unit['id']}"
    response = page.post(url, data={"decision": "return", "reason": "", "csrf_token": csrf(page, url)})
    assert response.status_code == 400 and "必须填写退回原因" in response.get_data(as_text=True)


def test_the_review_runs_on_the_engine(client: FlaskClient, api: Callable[..., ApiClient],
                                       database: Database, new_client) -> None:
    """S1 is the BPMN process supervision_signup: the generic work-item door decides as the
    page and the sign-up API do, and the case ends approved."""
    from service.engine.models import Case, WorkItem

    unit = _signup(client, **signup_body(61)).get_json()
    case_id = database.scalar(select(SupervisedUnit.signup_case_id).where(SupervisedUnit.id == unit["id"]))
    jiangbei = api("cq.jiangbei.wjw")
    review = database.scalar(select(WorkItem.id).where(WorkItem.case_id == case_id, WorkItem.task == "review"))
    refused = jiangbei.post(f"/api/v1/work-items/{review}/complete", json={"data": {"decision": "return"}})
    assert refused.status_code == 422 and "必须填写退回原因" in error_of(refused)["fields"]["comment"][0]
    assert api("bj.chaoyang.wjw").post(f"/api/v1/work-items/{review}/complete",
                                       json={"data": {"decision": "pass"}}).status_code == 404
    returned = jiangbei.post(f"/api/v1/work-items/{review}/complete",
                             json={"data": {"decision": "return", "comment": "地址不详"}})
    assert returned.status_code == 200
    assert jiangbei.get(f"{SIGNUP}/{unit['id']}").get_json()["return_reason"] == "地址不详"
    # the correction is checked with the sign-up's rules before it is applied
    page = new_client()
    page.post("/supervision/signup/status", data={"phone": signup_body(61)["admin_phone"],
                                                   "password": "Guanyin2026q",
                                                   "csrf_token": csrf(page, "/supervision/signup/status")})
    bad = signup_body(61, legal_representative_id="110105199001010019")
    bad["csrf_token"] = csrf(page, "/supervision/signup/correct")
    assert page.post("/supervision/signup/correct", data=bad).status_code == 400
    good = signup_body(61, address="重庆市江北区观音桥街道9号")
    good["csrf_token"] = csrf(page, "/supervision/signup/correct")
    assert page.post("/supervision/signup/correct", data=good).status_code == 302
    again = database.scalar(select(WorkItem.id).where(WorkItem.case_id == case_id, WorkItem.task == "review",
                                                      WorkItem.status == "open"))
    assert jiangbei.post(f"/api/v1/work-items/{again}/complete",
                         json={"data": {"decision": "pass"}}).status_code == 200
    case = database.scalar(select(Case).where(Case.id == case_id))
    assert (case.process_id, case.status, case.outcome) == ("supervision_signup", "completed", "approved")
    assert jiangbei.get(f"{SIGNUP}/{unit['id']}").get_json()["status"] == "active"
    assert jiangbei.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert api("bj.chaoyang.wjw").get(f"/api/v1/cases/{case_id}").status_code == 404
