"""A qualified physician who was never registered signs up in a real browser, reads her SMS
and e-mail codes from the outbox, logs in and lands on the activation page (seed 003 ch.2 §1)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login, prove_contacts

pytestmark = pytest.mark.browser

# u_bj1 in seed/demo/qualifications.csv: qualified, never registered, no account
NAME, ID_NUMBER = "张俊豪", "110105199406166734"
PHONE, EMAIL = "13900002222", "zhangjunhao.e2e@example.cn"
USERNAME, PASSWORD = "zhangjh2024", "Kaiming2024x"


def test_an_unregistered_physician_signs_up_logs_in_and_sees_the_activation_page(
        page, e2e_database_url):
    page.goto("/login")
    page.click("text=医师注册新账号")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=id_number]", ID_NUMBER)
    page.click("button:has-text('确定，继续')")
    expect(page.locator(".flash-success")).to_contain_text("已通过医师资格信息校验")

    prove_contacts(page, e2e_database_url, PHONE, EMAIL)
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("button:has-text('确定，继续')")

    summary = page.locator("#account-summary")
    expect(summary).to_contain_text("zh...024")
    expect(summary).to_contain_text("139...22")
    expect(page.locator("body")).not_to_contain_text(PASSWORD)
    page.click("text=下一步：登录")

    login(page, USERNAME, PASSWORD)
    expect(page.locator("h1")).to_contain_text("医师账户激活")
    expect(page.locator("#activation")).to_contain_text("输入资格证书编码激活账户")
    expect(page.locator(".sidemenu")).not_to_contain_text("信息维护")
