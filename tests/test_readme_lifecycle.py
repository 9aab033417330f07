"""The README's walk-through of an institution's life, step by step with the demo accounts:
the pages and buttons it names (窗口受理, 开始录入申请, 打印许可证正本, 扫码核验页面, the counter
businesses on the institution page, 办理窗口) and what each step leaves behind. The task forms
are completed through the REST API, the same engine step the page's 提交 takes."""
from __future__ import annotations

import io
import re

from conftest import csrf, logged_in
from lifecycle_flow import Business
from national_flow import acknowledged
from pypdf import PdfReader
from registration_flow import application
from sqlalchemy import select
from verification_flow import complete, open_item, upload

from service.engine.models import WorkItem
from service.institutions.models import Institution

CLERK, HEAD, DONGCHENG = "bj.chaoyang.clerk", "bj.chaoyang.wjw", "bj.dongcheng.wjw"


def _started_case(database, response) -> int:
    """The case a start opened: the page goes on to its first task (or the case page)."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    if found := re.search(r"/cases/(\d+)", location):
        return int(found.group(1))
    item_id = int(re.search(r"/(\d+)", location).group(1))
    return database.scalar(select(WorkItem.case_id).where(WorkItem.id == item_id))


def _counter_start(database, page, institution_id: int, process: str) -> int:
    detail = f"/institutions/{institution_id}"
    assert process in page.get(detail).get_data(as_text=True)
    return _started_case(database, page.post(f"{detail}/start", data={
        "process": process, "csrf_token": csrf(page, detail)}))


def test_the_readme_walk_through(app, api, database) -> None:
    clerk_page = logged_in(app.test_client(), CLERK)
    clerk, head = api(CLERK), api(HEAD)
    # 1. register at the counter: 窗口受理 → 医疗机构执业登记, 110105 → 开始录入申请
    counter = clerk_page.get("/institutions/counter").get_data(as_text=True)
    assert "窗口受理" in counter and "医疗机构执业登记" in counter and "开始录入申请" in counter
    case_id = _started_case(database, clerk_page.post("/institutions/counter", data={
        "process": "institution_registration", "division_code": "110105",
        "csrf_token": csrf(clerk_page, "/institutions/counter")}))
    assert "京朝卫登〔" in clerk_page.get(f"/cases/{case_id}").get_data(as_text=True)
    complete(clerk, open_item(clerk, case_id)["id"], application(clerk, case_id, name="北京朝阳走查医院", beds=120))
    complete(clerk, open_item(clerk, case_id)["id"], {"decision": "accept"})
    complete(clerk, open_item(clerk, case_id)["id"], {"decision": "approve", "inspection": "not_needed"})
    # 2. approve (four eyes): the clerk who reviewed may not; bj.chaoyang.wjw may
    item = open_item(head, case_id)
    assert clerk.post(f"/api/v1/work-items/{item['id']}/complete",
                      json={"data": {"decision": "approve"}}).status_code in (403, 404)
    # the e-licence follows the national registry's acknowledgement (the embedded default's
    # simulator sends it a moment after the approval)
    inst_id = acknowledged(head, complete(head, item["id"], {"decision": "approve"}))[
        "subject"]["institution_id"]
    # 3. print the licence from the institution's page
    head_page = logged_in(app.test_client(), HEAD)
    detail = head_page.get(f"/institutions/{inst_id}").get_data(as_text=True)
    assert "打印许可证正本" in detail and "扫码核验页面" in detail
    pdf = head_page.get(f"/institutions/{inst_id}/licence.pdf?copy=original")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "北京朝阳走查医院" in text
    # 4. scan its QR code: the public page, no login
    code = head.get(f"/api/v1/institutions/{inst_id}").get_json()["licence_verify_code"]
    verify = app.test_client().get(f"/licences/verify/{code}")
    assert verify.status_code == 200 and "北京朝阳走查医院" in verify.get_data(as_text=True)
    # 5. change its beds: the institution page's 窗口受理 → 医疗机构变更登记
    change = _counter_start(database, clerk_page, inst_id, "institution_change")
    complete(clerk, open_item(clerk, change)["id"], {
        "beds": 150, "reason": "扩建病房", "materials": [upload(clerk, change, "change", 1)]})
    complete(clerk, open_item(clerk, change)["id"], {"decision": "approve"})
    complete(head, open_item(head, change)["id"], {"decision": "approve"})
    assert database.scalar(select(Institution.beds).where(Institution.id == inst_id)) == 150
    assert app.test_client().get(f"/api/v1/licences/verify/{code}").get_json()["status"] == "void"
    # 6. roll the change back: 业务回退
    rollback = Business("institution_rollback", clerk, clerk, head)
    rollback.case_id = _counter_start(database, clerk_page, inst_id, "institution_rollback")
    rollback.submit({"reason": "变更登记床位录入错误"})
    rollback.review()
    rollback.approve()
    inst = database.scalar(select(Institution).where(Institution.id == inst_id))
    assert inst.beds == 120 and inst.version == 3
    # 7. suspend and resume
    for process, data, status in (
            ("institution_suspension", {"reason_kind": "renovation", "reason": "病房装修",
                                        "period_from": "2026-12-10", "period_to": "2027-03-01"},
             "suspended"),
            ("institution_resumption", {"reason": "装修完成"}, "active")):
        flow = Business(process, clerk, clerk, head)
        flow.case_id = _counter_start(database, clerk_page, inst_id, process)
        flow.submit(data)
        flow.review()
        flow.approve()
        assert database.scalar(select(Institution.status).where(Institution.id == inst_id)) == status
    # 8. transfer it to Dongcheng: 医疗机构移交, accepted by bj.dongcheng.wjw
    transfer = _counter_start(database, clerk_page, inst_id, "institution_transfer")
    complete(clerk, open_item(clerk, transfer)["id"], {
        "to_division_code": "110101", "new_division_code": "110101", "reason": "机构迁址至东城区"})
    complete(head, open_item(head, transfer)["id"], {"decision": "approve"})
    dongcheng = api(DONGCHENG)
    accept = open_item(dongcheng, transfer)
    assert accept["title"] == "接收机构移交"
    complete(dongcheng, accept["id"], {"decision": "accept"})
    assert clerk_page.get(f"/institutions/{inst_id}").status_code == 404
    assert logged_in(app.test_client(), DONGCHENG).get(f"/institutions/{inst_id}").status_code == 200
