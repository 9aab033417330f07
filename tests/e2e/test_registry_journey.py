"""A district clerk finds an institution and reads its history, in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.browser


def test_chaoyang_clerk_searches_opens_an_institution_and_sees_its_history(page):
    login(page, "bj.chaoyang.wjw")
    expect(page.locator(".breadcrumb")).to_contain_text("当前位置")
    page.click("text=综合查询")
    page.fill("input[name=q]", "朝阳")
    page.click("button:has-text('查询')")
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    names = rows.locator("td:first-child").all_inner_texts()
    assert all("朝阳" in n for n in names), names

    first = rows.first.locator("td:first-child a")
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(name)
    history = page.locator("#history")
    expect(history).to_contain_text("第 1 版")

    # the issuing authority corrects the phone number: a second version appears
    page.click("text=修改联系方式")
    page.fill("input[name=phone]", "010-65990001")
    page.fill("input[name=reason]", "电话号码变更")
    page.click("#history >> xpath=preceding::button[contains(., '保存')][1]")
    expect(page.locator(".flash-success")).to_contain_text("联系方式已保存")
    expect(history).to_contain_text("第 2 版")
    expect(history).to_contain_text("联系电话")


def test_chaoyang_clerk_cannot_open_a_jiangbei_institution(page, live_server):
    login(page, "bj.chaoyang.wjw")
    page.goto("/institutions/?q=江北")
    expect(page.locator("#results")).to_contain_text("没有符合条件的医疗机构")
    login_api = page.request.post(
        "/api/v1/auth/token", data={"username": "cq.jiangbei.wjw", "password": "Demo12345"}
    )
    token = login_api.json()["token"]
    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    listing = page.request.get("/api/v1/institutions?limit=1",
                               headers={"Authorization": f"Bearer {token}"}).json()
    jiangbei_id = listing["items"][0]["id"]
    assert me["organisation"]["name"].endswith("江北区卫生健康委员会")
    response = page.goto(f"/institutions/{jiangbei_id}")
    assert response.status == 404
    expect(page.locator("h1")).to_contain_text("未找到")
