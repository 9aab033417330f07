"""S2 (seed 004 §1.2.2–1.2.4): institution data (versioned), departments with unique codes,
staff with duties and a scope within the institution's; staff log in by phone."""
from __future__ import annotations

import re

import pytest
from conftest import Database, csrf, logged_in, login
from flask.testing import FlaskClient
from sqlalchemy import select
from supervision_helpers import active_unit, resident_id, signup_body

from service.notify.models import Notification
from service.registry.versioning import RecordVersion
from service.supervision.models import SupervisionDepartment, SupervisionMember


@pytest.fixture
def admin(client: FlaskClient, api, new_client) -> FlaskClient:
    unit = active_unit(client, api)
    page = new_client()
    assert login(page, "13700000001", "Guanyin2026q").status_code == 302
    page.unit_id = unit["id"]
    return page


def _post(page: FlaskClient, url: str, data: dict):
    return page.post(url, data={**data, "csrf_token": csrf(page, url)})


def _department(page: FlaskClient, database: Database, code: str = "NK01") -> int:
    assert _post(page, "/supervision/departments",
                 {"name": "内科", "code": code, "is_enabled": "1"}).status_code == 302
    return database.scalar(select(SupervisionDepartment.id).where(SupervisionDepartment.code == code))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "code": "X1"}, "name", "请填写科室名称"),
    ({"name": "外科", "code": ""}, "code", "请填写科室编码"),
    ({"name": "外科", "code": "NK01"}, "code", "科室编码不可重复添加"),
])
def test_department_rules(admin: FlaskClient, database: Database, data, field, message) -> None:
    _department(admin, database)
    response = _post(admin, "/supervision/departments", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert database.count(select(SupervisionDepartment).where(
        SupervisionDepartment.unit_id == admin.unit_id)) == 1


def test_department_defaults_on_can_be_switched_off_and_is_deleted_only_when_unused(
        admin: FlaskClient, database: Database) -> None:
    dep = _department(admin, database)
    assert database.scalar(select(SupervisionDepartment).where(SupervisionDepartment.id == dep)).is_enabled
    _post(admin, f"/supervision/departments/{dep}", {"name": "内科", "code": "NK01"})
    assert not database.scalar(select(SupervisionDepartment).where(SupervisionDepartment.id == dep)).is_enabled
    _post(admin, f"/supervision/departments/{dep}", {"name": "内科", "code": "NK01", "is_enabled": "1"})
    _staff(admin, dep)
    response = admin.post(f"/supervision/departments/{dep}/delete",
                          data={"csrf_token": csrf(admin, "/supervision/departments")}, follow_redirects=True)
    assert "不能删除" in response.get_data(as_text=True)
    assert database.count(select(SupervisionDepartment).where(
        SupervisionDepartment.unit_id == admin.unit_id)) == 1


def _staff(page: FlaskClient, dep: int, **overrides):
    data = {"name": "演示自查人", "department_id": str(dep), "id_number": resident_id(71),
            "phone": "13600000071", "duties": ["inspection"], "scope": ["A01", "B01"], **overrides}
    return _post(page, "/supervision/staff/new", data)


def test_staff_get_an_account_and_log_in_by_phone(admin: FlaskClient, database: Database,
                                                  new_client) -> None:
    dep = _department(admin, database)
    assert _staff(admin, dep).status_code == 302
    sms = database.scalar(select(Notification).where(Notification.address == "13600000071"))
    password = re.search(r"初始密码为 (\w+)", sms.body).group(1)
    staff_page = new_client()
    assert login(staff_page, "13600000071", password).status_code == 302
    listed = admin.get("/supervision/staff").get_data(as_text=True)
    assert "演示自查人" in listed and "机构资质" in listed


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "请填写姓名"),
    ({"department_id": ""}, "请选择所属科室"),
    ({"id_number": "110105199001010019"}, "校验位"),
    ({"phone": "1360000"}, "手机号格式不正确"),
    ({"phone": "13700000001"}, "不可重复添加"),
    ({"duties": []}, "请选择业务范围"),
    ({"scope": []}, "必须选择执业自查范围"),
    ({"scope": ["C01"]}, "只能从本机构的自查范围中选择"),
])
def test_staff_rules(admin: FlaskClient, database: Database, overrides: dict, message: str) -> None:
    dep = _department(admin, database)
    response = _staff(admin, dep, **overrides)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert database.count(select(SupervisionMember).where(
        SupervisionMember.unit_id == admin.unit_id)) == 1  # the administrator only


def test_id_number_is_unique_and_a_scorer_needs_no_scope(admin: FlaskClient, database: Database) -> None:
    dep = _department(admin, database)
    assert _staff(admin, dep).status_code == 302
    again = _staff(admin, dep, phone="13600000072")
    assert "该身份证号已添加" in again.get_data(as_text=True)
    scorer = _staff(admin, dep, phone="13600000073", id_number=resident_id(73),
                    duties=["scoring"], scope=[])
    assert scorer.status_code == 302


def test_institution_data_edit_is_versioned(admin: FlaskClient, database: Database) -> None:
    form = signup_body(address="重庆市江北区新地址8号")
    response = _post(admin, "/supervision/unit", form)
    assert response.status_code == 302
    versions = database.scalars(select(RecordVersion).where(RecordVersion.entity == "sv_unit"))
    assert any(v.reason == "单位信息基本维护" for v in versions)


def test_staff_pages_are_for_the_administrator_only(admin: FlaskClient, new_client) -> None:
    for username in ("inst.chaoyang1", "13800000001"):
        other = logged_in(new_client(), username)
        assert other.get("/supervision/staff").status_code == 403
        assert other.get("/supervision/departments").status_code == 403
    # another institution's administrator reaches none of this one's staff
    assert logged_in(new_client(), "inst.jiangbei1").get("/supervision/staff/1").status_code == 404


def test_demo_staff_of_jiangbei1_log_in_by_phone(new_client) -> None:
    for phone, name in (("13800000001", "演示自查人"), ("13800000002", "演示不良人")):
        page = new_client()
        assert login(page, phone).status_code == 302
        portal = page.get("/supervision/", follow_redirects=True).get_data(as_text=True)
        assert "重庆市江北区鸿恩中医医院" in portal and name in portal


def test_my_page_edits_name_and_phone_and_the_new_phone_logs_in(new_client) -> None:
    page = logged_in(new_client(), "13800000002")
    bad = _post(page, "/supervision/me", {"name": "", "phone": "13800000001"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "请填写姓名" in text and "该手机号已被使用" in text
    assert _post(page, "/supervision/me", {"name": "演示记分员", "phone": "13800000022"}).status_code == 302
    assert login(new_client(), "13800000022").status_code == 302
    assert login(new_client(), "13800000002").status_code == 401
    confirm = page.get("/supervision/logout").get_data(as_text=True)
    assert "确认退出当前账户" in confirm and 'action="/logout"' in confirm
