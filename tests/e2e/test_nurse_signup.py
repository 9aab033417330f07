"""A nurse who passed the exam signs up on a phone (375 px) from the login page, reads her SMS
and e-mail codes from the outbox, is refused a weak password, logs in and finds the nurse's
activation page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login, prove_contacts

pytestmark = pytest.mark.browser

# u_bj1 in seed/demo/nurse_qualifications.csv: passed the exam in 2025, no account
NAME, ID_NUMBER = "孙雨桐", "110105199906083222"
PHONE, EMAIL = "13900004444", "sunyutong.e2e@example.cn"
USERNAME, PASSWORD = "sunyutong", "Huli2024ab"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_nurse_signs_up_on_a_phone_logs_in_and_finds_her_activation(
        phone, e2e_database_url):
    phone.goto("/login")
    phone.click("text=护士注册账号")
    expect(phone.locator("h1")).to_contain_text("护士个人版 · 用户注册")
    _fits(phone)
    phone.fill("input[name=name]", "王五")
    phone.fill("input[name=id_number]", "110105199001011013")
    phone.click("button:has-text('确定，继续')")
    expect(phone.locator("[role=alert]").first).to_contain_text("未查询到护士执业资格考试成绩")
    phone.fill("input[name=name]", NAME)
    phone.fill("input[name=id_number]", ID_NUMBER)
    phone.click("button:has-text('确定，继续')")
    expect(phone.locator(".flash-success")).to_contain_text("已通过护士执业资格考试成绩校验")
    _fits(phone)

    prove_contacts(phone, e2e_database_url, PHONE, EMAIL)
    phone.fill("input[name=username]", USERNAME)
    phone.fill("input[name=password]", "abcdefgh")
    phone.fill("input[name=confirm]", "abcdefgh")
    phone.click("button:has-text('确定，继续')")
    expect(phone.locator("body")).to_contain_text("须同时包含字母和数字")
    _fits(phone)
    phone.fill("input[name=password]", PASSWORD)
    phone.fill("input[name=confirm]", PASSWORD)
    phone.click("button:has-text('确定，继续')")

    summary = phone.locator("#account-summary")
    expect(summary).to_contain_text("su...ong")
    expect(summary).to_contain_text(f"{PHONE[:3]}...{PHONE[-2:]}")
    expect(phone.locator("body")).to_contain_text("护士执业资格考试合格证明编号")
    expect(phone.locator("body")).not_to_contain_text(PASSWORD)
    _fits(phone)
    phone.click("text=下一步：登录")

    login(phone, USERNAME, PASSWORD)
    expect(phone.locator("h1")).to_contain_text(f"欢迎，{NAME}")
    phone.goto("/nurse/activate")
    expect(phone.locator("#activation")).to_contain_text("护士执业资格考试合格证明编号")
    _fits(phone)
