"""The 校验申请业务提示 step before the application, and the saved application printed with its
roster (seed 001 steps 二–三 and Q4)."""
from __future__ import annotations

import io

from conftest import login
from pypdf import PdfReader
from sqlalchemy import func, select
from verification_flow import Verification, open_item


def _page(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _open_cases(database, inst_id: int) -> int:
    from service.engine.models import Case

    return database.scalar(select(func.count()).select_from(Case).where(
        Case.subject_institution_id == inst_id, Case.status == "open"))


def test_the_notice_comes_before_the_form_and_next_starts_the_case(app, database, demo):
    inst_id = demo.institution["inst.chaoyang2"]
    client = _page(app, "inst.chaoyang2")
    start_page = client.get("/cases/new").get_data(as_text=True)
    assert "/institutions/verification/notice" in start_page
    page = client.get("/institutions/verification/notice")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "医疗机构校验申请业务提示" in html
    assert "人员名录" in html and "有效期延续申请书" in html and "下一步" in html
    assert _open_cases(database, inst_id) == 0  # reading the notice starts nothing

    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/cases/new", data={"process": "institution_verification",
                                                "csrf_token": token})
    assert response.status_code == 303 and _open_cases(database, inst_id) == 1
    again = client.get("/institutions/verification/notice").get_data(as_text=True)
    assert "已提交校验申请" in again and ">下一步</button>" not in again


def test_the_notice_is_for_institutions_only(app):
    assert _page(app, "bj.chaoyang.wjw").get("/institutions/verification/notice").status_code == 404


def test_the_saved_application_prints_with_its_roster(app, api, demo):
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    item_id, data = flow.application(contact_phone="010-65991234")
    draft = flow.institution.post(f"/api/v1/work-items/{item_id}/draft", json={"data": data})
    assert draft.status_code == 200, draft.get_json()
    client = _page(app, "inst.chaoyang1")
    case_page = client.get(f"/cases/{flow.case_id}").get_data(as_text=True)
    assert "打印校验申请书" in case_page
    pdf = client.get(f"/cases/{flow.case_id}/prints/verification-application.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _text(pdf.data)
    assert "医疗机构校验申请书" in text and "010-65991234" in text
    assert f"共 {len(data['roster'])} 人" in text and data["roster"][0]["name"] in text
    assert "签字" in text
    assert open_item(flow.institution, flow.case_id)["task"] == "submit_application"


def test_another_institution_cannot_print_it(app, api, demo):
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    other = _page(app, "inst.chaoyang2")
    assert other.get(f"/cases/{flow.case_id}/prints/verification-application.pdf").status_code == 404
