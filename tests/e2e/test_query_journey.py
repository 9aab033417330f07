"""A Chaoyang clerk runs a combined query, exports it as XLSX, prints its address labels and
opens the statistics with a chart, in a real browser at 1366 px; the numbers are checked
against the registry read from the server's database."""
from __future__ import annotations

from collections import Counter

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from .conftest import login

pytestmark = pytest.mark.browser


def _registry(url: str) -> list[tuple[str, int, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT management_class, beds, status FROM institution "
                "WHERE division_code = '110105'"))]
    finally:
        engine.dispose()


def test_chaoyang_clerk_queries_exports_prints_labels_and_reads_the_statistics(
        page, e2e_database_url):
    page.set_viewport_size({"width": 1366, "height": 900})
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    login(page, "bj.chaoyang.wjw")
    page.click("nav >> text=综合查询")
    page.fill("input[name=beds_max]", "99999")
    page.click("button:has-text('查询')")
    registry = _registry(e2e_database_url)
    total = len(registry)
    expect(page.locator("#result-total")).to_contain_text(f"共 {total} 家医疗机构")
    # the status tags stay on one line at 1366 px, with the 下次校验 column beside them
    expect(page.locator("#results thead")).to_contain_text("下次校验")
    tag = page.locator("#results .tag").first
    one_line = tag.evaluate("el => el.getBoundingClientRect().height < "
                            "1.8 * parseFloat(getComputedStyle(el).lineHeight || '18')")
    assert one_line, tag.inner_text()

    with page.expect_download() as download:
        page.click("text=导出 XLSX")
    with open(download.value.path(), "rb") as saved:  # Playwright's file has no .xlsx suffix
        rows = list(load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "登记号" and len(rows) - 1 == total
    assert all(r[8] == "110105" for r in rows[1:])

    page.click("button:has-text('打印地址标签')")
    expect(page.locator("h1")).to_contain_text("信封打印")
    expect(page.locator("#batch-status")).to_have_text("已完成", timeout=30_000)
    with page.expect_download() as download:
        page.click("#mailing-download")
    pdf = PdfReader(download.value.path())
    assert len(pdf.pages) == -(-total // 14)

    page.click("nav >> text=统计分析")
    chart = page.locator("#stats-chart[data-rendered=true]")
    expect(chart).to_be_visible()
    expect(chart.locator("canvas").first).to_be_visible()
    box = chart.bounding_box()
    assert box and box["height"] > 200
    in_register = [r for r in registry if r[2] != "cancelled"]
    expect(page.locator("#stats-total")).to_have_text(str(len(in_register)))
    expected = Counter(r[0] for r in in_register)
    table = page.locator("#stats-count tbody tr")
    for n in range(table.count()):
        label = table.nth(n).locator("th").inner_text()
        value = int(table.nth(n).locator("td.total").get_attribute("data-value"))
        code = {"非营利性医疗机构": "1", "营利性医疗机构": "2", "其他": "9"}[label]
        assert value == expected[code], (label, value, expected)
    assert not violations, violations
