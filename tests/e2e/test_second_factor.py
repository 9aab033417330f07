"""An administration enrols its 电子钥匙 in a real browser (QR code and manual secret), saves
the recovery codes, logs out and logs in again with the password and a code from pyotp."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from .conftest import login, logout

pytestmark = pytest.mark.browser
USERNAME = "cq.wjw"  # no other browser test logs in as this account


def test_an_administration_enrols_a_second_factor_and_logs_in_with_a_code(page):
    login(page, USERNAME)
    page.click("nav >> text=电子钥匙")
    expect(page.locator("h1")).to_contain_text("电子钥匙")
    expect(page.locator("#qr svg")).to_be_visible()
    secret = page.locator("#secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("input[name=code]", totp.now())
    page.click("button:has-text('启用电子钥匙')")
    expect(page.locator("h1")).to_contain_text("电子钥匙已启用")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.click("text=我已保存，进入首页")
    page.goto("/security/second-factor")
    expect(page.locator("#second-factor")).to_contain_text("已启用")
    expect(page.locator("#secret")).to_have_count(0)

    logout(page)
    login(page, USERNAME)
    expect(page.locator("h1")).to_contain_text("电子钥匙验证")
    page.fill("input[name=code]", "000000")
    page.click("button:has-text('验证并登录')")
    expect(page.locator(".flash-error")).to_contain_text("动态口令不正确")
    # the enrolment spent this step's code: the next step's is accepted (one step of drift)
    page.fill("input[name=code]", totp.at(time.time() + totp.interval))
    page.click("button:has-text('验证并登录')")
    expect(page.locator("header")).to_contain_text("退出")
    expect(page).not_to_have_url(re.compile(r"/login"))
