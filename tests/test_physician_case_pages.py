"""Pages of the physician processes: an institution files or cancels for one of its physicians
from 发起业务 (seed 003 ch.3 §8.2–8.3); finished cases say their outcome in the business's words."""
from __future__ import annotations

from conftest import csrf, logged_in
from physician_flow import PhysicianCase


def test_an_institution_files_one_of_its_physicians_from_start_a_business(client, demo):
    logged_in(client, "inst.chaoyang1")
    page = client.get("/cases/new").get_data(as_text=True)
    assert "医师注册备案" in page and "医师注销注册" in page
    assert "陈思远（110105********8996）" in page  # its physicians, ID masked
    token = csrf(client, "/cases/new")
    refused = client.post("/cases/new", data={"csrf_token": token, "process": "physician_filing"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/cases/new")
    started = client.post("/cases/new", data={
        "csrf_token": token, "process": "physician_filing",
        "physician_id": str(demo.physician["doctor.demo"])})
    assert started.status_code == 303 and "/tasks/" in started.headers["Location"]
    form = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "填写注册备案申请" in form and "医师注册备案：陈思远（北京市朝阳区康泰医院）" in form
    # several physicians' filings may run at once: the card is not blocked by the running one
    again = client.get("/cases/new").get_data(as_text=True)
    assert "贵单位已有办理中的医师注册备案" not in again


def test_a_physician_outside_the_institution_cannot_be_chosen(client, demo):
    logged_in(client, "inst.jiangbei1")
    token = csrf(client, "/cases/new")
    response = client.post("/cases/new", data={
        "csrf_token": token, "process": "physician_cancellation",
        "physician_id": str(demo.physician["doctor.demo"])})
    assert response.status_code == 404


def test_an_approved_registration_reads_as_registered(api, client, demo):
    flow = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(category="1", scope="101", pledge=True)
    flow.confirm()
    flow.decide("approve")
    logged_in(client, "bj.chaoyang.wjw")
    page = client.get(f"/cases/{flow.case_id}").get_data(as_text=True)
    assert "准予注册" in page and "校验合格" not in page
    listing = client.get("/tasks/cases/all").get_data(as_text=True)
    assert "准予注册" in listing
