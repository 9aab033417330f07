"""The physician's own pages (seed 003 ch.2 §2): her information, the businesses she may apply
for (each starting its process at the institution it goes to), her cases; and what an account
that is not activated yet may see."""
from __future__ import annotations

import re

from conftest import Database, Demo, csrf, logged_in
from flask.testing import FlaskClient
from sqlalchemy import select

from service.engine.models import Case

BUSINESS_NAMES = ("注册", "助理医师升执业医师", "军队变更入", "变更到军队", "变更", "注销",
                  "多执业机构备案", "多执业机构取消备案", "证书补办", "申请取消“多地点执业”")


def test_her_home_shows_basic_qualification_and_practice_information(client: FlaskClient) -> None:
    logged_in(client, "doctor.demo")
    assert client.get("/").headers["Location"].endswith("/physician/")
    home = client.get("/physician/").get_data(as_text=True)
    for shown in ("陈思远", "110105********8996", "110110105229716", "北京市朝阳区康泰医院",
                  "内科专业", "主治医师", "首都医科大学", "北京市"):
        assert shown in home, shown
    assert "110105198504178996" not in home
    for label in ("基本信息", "资格信息", "执业信息", "考核信息", "信息维护", "业务申请", "业务查询",
                  "安全设置"):
        assert label in home
    qualification = client.get("/physician/qualification").get_data(as_text=True)
    assert "201111110110105198504178976" in qualification and "2011" in qualification
    practice = client.get("/physician/practice").get_data(as_text=True)
    assert "110110105229716" in practice
    certificate = re.search(r'href="(/physicians/\d+/certificate\.pdf\?registration=\d+)"', practice)
    assert certificate, "no certificate link for her main registration"
    pdf = client.get(certificate.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "暂无考核记录" in client.get("/physician/assessment").get_data(as_text=True)


def test_the_business_list_explains_each_business(client: FlaskClient) -> None:
    logged_in(client, "doctor.demo")
    page = client.get("/physician/businesses").get_data(as_text=True)
    for name in BUSINESS_NAMES:
        assert f"、{name}</h2>" in page, name
    assert "一个执业地点下，有并且只有一个主要执业机构" in page
    assert 'href="/physician/apply/physician_multi_site_filing"' in page
    # doctor.demo has no filing to cancel: no button for it
    assert 'href="/physician/apply/physician_multi_site_cancel"' not in page


def test_she_picks_the_target_institution_and_lands_on_the_first_form(
        client: FlaskClient, demo: Demo, database: Database) -> None:
    logged_in(client, "doctor.demo")
    found = client.get("/physician/apply/physician_multi_site_filing?q=青枫").get_data(as_text=True)
    assert "北京市朝阳区青枫社区卫生服务中心" in found
    token = csrf(client, "/physician/apply/physician_multi_site_filing?q=青枫")
    response = client.post("/physician/apply/physician_multi_site_filing", data={
        "institution_id": demo.institution["inst.chaoyang2"], "csrf_token": token})
    assert response.status_code == 303 and re.match(r"^/tasks/\d+$", response.headers["Location"])
    assert client.get(response.headers["Location"]).status_code == 200
    case = database.scalar(select(Case).where(Case.process_id == "physician_multi_site_filing")
                           .order_by(Case.id.desc()).limit(1))
    assert case.subject_institution_id == demo.institution["inst.chaoyang2"]
    assert case.subject_physician_id == demo.physician["doctor.demo"]
    cases = client.get("/physician/cases").get_data(as_text=True)
    assert f"/cases/{case.id}" in cases and "办理中" in cases


def test_a_business_about_her_main_institution_offers_only_that_one(
        client: FlaskClient, demo: Demo, database: Database) -> None:
    logged_in(client, "doctor.demo")
    page = client.get("/physician/apply/physician_cancellation").get_data(as_text=True)
    assert "北京市朝阳区康泰医院" in page and "机构名称 <input" not in page
    token = csrf(client, "/physician/apply/physician_cancellation")
    response = client.post("/physician/apply/physician_cancellation", data={
        "institution_id": demo.institution["inst.chaoyang2"], "csrf_token": token})
    assert response.status_code == 200 and "请选择有效的医疗机构" in response.get_data(as_text=True)
    assert database.scalar(select(Case.id).where(
        Case.process_id == "physician_cancellation")) is None


def test_before_activation_she_sees_only_activation_qualification_and_allowed_businesses(
        client: FlaskClient, demo: Demo) -> None:
    logged_in(client, "doctor.new")
    for path in ("/", "/physician/", "/physician/info", "/physician/security", "/inbox/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/physician/activate"), path
    page = client.get("/physician/activate").get_data(as_text=True)
    assert "医师账户激活" in page and "资格信息" in page and "基本信息" not in page
    assert client.get("/physician/qualification").status_code == 200
    businesses = client.get("/physician/businesses").get_data(as_text=True)
    assert businesses.count("账户激活后可办理") == len(BUSINESS_NAMES) - 2
    refused = client.get("/physician/apply/physician_upgrade")
    assert refused.headers["Location"].endswith("/physician/activate")

    token = csrf(client, "/physician/apply/physician_registration?q=康泰")
    started = client.post("/physician/apply/physician_registration", data={
        "institution_id": demo.institution["inst.chaoyang1"], "csrf_token": token})
    assert started.status_code == 303 and started.headers["Location"].startswith("/tasks/")
    assert client.get(started.headers["Location"]).status_code == 200
    assert "业务编号" in client.get("/physician/cases").get_data(as_text=True)


def test_these_pages_are_hers_alone(client: FlaskClient) -> None:
    logged_in(client, "inst.chaoyang1")
    for path in ("/physician/", "/physician/businesses", "/physician/security"):
        assert client.get(path).status_code == 404, path


def test_she_chooses_her_department_among_her_institutions_departments(
        client: FlaskClient, demo: Demo, database: Database) -> None:
    from service.institutions.face import Department
    from service.physicians.admin_models import PhysicianDepartment

    logged_in(client, "doctor.demo")
    page = client.get("/physician/department").get_data(as_text=True)
    assert "北京市朝阳区康泰医院" in page and "内科（NK01）" in page
    inst = demo.institution["inst.chaoyang1"]
    internal = database.scalar(select(Department.id).where(
        Department.institution_id == inst, Department.code == "NK01"))
    token = csrf(client, "/physician/department")
    saved = client.post("/physician/department", data={
        "institution_id": inst, "department_id": internal, "csrf_token": token})
    assert saved.status_code == 303
    assert "已将您在北京市朝阳区康泰医院的科室设为“内科”" in client.get(
        "/physician/department").get_data(as_text=True)
    assert database.scalar(select(PhysicianDepartment.department_id).where(
        PhysicianDepartment.physician_id == demo.physician["doctor.demo"])) == internal
    # an institution where she does not practise is not hers to choose in
    other = client.post("/physician/department", data={
        "institution_id": demo.institution["inst.chaoyang2"], "department_id": internal,
        "csrf_token": token})
    assert other.status_code == 404
