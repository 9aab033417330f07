"""A prospective institution's applicant on a 375-px phone: signs up with her SMS and e-mail
codes (read from the outbox), logs in, lands on 我的申请 and starts a setup application in
Chaoyang, whose form is her own task; the case shows its business number."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login, outbox_code

pytestmark = pytest.mark.browser

NAME, ID_NUMBER = "孙立群", "110105198503010016"
PHONE, EMAIL = "13900003333", "sunliqun.e2e@example.cn"
USERNAME, PASSWORD = "sunlq2026", "Shenqing2026a"


def test_an_applicant_signs_up_and_applies_online_on_a_phone(phone, e2e_database_url) -> None:
    phone.goto("/login")
    phone.click("text=拟设医疗机构申请人注册")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    for name, value in (("name", NAME), ("id_number", ID_NUMBER), ("phone", PHONE),
                        ("email", EMAIL)):
        phone.fill(f"input[name={name}]", value)
    phone.click("button:has-text('获取短信验证码')")
    expect(phone.locator(".flash-success")).to_contain_text("验证码已发送")
    phone.click("button:has-text('获取邮箱验证码')")
    expect(phone.locator(".flash-success")).to_contain_text("验证码已发送")
    phone.fill("input[name=phone_code]", outbox_code(e2e_database_url, PHONE))
    phone.fill("input[name=email_code]", outbox_code(e2e_database_url, EMAIL))
    phone.fill("input[name=username]", USERNAME)
    phone.fill("input[name=password]", PASSWORD)
    phone.fill("input[name=confirm]", PASSWORD)
    phone.click("button:has-text('注册')")
    expect(phone.locator(".flash-success")).to_contain_text("注册成功")

    login(phone, USERNAME, PASSWORD)
    expect(phone.locator("h1").first).to_contain_text("在线申请")
    phone.select_option("select[name=process]", "institution_setup")
    phone.select_option("select[name=division_code]", "110105")
    phone.click("button:has-text('发起申请')")
    expect(phone.locator(".flash-success")).to_contain_text("业务编号 京朝卫设〔")
    expect(phone.locator("h1").first).to_contain_text("录入设置申请")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
