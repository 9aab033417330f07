"""Setup approval and clinic filing (I1) at the Chaoyang counter through the REST API."""
from __future__ import annotations

import io

import pytest
from conftest import chinese, logged_in
from pypdf import PdfReader
from registration_flow import application, new_uscc
from sqlalchemy import select
from verification_flow import complete, open_item, upload


def _start(api_client, process: str) -> int:
    response = api_client.post("/api/v1/cases", json={
        "process": process, "subject": {"division_code": "110105"}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _setup_form(api_client, case_id: int, **changes) -> dict:
    from stdnum.cn import ric

    data = {"applicant_name": "北京和康医疗投资有限公司", "applicant_uscc": new_uscc(),
            "name": "北京朝阳和康医院", "category_code": "A100", "economic_type_code": "15",
            "management_class": "2", "address": "北京市朝阳区十里河路8号",
            "legal_representative": "吴桐",
            "legal_representative_id_number": "11010519790202002" + ric.calc_check_digit("110105197902020020"),
            "contact_phone": "13911114444", "service_mode": "门诊、住院", "beds": 200,
            "dental_chairs": 0, "subjects": ["03", "04", "20"]}
    for field in ("application_form", "feasibility_report", "site_report"):
        data[field] = [upload(api_client, case_id, field, 1)]
    data.update(changes)
    return data


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_setup_application_ends_in_an_approval_letter_or_a_refusal_with_reasons(
        api, client, decision):
    clerk, head = api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw")
    case_id = _start(clerk, "institution_setup")
    complete(clerk, open_item(clerk, case_id)["id"], _setup_form(clerk, case_id))
    complete(clerk, open_item(clerk, case_id)["id"], {"decision": "accept"})
    review = open_item(clerk, case_id)
    assert review["deadline"]
    complete(clerk, review["id"], {"decision": "approve", "inspection": "not_needed"})
    extra = {"comment": "不符合区域医疗机构设置规划"} if decision == "reject" else {}
    case = complete(head, open_item(head, case_id)["id"], {"decision": decision, **extra})
    assert case["outcome"] == ("approved" if decision == "approve" else "refused")
    assert case["subject"]["institution_id"] is None  # setup creates no record
    web = logged_in(client, "bj.chaoyang.wjw")
    pdf = web.get(f"/cases/{case_id}/prints/setup-letter.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "北京朝阳和康医院" in text
    assert ("准予设置" in text) if decision == "approve" else ("不符合区域医疗机构设置规划" in text)


def test_a_bad_resident_id_in_a_setup_is_refused_at_once(api):
    clerk = api("bj.chaoyang.clerk")
    case_id = _start(clerk, "institution_setup")
    response = clerk.post(f"/api/v1/work-items/{open_item(clerk, case_id)['id']}/complete", json={
        "data": _setup_form(clerk, case_id, legal_representative_id_number="110105197902020021")})
    assert response.status_code == 422
    assert chinese(response.get_json()["error"]["fields"]["legal_representative_id_number"][0])


def test_a_clinic_is_filed_at_once_with_its_certificate_and_is_exempt(api, client, database):
    from service.institutions.models import Institution

    clerk = api("bj.chaoyang.clerk")
    case_id = _start(clerk, "clinic_filing")
    data = application(clerk, case_id, name="北京朝阳康宁诊所", category_code="D211", beds=0,
                       subjects=["02", "03"])
    case = complete(clerk, open_item(clerk, case_id)["id"], data)
    assert case["status"] == "completed" and case["outcome"] == "approved"
    inst = database.scalar(select(Institution).where(Institution.id == case["subject"]["institution_id"]))
    assert inst.is_filed_clinic and inst.verification_due is None and inst.version == 1
    web = logged_in(client, "bj.chaoyang.clerk")
    pdf = web.get(f"/cases/{case_id}/prints/filing-certificate.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "北京朝阳康宁诊所" in text and "备案" in text


def test_only_clinics_are_filed(api):
    clerk = api("bj.chaoyang.clerk")
    case_id = _start(clerk, "clinic_filing")
    data = application(clerk, case_id, category_code="D110", beds=0)
    response = clerk.post(f"/api/v1/work-items/{open_item(clerk, case_id)['id']}/complete",
                          json={"data": data})
    assert response.status_code == 422
