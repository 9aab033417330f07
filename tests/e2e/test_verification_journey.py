"""Annual verification in a real browser: the institution applies, the district returns it for
correction, the institution corrects, the district approves and the notice PDF is printed."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from .conftest import login, logout

pytestmark = pytest.mark.browser


def _pdf(path, pages: int) -> str:
    c = canvas.Canvas(str(path))
    for n in range(1, pages + 1):
        c.drawString(100, 750, f"scan page {n}")
        c.showPage()
    c.save()
    return str(path)


def _open_first_task(page) -> None:
    page.goto("/tasks/")
    page.locator("a.button:has-text('办理')").first.click()


def test_a_verification_is_returned_corrected_approved_and_the_notice_printed(page, tmp_path):
    login(page, "inst.chaoyang2")
    page.click("text=发起业务")
    page.click("a:has-text('发起医疗机构校验')")
    expect(page.locator("h1").first).to_contain_text("校验申请业务提示")
    page.click("button:has-text('下一步')")
    expect(page.locator("h1").first).to_contain_text("填写并提交校验申请")
    page.fill("#f-contact_phone", "010-65990002")
    page.fill("#f-self_inspection", "依法执业，自查无问题。")
    for field, pages in (("application_form", 2), ("licence_copy", 1), ("work_summary", 3)):
        page.set_input_files(f"#f-{field}", _pdf(tmp_path / f"{field}.pdf", pages))
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("已提交")
    case_url = page.url
    logout(page)

    login(page, "bj.chaoyang.wjw")
    _open_first_task(page)
    expect(page.locator("h1").first).to_contain_text("材料审核")
    page.check("input[name=decision][value=return]")
    page.fill("#f-comment", "申请书未加盖公章，请重新上传。")
    page.locator("textarea[name$='application_form']").first.fill("请加盖公章")
    page.locator("textarea[name$='self_inspection']").first.fill("请补充感染管理内容")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("材料审核：已退回修改")
    logout(page)

    login(page, "inst.chaoyang2")
    _open_first_task(page)
    expect(page.locator("section[aria-labelledby=review-title]")).to_contain_text("申请书未加盖公章")
    expect(page.locator("section[aria-labelledby=review-title]")).to_contain_text("请加盖公章")
    expect(page.locator("#f-self_inspection")).to_have_value("依法执业，自查无问题。")
    page.fill("#f-self_inspection", "已按意见整改：申请书已加盖公章。")
    # a returned material: the new scan replaces the old one by default
    expect(page.locator("input[name=application_form-replace]")).to_be_checked()
    page.set_input_files("#f-application_form", _pdf(tmp_path / "stamped.pdf", 2))
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("已提交")
    logout(page)

    # the second review round: earlier comments beside the fields, every change marked
    login(page, "bj.chaoyang.wjw")
    _open_first_task(page)
    expect(page.locator(".change-summary")).to_contain_text("修改了 2 项")
    inspection = page.locator("#sub-self_inspection")
    expect(inspection).to_have_class("changed")
    expect(inspection.locator(".change-mark")).to_contain_text("依法执业，自查无问题。")
    expect(inspection.locator(".change-mark")).to_contain_text("已按意见整改")
    expect(inspection.locator(".earlier-comment")).to_contain_text("第 1 次审核意见：请补充感染管理内容")
    form = page.locator("#sub-application_form")
    expect(form.locator(".change-doc.added")).to_contain_text("stamped.pdf")
    expect(form.locator(".change-doc.removed")).to_contain_text("application_form.pdf")
    expect(form.locator(".earlier-comment")).to_contain_text("请加盖公章")
    expect(page.locator("#sub-contact_phone")).not_to_have_class("changed")
    expect(page.locator(".earlier-rounds")).to_contain_text("申请书未加盖公章，请重新上传。")
    page.check("input[name=decision][value=approve]")
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("材料审核：材料审核通过")
    logout(page)

    login(page, "inst.chaoyang2")
    page.goto(case_url)
    name = page.locator("h1").first.inner_text()
    with page.expect_download() as download:
        page.click("text=打印网上审核指导服务完成通知单")
    pdf = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "通知单" in text
    institution = name.split("：", 1)[-1].split()[0]
    assert institution and institution in text, (institution, text[:200])
