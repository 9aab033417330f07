"""The live info window: a reminder count on the administration's home rises without reloading
when a new institution falls under its rule, and leads to the list that names it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from stdnum.cn import uscc

from .conftest import login

pytestmark = pytest.mark.browser


def test_the_home_counts_refresh_without_reloading(page):
    login(page, "bj.chaoyang.wjw")
    page.goto("/")
    count = page.locator('#reminder-licence_overdue [data-reminder-count="licence_overdue"]')
    before = int(count.inner_text())
    token = page.request.post("/api/v1/auth/token", data={
        "username": "bj.chaoyang.wjw", "password": "Demo12345"}).json()["token"]
    base = "91110105MA01RM7Q4"
    yesterday = date.today() - timedelta(days=2)
    created = page.request.post("/api/v1/institutions", headers={"Authorization": f"Bearer {token}"}, data={
        "name": "北京朝阳过期未延续诊所", "uscc": base + uscc.calc_check_digit(base), "category_code": "D211",
        "economic_type_code": "17", "management_class": "2", "address": "北京市朝阳区测试路9号",
        "legal_representative": "张测试", "division_code": "110105", "beds": 0, "subjects": ["03"],
        "licence_valid_from": "2020-01-01", "licence_valid_to": yesterday.isoformat()})
    assert created.status == 201, created.text()
    url = page.url
    # the page's script refreshes when the window comes back into view (and every minute)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(count).to_have_text(str(before + 1))
    assert page.url == url
    page.click("#reminder-licence_overdue")
    expect(page.locator("#reminders")).to_contain_text("北京朝阳过期未延续诊所")
