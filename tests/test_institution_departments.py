"""The department dictionary of an institution (设置本院科室信息, seed 003 ch.3 §4): unique codes,
one or more of the institution's subjects per department, enable / disable, and the department
each physician works in (本院医师所在科室信息维护)."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import ApiClient, Database, Demo, csrf, error_of, logged_in
from flask.testing import FlaskClient
from institution_helpers import WANG_LI, ZOU_LEI, physician_id, send
from sqlalchemy import select

from service.institutions.face import Department
from service.physicians.admin_models import PhysicianDepartment
from service.registry.versioning import RecordVersion


@pytest.fixture
def cy1(demo: Demo) -> int:
    return demo.institution["inst.chaoyang1"]


def test_a_department_maps_to_several_of_the_institutions_subjects(
        api: Callable[..., ApiClient], database: Database, cy1: int) -> None:
    path = f"/api/v1/institutions/{cy1}/departments"
    # 03 is registered, so its sub-code 03.05 (not itself registered) is allowed too
    response = api("inst.chaoyang1").post(path, json={
        "code": "RXWK01", "name": "乳腺外科", "subjects": ["04.01", "03", "03.05"]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["subjects"] == ["03", "03.05", "04.01"]
    listed = {d["code"]: d for d in api("inst.chaoyang1").get(path).get_json()["items"]}
    assert listed["RXWK01"]["name"] == "乳腺外科" and listed["NK01"]["subjects"][0] == "03"


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"code": "JS01", "name": "精神科", "subjects": ["15"]}, "subjects", "不是本机构登记的诊疗科目"),
    ({"code": "JS01", "name": "精神科", "subjects": ["15.01"]}, "subjects", "不是本机构登记的诊疗科目"),
    ({"code": "JS01", "name": "精神科", "subjects": ["99.99"]}, "subjects", "不是本机构登记的诊疗科目"),
    ({"code": "JS01", "name": "精神科", "subjects": []}, "subjects", "请至少选择一个诊疗科目"),
    ({"code": "NK01", "name": "内科二", "subjects": ["03"]}, "code", "本机构已有该科室编码"),
    ({"code": "内科", "name": "内科二", "subjects": ["03"]}, "code", "科室编码为"),
    ({"code": "NK09", "name": " ", "subjects": ["03"]}, "name", "请填写科室名称"),
])
def test_department_rules_are_422_in_chinese(api: Callable[..., ApiClient], database: Database,
                                             cy1: int, body: dict, field: str, message: str) -> None:
    before = database.count(select(Department).where(Department.institution_id == cy1))
    response = api("inst.chaoyang1").post(f"/api/v1/institutions/{cy1}/departments", json=body)
    assert response.status_code == 422
    assert message in error_of(response)["fields"][field][0]
    assert database.count(select(Department).where(Department.institution_id == cy1)) == before


def test_the_same_code_at_another_institution_is_fine(api: Callable[..., ApiClient],
                                                       demo: Demo) -> None:
    cy2 = demo.institution["inst.chaoyang2"]
    response = api("inst.chaoyang2").post(f"/api/v1/institutions/{cy2}/departments", json={
        "code": "NK01", "name": "内科", "subjects": ["03"]})
    assert response.status_code == 201


def test_rename_disable_and_assignment(api: Callable[..., ApiClient], database: Database,
                                       cy1: int) -> None:
    inst = api("inst.chaoyang1")
    dept = database.scalar(select(Department.id).where(
        Department.institution_id == cy1, Department.code == "NK01"))
    base = f"/api/v1/institutions/{cy1}"
    renamed = send(inst, "patch", f"{base}/departments/{dept}", {"name": "大内科"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "大内科"
    zou = physician_id(database, ZOU_LEI)
    assigned = send(inst, "put", f"{base}/physicians/{zou}/department", {"department_id": dept})
    assert assigned.status_code == 200 and assigned.get_json()["department"]["name"] == "大内科"
    assert database.scalar(select(PhysicianDepartment.department_id).where(
        PhysicianDepartment.physician_id == zou, PhysicianDepartment.institution_id == cy1)) == dept

    off = send(inst, "patch", f"{base}/departments/{dept}", {"active": False})
    assert off.get_json()["active"] is False
    refused = send(inst, "put", f"{base}/physicians/{physician_id(database, WANG_LI)}/department",
                   {"department_id": dept})
    assert refused.status_code == 422 and "已停用" in error_of(refused)["fields"]["department_id"][0]
    assert database.scalar(select(RecordVersion.changed).where(
        RecordVersion.entity == "department", RecordVersion.entity_id == dept)
        .order_by(RecordVersion.version.desc()).limit(1)) == ["active"]

    cleared = send(inst, "put", f"{base}/physicians/{zou}/department", {"department_id": None})
    assert cleared.get_json()["department"] is None
    bad_subject = send(inst, "patch", f"{base}/departments/{dept}", {"subjects": ["15"]})
    assert bad_subject.status_code == 422


def test_a_jiangbei_institution_cannot_touch_chaoyang_physicians(
        api: Callable[..., ApiClient], demo: Demo, database: Database, cy1: int) -> None:
    jb = demo.institution["inst.jiangbei1"]
    dept = database.scalar(select(Department.id).where(
        Department.institution_id == jb, Department.code == "ZYNK01"))
    zou = physician_id(database, ZOU_LEI)
    jiangbei = api("inst.jiangbei1")
    assert send(jiangbei, "put", f"/api/v1/institutions/{jb}/physicians/{zou}/department",
                {"department_id": dept}).status_code == 404
    assert jiangbei.post(f"/api/v1/institutions/{jb}/activation-codes",
                         json={"physician_id": zou}).status_code == 404
    assert jiangbei.post(f"/api/v1/institutions/{cy1}/departments", json={
        "code": "X1", "name": "X", "subjects": ["03"]}).status_code == 404


def test_departments_and_the_department_of_a_physician_through_the_pages(
        client: FlaskClient, database: Database, cy1: int) -> None:
    logged_in(client, "inst.chaoyang1")
    page = client.get("/institution/departments").get_data(as_text=True)
    assert "NK01" in page and "呼吸内科专业" in page and "一个科室可以对应多个诊疗科目" in page
    token = csrf(client, "/institution/departments")
    added = client.post("/institution/departments", data={
        "csrf_token": token, "code": "TTK01", "name": "疼痛门诊", "subjects": ["26", "03.01"]},
        follow_redirects=True)
    assert "已增加科室：TTK01 疼痛门诊" in added.get_data(as_text=True)
    duplicate = client.post("/institution/departments", data={
        "csrf_token": token, "code": "TTK01", "name": "重复", "subjects": ["26"]},
        follow_redirects=True)
    assert "本机构已有该科室编码" in duplicate.get_data(as_text=True)
    dept = database.scalar(select(Department.id).where(
        Department.institution_id == cy1, Department.code == "TTK01"))
    wang = physician_id(database, WANG_LI)
    detail = client.get(f"/institution/physicians/{wang}").get_data(as_text=True)
    assert "本院所在科室" in detail and "TTK01 疼痛门诊" in detail
    saved = client.post(f"/institution/physicians/{wang}/department", data={
        "csrf_token": token, "department_id": str(dept)}, follow_redirects=True)
    assert "所在科室已设置为疼痛门诊" in saved.get_data(as_text=True)
    listed = client.get(f"/institution/physicians?list=main&department={dept}")
    names = re.findall(r"<tr>\s*<td>([^<]+)</td>", listed.get_data(as_text=True))
    assert names == [WANG_LI]



def test_a_department_is_renamed_remapped_and_disabled_on_its_page(
        client: FlaskClient, database: Database, cy1: int) -> None:
    dept = database.scalar(select(Department.id).where(
        Department.institution_id == cy1, Department.code == "WK01"))
    logged_in(client, "inst.chaoyang1")
    page = client.get(f"/institution/departments/{dept}").get_data(as_text=True)
    assert 'value="04.01" id="subject-04.01" checked' in page and "修改记录" in page
    token = csrf(client, f"/institution/departments/{dept}")
    saved = client.post(f"/institution/departments/{dept}", data={
        "csrf_token": token, "name": "普外科", "subjects": ["04", "04.01"]}, follow_redirects=True)
    assert "科室 WK01 已保存" in saved.get_data(as_text=True)
    client.post(f"/institution/departments/{dept}", data={"csrf_token": token, "active": "0"})
    name, active = database.rows(select(Department.name, Department.active)
                                 .where(Department.id == dept))[0]
    assert (name, active) == ("普外科", False)
    with database.session() as s:
        assert s.get(Department, dept).subject_codes == ["04", "04.01"]
    assert logged_in(client, "inst.jiangbei1").get(
        f"/institution/departments/{dept}").status_code == 404
