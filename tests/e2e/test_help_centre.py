"""The help centre in a real browser: an institution reads a hot question, asks support (the
character counter counts as she types), support replies, and the red count beside 帮助中心
shows the unread reply until she opens it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login, logout

pytestmark = pytest.mark.browser


def test_an_institution_asks_support_and_sees_the_reply_marked_unread(page):
    login(page, "inst.chaoyang2")
    page.click("header >> text=帮助中心")
    expect(page.locator("h1")).to_have_text("帮助中心")
    page.click(".help-hot >> text=机构未查询到医师账户激活的信息，怎么办？")
    expect(page.locator(".help-answer")).to_contain_text("执业地点是否与本机构的标准名称一致")

    page.click("text=向客服提问")
    page.fill("#help-title", "校验申请书打印后如何上传")
    page.fill("#help-body", "签字盖章后扫描成PDF上传到哪一项材料？")
    expect(page.locator("[data-count-for=help-body]")).to_contain_text("已填 20 字")
    page.click("button:has-text('提交')")
    expect(page.locator(".flash")).to_contain_text("问题已提交")
    logout(page)

    login(page, "support")
    expect(page.locator("h1")).to_have_text("用户提问")
    row = page.locator("tr", has_text="校验申请书打印后如何上传")
    expect(row).to_contain_text("北京市朝阳区青枫社区卫生服务中心")
    row.get_by_role("link", name="回复", exact=True).click()
    page.fill("#help-answer", "请在校验申请的“校验申请书”材料项上传扫描件。")
    page.click("button:has-text('提交回复')")
    expect(page.locator(".flash")).to_contain_text("已回复")
    logout(page)

    login(page, "inst.chaoyang2")
    badge = page.locator("header .help-link .unread-count")
    expect(badge).to_have_text("1")
    expect(badge).to_have_css("background-color", "rgb(217, 54, 62)")
    page.click("header >> text=帮助中心")
    page.click("text=我的提问")
    page.click("tr:has-text('校验申请书打印后如何上传') >> text=查看回复详情")
    expect(page.locator(".help-answer")).to_contain_text("扫描件")
    page.reload()
    expect(page.locator("header .help-link .unread-count")).to_have_count(0)
