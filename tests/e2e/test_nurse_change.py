"""Nurse change of institution (N2) in a real browser: nurse.demo applies to inst.chaoyang2,
which sees who applies and agrees; bj.chaoyang.wjw sees the institution's opinion and approves;
her old institution lists her as left, the new one as registered."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login, logout
from .test_nurse_registration import _open_task, _pdf

pytestmark = pytest.mark.browser


def test_a_nurse_changes_institution_through_the_pages(page, tmp_path):
    login(page, "nurse.demo")
    page.click("text=护士变更注册")
    page.fill("input[name=q]", "青枫")
    page.click("button:has-text('查询')")
    page.locator("tr", has_text="北京市朝阳区青枫社区卫生服务中心").first.locator(
        "button:has-text('选择并填写申请')").click()
    expect(page.locator("h1").first).to_contain_text("填写护士变更注册申请")
    page.fill("#f-department", "护理部")
    page.fill("#f-reason", "工作调动")
    page.set_input_files("#f-certificate_scan", _pdf(tmp_path / "certificate.pdf"))
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_be_visible()
    logout(page)

    login(page, "inst.chaoyang2")
    _open_task(page, "拟执业医疗卫生机构确认")
    panel = page.locator(".applicant-panel")
    expect(panel).to_contain_text("申请人信息（护士）")
    expect(panel).to_contain_text("110105********170X")
    expect(panel).to_contain_text("北京市朝阳区康泰医院")  # where she is registered now
    page.check("input[name=decision][value=agree]")
    page.fill("#f-comment", "同意接收")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_be_visible()
    logout(page)

    login(page, "bj.chaoyang.wjw")
    _open_task(page, "护士变更注册审批")
    expect(page.locator(".applicant-panel")).to_contain_text("同意接收")
    page.check("input[name=decision][value=approve]")
    page.click("button.primary:has-text('提交')")
    expect(page.locator("body")).to_contain_text("准予变更")
    logout(page)

    login(page, "inst.chaoyang1")
    page.goto("/institution/nurses?list=filed")
    expect(page.locator("#results")).to_contain_text("李薇")
    logout(page)
    login(page, "inst.chaoyang2")
    page.goto("/institution/nurses")
    expect(page.locator("#results")).to_contain_text("李薇")
