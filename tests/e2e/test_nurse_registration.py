"""Nurse registration (N1) in a real browser: nurse.new applies before her account is
activated, inst.chaoyang1 agrees, bj.chaoyang.wjw approves; she is registered and activated,
the certificate prints, and her institution lists her."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from .conftest import login, logout

pytestmark = pytest.mark.browser


def _pdf(path) -> str:
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "health certificate")
    pdf.showPage()
    pdf.save()
    return str(path)


def _open_task(page, title: str) -> None:
    page.goto("/tasks/")
    page.locator("tr", has_text=title).first.locator("a.button:has-text('办理')").click()
    expect(page.locator("h1").first).to_contain_text(title)


def test_a_new_nurse_registers_through_the_pages(page, tmp_path):
    login(page, "nurse.new")
    page.click("text=护士执业注册")
    page.fill("input[name=q]", "康泰医院")
    page.click("button:has-text('查询')")
    page.locator("tr", has_text="北京市朝阳区康泰医院").locator(
        "button:has-text('选择并填写申请')").click()
    expect(page.locator("h1").first).to_contain_text("填写护士执业注册申请")
    page.fill("#f-department", "内科")
    page.click("button.primary:has-text('提交')")
    expect(page.locator("body")).to_contain_text("请上传 6 个月内的健康体检证明")
    page.set_input_files("#f-health_certificate", _pdf(tmp_path / "health.pdf"))
    page.check("#f-pledge")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("已提交")
    logout(page)

    login(page, "inst.chaoyang1")
    _open_task(page, "拟执业医疗卫生机构确认")
    page.check("input[name=decision][value=agree]")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("已同意")
    logout(page)

    login(page, "bj.chaoyang.wjw")
    _open_task(page, "执业注册审批")
    page.check("input[name=decision][value=approve]")
    page.click("button.primary:has-text('提交')")
    expect(page.locator("body")).to_contain_text("准予注册")
    logout(page)

    login(page, "inst.chaoyang1")
    page.goto("/institution/nurses")
    expect(page.locator("#results")).to_contain_text("周晓彤")
    page.goto("/institution/nurses?list=expired")
    expect(page.locator("tr.expired").first).to_contain_text("注册已过期")
    logout(page)

    # approval activated her; her certificate prints (over REST with her own token)
    token = page.request.post("/api/v1/auth/token", data={
        "username": "nurse.new", "password": "Demo12345"}).json()["token"]
    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    response = page.request.get(f"/api/v1/nurses/{me['person']['id']}/certificate.pdf",
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "护士执业证书" in text and "周晓彤" in text and "北京市朝阳区康泰医院" in text
