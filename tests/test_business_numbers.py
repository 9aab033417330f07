"""Business numbers (业务编号, e.g. 京朝卫校〔2026〕0001) and the counter's address and office
hours (issue 17 item 16): numbered at start per administration, business word and year, shown
on the case page, the inbox and the print-outs; the notice prints the counter as its account
manager keeps it, under one name (通知单) on the button and the document."""
from __future__ import annotations

import io
import re

import pytest
from conftest import csrf, logged_in
from pypdf import PdfReader
from registration_flow import Registration
from verification_flow import Verification

from service.core.times import SHANGHAI, utcnow
from service.registry import business_numbers


def _year() -> int:
    return utcnow().astimezone(SHANGHAI).year


def test_cases_are_numbered_per_administration_business_and_year(api, demo) -> None:
    clerk, approver = api("bj.chaoyang.wjw"), api("bj.chaoyang.clerk")
    first = Registration(clerk, approver).start()
    second = Registration(clerk, approver).start()
    pattern = re.compile(rf"^京朝卫登〔{_year()}〕(\d{{4}})$")
    a, b = pattern.match(first["business_number"]), pattern.match(second["business_number"])
    assert a and b, (first["business_number"], second["business_number"])
    assert int(b.group(1)) == int(a.group(1)) + 1
    # another administration counts on its own: Dongcheng's first registration
    dongcheng = Registration(api("bj.dongcheng.wjw"), approver).start("110101")
    assert re.match(rf"^京东卫登〔{_year()}〕\d{{4}}$", dongcheng["business_number"])
    # another business of the same administration has its own word and serial
    verification = Verification(api("inst.chaoyang1"), clerk)
    verification.start(demo.institution["inst.chaoyang1"])
    case = clerk.get(f"/api/v1/cases/{verification.case_id}").get_json()
    assert re.match(rf"^京朝卫校〔{_year()}〕\d{{4}}$", case["business_number"])


def test_the_pattern_is_data_most_specific_first(monkeypatch) -> None:
    rows = {("*", "*"): "{authority}卫{word}〔{year}〕{serial:04d}",
            ("500000", "*"): "渝卫{word}〔{year}〕{serial:05d}",
            ("110105", "institution_verification"): "朝校{year}-{serial:03d}"}
    monkeypatch.setattr(business_numbers, "_patterns", lambda: rows)
    assert business_numbers.pattern_for("110105", "institution_verification") == "朝校{year}-{serial:03d}"
    assert business_numbers.pattern_for("110105", "institution_change").startswith("{authority}")
    assert business_numbers.pattern_for("500105", "institution_change").startswith("渝卫")


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def approved_verification(api, demo) -> Verification:
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    flow.submit()
    flow.review("approve")
    return flow


def test_the_notice_prints_the_counter_its_manager_keeps_and_the_number(
        app, approved_verification, demo) -> None:
    case_id = approved_verification.case_id
    number = approved_verification.bureau.get(f"/api/v1/cases/{case_id}").get_json()["business_number"]
    manager = logged_in(app.test_client(), "bj.chaoyang.wjw")
    page = manager.get("/office/").get_data(as_text=True)
    assert "朝阳区政务服务中心" in page  # the demo counter
    token = csrf(manager, "/office/")
    saved = manager.post("/office/", data={"csrf_token": token, "counter_address": "北京市朝阳区霄云路霄云里1号二层卫生健康窗口",
                                           "office_hours": "工作日 08:30-12:00，13:00-17:00"})
    assert saved.status_code == 303
    institution = logged_in(app.test_client(), "inst.chaoyang1")
    case_page = institution.get(f"/cases/{case_id}").get_data(as_text=True)
    assert number in case_page
    assert "打印网上审核指导服务完成通知单" in case_page and "通知书" not in case_page
    text = _text(institution.get(f"/cases/{case_id}/prints/notice.pdf").data)
    assert number in text and "霄云里1号二层卫生健康窗口" in text and "08:30-12:00" in text
    assert "本机关政务服务大厅" not in text
    # the inbox shows the number beside the task
    inbox = logged_in(app.test_client(), "bj.chaoyang.wjw").get("/tasks/").get_data(as_text=True)
    assert number in inbox


def test_only_the_account_manager_keeps_the_counter_and_empty_fields_are_refused(app, demo) -> None:
    clerk = logged_in(app.test_client(), "bj.chaoyang.clerk")
    assert clerk.get("/office/").status_code == 403
    institution = logged_in(app.test_client(), "inst.chaoyang1")
    assert institution.get("/office/").status_code == 403
    manager = logged_in(app.test_client(), "bj.chaoyang.wjw")
    token = csrf(manager, "/office/")
    refused = manager.post("/office/", data={"csrf_token": token, "counter_address": " ",
                                             "office_hours": "工作日"})
    assert refused.status_code == 200 and "请填写办理窗口地址" in refused.get_data(as_text=True)
    no_csrf = manager.post("/office/", data={"counter_address": "某地", "office_hours": "工作日"})
    assert no_csrf.status_code == 400
