"""Issue 17 items 7 and 13: the confirmation and approval forms of a person's business show who
applies (masked ID, qualification certificate number, category, level, education), the
application, and on the approval the institution's opinion — one shared panel for physicians
and nurses; 拟执业科室 of a P1 application becomes the physician's department on approval."""
from __future__ import annotations

import pytest
from conftest import logged_in
from nurse_flow import application as nurse_application
from physician_flow import PhysicianCase, item_of

DOCTOR_NEW_ID = "110105199706082882"
DOCTOR_NEW_QUALIFICATION = "202411110110108199706084254"


@pytest.fixture
def p1(api) -> PhysicianCase:
    return PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")


def _task_page(new_client, username: str, api_client, case_id: int, task: str) -> str:
    item = item_of(api_client, case_id, task)
    response = logged_in(new_client(), username).get(f"/tasks/{item['id']}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_physician_forms_show_who_applies_and_the_institutions_opinion(p1, demo, new_client):
    p1.start(demo.institution["inst.chaoyang1"])
    p1.apply(category="1", scope="101", pledge=True, department="内科")
    page = _task_page(new_client, "inst.chaoyang1", p1.institution, p1.case_id, "confirm")
    assert "申请人信息（医师）" in page
    for shown in ("刘雨欣", "110105********2882", DOCTOR_NEW_QUALIFICATION, "临床", "执业医师",
                  "硕士研究生", "首都医科大学", "拟执业科室", "内科"):
        assert shown in page, shown
    assert DOCTOR_NEW_ID not in page and "医疗机构意见" not in page  # its own task
    p1.confirm("agree", "同意该医师在本院内科执业")
    page = _task_page(new_client, "bj.chaoyang.wjw", p1.authority, p1.case_id, "approve")
    assert "申请人信息（医师）" in page and DOCTOR_NEW_QUALIFICATION in page
    assert "医疗机构意见" in page and "同意该医师在本院内科执业" in page
    assert DOCTOR_NEW_ID not in page


def test_the_chosen_department_is_applied_on_approval(p1, demo, database):
    from sqlalchemy import select

    from service.institutions.face import Department
    from service.physicians.admin_models import PhysicianDepartment

    p1.start(demo.institution["inst.chaoyang1"])
    p1.apply(category="1", scope="101", pledge=True, department="急诊科")
    p1.confirm()
    assert p1.decide("approve")["outcome"] == "approved"
    name = database.scalar(select(Department.name).join(
        PhysicianDepartment, PhysicianDepartment.department_id == Department.id).where(
        PhysicianDepartment.physician_id == demo.physician["doctor.new"],
        PhysicianDepartment.institution_id == demo.institution["inst.chaoyang1"]))
    assert name == "急诊科"


def test_a_department_the_institution_has_not_set_up_is_refused(p1, demo):
    p1.start(demo.institution["inst.chaoyang1"])
    fields = p1.apply(422, category="1", scope="101", pledge=True,
                      department="不存在的科室")["error"]["fields"]
    assert "拟执业科室应为北京市朝阳区康泰医院设置的科室之一" in fields["department"][0]
    assert "内科" in fields["department"][0]


def test_the_nurse_forms_show_the_same_panel(api, demo, new_client):
    n1 = PhysicianCase(api("nurse.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                       "nurse_registration")
    n1.start(demo.institution["inst.chaoyang1"])
    n1.apply(**nurse_application(n1.applicant))
    page = _task_page(new_client, "inst.chaoyang1", n1.institution, n1.case_id, "confirm")
    assert "申请人信息（护士）" in page and "110105********2149" in page
    assert "202611000417" in page and "大专" in page  # exam certificate number, education
    n1.confirm("agree", "同意注册")
    page = _task_page(new_client, "bj.chaoyang.wjw", n1.authority, n1.case_id, "approve")
    assert "医疗机构意见" in page and "同意注册" in page and "110105200003152149" not in page


def test_the_application_form_prints_for_a_nurse(api, demo):
    n1 = PhysicianCase(api("nurse.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                       "nurse_registration")
    n1.start(demo.institution["inst.chaoyang1"])
    assert n1.institution.get(f"/api/v1/cases/{n1.case_id}/application.pdf").status_code == 404
    n1.apply(**nurse_application(n1.applicant))
    n1.confirm("agree", "同意")
    pdf = n1.institution.get(f"/api/v1/cases/{n1.case_id}/application.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "护士执业注册申请表" in text and "周晓彤" in text and "110105********2149" in text
    assert "同意" in text
    # the nurse herself cannot print it, nor another institution
    assert n1.applicant.get(f"/api/v1/cases/{n1.case_id}/application.pdf").status_code == 404
    assert api("inst.chaoyang2").get(f"/api/v1/cases/{n1.case_id}/application.pdf").status_code == 404
