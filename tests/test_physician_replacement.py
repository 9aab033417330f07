"""证书补办 (seed 003 ch.2): lost or damaged certificate; the main institution confirms, the
authority approves; the new certificate keeps the lifelong number and says 补发."""
from __future__ import annotations

import io

from conftest import login
from physician_flow import PhysicianCase
from pypdf import PdfReader

PROCESS = "physician_certificate_replacement"
STATEMENT = "2026年11月在地铁站遗失，已登报声明原证书作废。"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _case(api) -> PhysicianCase:
    return PhysicianCase(api("doctor.demo"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"), PROCESS)


def test_a_lost_certificate_is_replaced_with_the_same_number(api, demo):
    case = _case(api)
    doctor = demo.physician["doctor.demo"]
    before = case.applicant.get(f"/api/v1/physicians/{doctor}").get_json()["certificate_number"]
    assert "补发" not in _text(case.applicant.get(f"/api/v1/physicians/{doctor}/certificate.pdf").data)
    case.start(demo.institution["inst.chaoyang1"])
    case.apply(loss_kind="lost", lost_on="2026-11-20", statement=STATEMENT, pledge=True)
    case.confirm()
    assert case.approval_item()["organisation_id"] == demo.administration["bj.chaoyang.wjw"]
    done = case.decide("approve")
    assert done["status"] == "completed" and done["outcome"] == "approved"
    text = _text(case.applicant.get(f"/api/v1/physicians/{doctor}/certificate.pdf").data)
    assert before in text and "补发" in text and "原证书作废" in text
    after = case.applicant.get(f"/api/v1/physicians/{doctor}").get_json()["certificate_number"]
    assert after == before
    assert case.replay()["ok"] is True


def test_bad_applications_are_refused_with_reasons(api, demo):
    not_active = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                               PROCESS)
    assert not_active.start(demo.institution["inst.chaoyang1"], status=403)["error"]["message"]
    elsewhere = _case(api)
    body = elsewhere.start(demo.institution["inst.chaoyang2"], status=422)
    assert "主要执业机构" in body["error"]["message"]
    case = _case(api)
    case.start(demo.institution["inst.chaoyang1"])
    response = case.apply(status=422, loss_kind="lost", lost_on="2099-01-01",
                          statement=STATEMENT, pledge=True)
    assert "日期不能晚于今天" in response["error"]["fields"]["lost_on"]
    short = case.apply(status=422, loss_kind="damaged", statement="丢了", pledge=True)
    assert "statement" in short["error"]["fields"]
    again = _case(api).start(demo.institution["inst.chaoyang1"], status=422)
    assert "请勿重复申请" in again["error"]["message"]


def test_the_physician_finds_it_under_business_applications(app):
    client = app.test_client()
    login(client, "doctor.demo")
    page = client.get("/physician/businesses").get_data(as_text=True)
    assert "证书补办" in page and "补发" in page
    assert client.get(f"/physician/apply/{PROCESS}").status_code == 200

