"""Transfer (I9) in a real browser: Chaoyang proposes, its head approves, Dongcheng accepts;
then Dongcheng finds the institution and Chaoyang does not (query, page)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login, logout
from .test_registration_journey import _open_first_task, _submit, register_at_counter

pytestmark = pytest.mark.browser

NAME = "北京朝阳移交康复医院"


def _find(page) -> None:
    page.goto(f"/institutions/?q={NAME}")


def test_a_transfer_flips_who_sees_the_institution(page, tmp_path):
    register_at_counter(page, tmp_path, NAME)
    logout(page)
    login(page, "bj.chaoyang.clerk")
    _find(page)
    page.locator(f"a:has-text('{NAME}')").first.click()
    detail_url = page.url
    page.select_option("#start-process", "institution_transfer")
    page.click("button:has-text('受理')")
    expect(page.locator("h1").first).to_contain_text("提出移交")
    page.fill("#f-to_division_code", "110101")
    page.fill("#f-new_division_code", "110101")
    page.fill("#f-reason", "机构迁址至东城区")
    _submit(page)
    logout(page)

    login(page, "bj.chaoyang.wjw")
    _open_first_task(page)
    expect(page.locator("h1").first).to_contain_text("移交审批")
    page.check("input[name=decision][value=approve]")
    _submit(page)
    logout(page)

    login(page, "bj.dongcheng.wjw")
    _open_first_task(page)
    expect(page.locator("h1").first).to_contain_text("接收机构移交")
    page.check("input[name=decision][value=accept]")
    _submit(page)
    _find(page)
    expect(page.locator(f"a:has-text('{NAME}')")).to_have_count(1)
    logout(page)

    login(page, "bj.chaoyang.wjw")
    _find(page)
    expect(page.locator(f"a:has-text('{NAME}')")).to_have_count(0)
    response = page.goto(detail_url)
    assert response.status == 404
