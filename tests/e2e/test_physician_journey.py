"""Physician registration (P1) in a real browser: doctor.new applies before her account is
activated, inst.chaoyang1 agrees, bj.chaoyang.wjw approves; she is then activated and prints
her certificate."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import login, logout

pytestmark = pytest.mark.browser


def _open_task(page, title: str) -> None:
    page.goto("/tasks/")
    row = page.locator("tr", has_text=title).first
    row.locator("a.button:has-text('办理')").click()
    expect(page.locator("h1").first).to_contain_text(title)


def test_a_new_physician_registers_through_the_pages(page):
    login(page, "doctor.new")
    page.goto("/physician/businesses")
    page.locator("#business-physician_registration a:has-text('点击进入')").click()
    page.fill("input[name=q]", "康泰医院")
    page.click("button:has-text('查询')")
    page.locator("tr", has_text="北京市朝阳区康泰医院").locator(
        "button:has-text('选择并填写申请')").click()
    expect(page.locator("h1").first).to_contain_text("填写执业注册申请")
    expect(page.locator("input[name=category][value='1']")).to_be_checked()  # her qualification
    page.select_option("#f-scope", "101")
    page.fill("#f-department", "内科")
    page.click("button.primary:has-text('提交')")
    # the pledge (full civil capacity) is required: the engine's message shows by the field
    expect(page.locator("body")).to_contain_text("不具有完全民事行为能力的，不予注册")
    page.check("#f-pledge")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("已提交")
    case_url = page.url
    logout(page)

    login(page, "inst.chaoyang1")
    _open_task(page, "拟执业机构确认")
    expect(page.locator("body")).to_contain_text("临床类别：内科专业")  # the application shown
    page.check("input[name=decision][value=agree]")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("拟执业机构确认：已同意")
    logout(page)

    login(page, "bj.chaoyang.wjw")
    _open_task(page, "执业注册审批")
    expect(page.locator("body")).to_contain_text("剩余")  # 20 working days, counted down
    page.check("input[name=decision][value=approve]")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("已准予注册")
    expect(page.locator("body")).to_contain_text("准予注册")
    logout(page)

    # approval activated her account: her pages open, the certificate prints
    login(page, "doctor.new")
    page.goto(case_url)
    expect(page.locator("body")).to_contain_text("准予注册")
    page.goto("/physician/businesses")
    expect(page.locator("h1").first).to_contain_text("业务申请")
    expect(page.locator("body")).not_to_contain_text("您的账户尚未激活")
    response = page.request.get(f"/physicians/{_own_physician_id(page)}/certificate.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "医师执业证书" in text and "刘雨欣" in text and "北京市朝阳区康泰医院" in text


def _own_physician_id(page) -> int:
    """Her physician id, as the REST API tells her (pages and REST share the registry)."""
    token = page.request.post("/api/v1/auth/token", data={
        "username": "doctor.new", "password": "Demo12345"}).json()["token"]
    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    return me["person"]["id"]
