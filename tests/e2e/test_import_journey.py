"""A Chaoyang clerk brings the old system's physicians across, in a real browser: the demo
legacy file is refused row by row, the fixed file passes its dry run and is imported with the
progress bar, and two physicians named by other than the standard name are reconciled."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import ROOT, login

pytestmark = pytest.mark.browser
DEMO = ROOT / "seed" / "demo"


def _upload(page, name: str) -> None:
    page.goto("/imports/")
    page.select_option("select[name=kind]", "physicians")
    page.set_input_files("input[name=file]", str(DEMO / name))
    page.click("button:has-text('上传并试导入')")


def test_chaoyang_clerk_imports_the_legacy_physicians_and_reconciles_two(page):
    login(page, "bj.chaoyang.wjw")
    page.click("nav >> text=数据导入")
    expect(page.locator("h1")).to_contain_text("旧数据导入")

    _upload(page, "legacy_physicians.csv")
    # the script reloads the page once the dry run has finished: the row report appears
    expect(page.locator(".flash-error")).to_contain_text("检查未通过：共 9 处错误")
    errors = page.locator("#row-errors tbody tr")
    expect(errors).to_have_count(9)
    expect(errors.first).to_contain_text("公民身份号码校验位不正确")
    expect(page.locator("#row-errors")).to_contain_text("该行政区划不在本机关辖区内")
    with page.expect_download() as download:
        page.click("text=下载检查结果（XLSX）")
    with open(download.value.path(), "rb") as fh:  # a download's path has no .xlsx ending
        sheet = load_workbook(fh).worksheets[0]
    assert sheet.max_row == 10 and sheet["D2"].value == "公民身份号码校验位不正确，请核对"
    expect(page.locator("button:has-text('正式导入')")).to_have_count(0)

    _upload(page, "legacy_physicians_fixed.csv")
    expect(page.locator(".flash-success").last).to_contain_text("检查通过：全部 5 行均可导入")
    page.click("button:has-text('正式导入')")
    expect(page.locator("h1")).to_contain_text("正式导入")
    expect(page.locator("#import-bar")).to_be_visible()
    expect(page.locator(".flash-success").last).to_contain_text("导入成功：已写入 5 条记录")
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")

    page.click("text=导入核对 >> nth=-1")
    rows = page.locator("#placements tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("朝阳区康泰医院")
    expect(rows.nth(0).locator("form").first).to_contain_text("北京市朝阳区康泰医院")
    rows.nth(0).locator("button:has-text('关联')").first.click()
    expect(page.locator(".flash-success")).to_contain_text("已将韩雪关联到所选医疗机构")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("form").first).to_contain_text("北京朝阳和康医院")
    rows.first.locator("button:has-text('关联')").first.click()
    expect(page.locator(".flash-success")).to_contain_text("已将吴建平关联到所选医疗机构")
    expect(page.locator("#placements")).to_contain_text("没有待核对的人员")
