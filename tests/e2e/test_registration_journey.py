"""Practice registration (I2) in a real browser: a walk-in application entered at the Chaoyang
counter, accepted and reviewed by a clerk, approved by an approver; the licence PDF carries the
name as text and a QR code that decodes to the public verify page."""
from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from reportlab.pdfgen import canvas
from stdnum.cn import ric, uscc

from .conftest import login, logout

pytestmark = pytest.mark.browser


def _pdf(path) -> str:
    c = canvas.Canvas(str(path))
    c.drawString(100, 750, "scan")
    c.showPage()
    c.save()
    return str(path)


def _uscc() -> str:
    base = f"12110105{int(time.time() * 1000) % 10**9:09d}"
    return base + uscc.calc_check_digit(base + "0")


def _submit(page) -> None:
    """Submit a decision: the success message names the step and what it decided."""
    page.click("button.primary:has-text('提交')")
    expect(page.locator(".flash-success")).to_contain_text("：")
    expect(page.locator(".flash-error")).to_have_count(0)


def _open_first_task(page) -> None:
    page.goto("/tasks/")
    page.locator("a.button:has-text('办理')").first.click()


def register_at_counter(page, tmp_path, name: str) -> None:
    """Counter entry, acceptance and review by the clerk, approval by the district head."""
    login(page, "bj.chaoyang.clerk")
    page.click("text=窗口受理")
    page.select_option("#process", "institution_registration")
    page.click("button:has-text('开始录入申请')")
    expect(page.locator("h1").first).to_contain_text("录入执业登记申请")
    values = {
        "name": name, "uscc": _uscc(), "address": "北京市朝阳区东四环中路39号",
        "legal_representative": "孙立", "principal": "孙立",
        "legal_representative_id_number": "11010519800101001" + ric.calc_check_digit("110105198001010010"),
        "contact_phone": "13911113333", "service_mode": "门诊、住院", "beds": "60",
        "dental_chairs": "0", "floor_area": "5200", "staff_count": "80",
    }
    for field, value in values.items():
        page.fill(f"#f-{field}", value)
    page.select_option("#f-category_code", "A527")
    page.select_option("#f-economic_type_code", "17")
    page.select_option("#f-management_class", "2")
    for code in ("03", "21"):
        page.check(f"input[name=subjects][value='{code}']")
    for field in ("application_form", "premises_proof", "setup_approval", "staff_list"):
        page.set_input_files(f"#f-{field}", _pdf(tmp_path / f"{field}.pdf"))
    _submit(page)

    _open_first_task(page)
    expect(page.locator("h1").first).to_contain_text("受理")
    page.check("input[name=decision][value=accept]")
    _submit(page)
    _open_first_task(page)
    expect(page.locator("h1").first).to_contain_text("审核")
    page.check("input[name=decision][value=approve]")
    page.check("input[name=inspection][value=not_needed]")
    _submit(page)
    logout(page)

    login(page, "bj.chaoyang.wjw")
    _open_first_task(page)
    expect(page.locator("h1").first).to_contain_text("审批")
    page.check("input[name=decision][value=approve]")
    _submit(page)


def test_a_counter_registration_is_approved_and_its_licence_verifies(page, tmp_path):
    register_at_counter(page, tmp_path, "北京朝阳和光康复医院")
    page.goto("/tasks/done")
    page.locator("a:has-text('北京朝阳和光康复医院')").first.click()
    with page.expect_download() as download:
        page.click("text=打印《医疗机构执业许可证》正本")
    pdf = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "北京朝阳和光康复医院" in text

    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    urls = [r.text for r in zxingcpp.read_barcodes(image)]
    assert len(urls) == 1 and "/licences/verify/" in urls[0]
    logout(page)
    page.goto(urls[0])
    expect(page.locator(".flash")).to_contain_text("该许可证真实有效")
    expect(page.locator("body")).to_contain_text("北京朝阳和光康复医院")
