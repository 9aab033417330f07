"""S1 on a 375-px phone: an institution signs up with a photo of its licence, ticking an area
ticks its groups; Jiangbei returns it with a reason, the institution corrects it, Jiangbei
passes it, and the administrator logs in by phone (seed 004 §1.1, §2.1)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import login, logout

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supervision_helpers import resident_id, signup_body  # noqa: E402

pytestmark = pytest.mark.browser


def _fill(pg, body: dict) -> None:
    for name in ("name", "uscc", "address", "legal_representative", "legal_representative_id",
                 "contact", "contact_phone", "admin_name", "admin_id_number", "admin_phone",
                 "password", "password_confirm"):
        pg.fill(f"input[name={name}]", body[name])
    pg.select_option("select[name=division_code]", body["division_code"])
    pg.select_option("select[name=level_code]", body["level_code"])
    pg.select_option("select[name=nature]", body["nature"])
    pg.check("input[name=subject_codes][value='03']")


def test_signup_returned_then_passed_on_a_phone(phone, tmp_path) -> None:
    photo = tmp_path / "licence.png"
    Image.new("RGB", (60, 40), "white").save(photo)
    body = signup_body(41)
    phone.goto("/supervision/signup")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    _fill(phone, body)
    phone.check(".sv-area-box[data-area='A']")
    expect(phone.locator("input[name=scope][value='A02']")).to_be_checked()
    phone.set_input_files("input[name=proofs]", str(photo))
    phone.click("button:has-text('完成注册')")
    expect(phone.locator(".flash-success")).to_contain_text("审核通过后方可用手机号登录")

    login(phone, "cq.jiangbei.wjw")
    phone.goto("/supervision/reviews")
    phone.click(f"tr:has-text('{body['name']}') >> text=查看")
    expect(phone.locator(".sv-photos img")).to_have_count(1)
    phone.check("input[value=return]")
    phone.fill("textarea[name=reason]", "联系电话与许可证不符")
    phone.click("button:has-text('提交')")
    expect(phone.locator(".flash-success")).to_contain_text("审核结果已提交")
    logout(phone)
    phone.context.clear_cookies()  # another day: the institution follows with phone and password

    phone.goto("/supervision/signup/status")
    phone.fill("input[name=phone]", body["admin_phone"])
    phone.fill("input[name=password]", body["password"])
    phone.click("button:has-text('查询')")
    expect(phone.locator("body")).to_contain_text("联系电话与许可证不符")
    phone.click("text=修改后重新提交")
    phone.fill("input[name=contact_phone]", "13900000099")
    phone.click("button:has-text('重新提交')")
    expect(phone.locator(".flash-success")).to_contain_text("修改已重新提交")

    login(phone, "cq.jiangbei.wjw")
    phone.goto("/supervision/reviews")
    phone.click(f"tr:has-text('{body['name']}') >> text=查看")
    phone.check("input[value=pass]")
    phone.click("button:has-text('提交')")
    logout(phone)

    login(phone, body["admin_phone"], body["password"])
    expect(phone.locator(".sv-page h1")).to_contain_text(body["name"])
    expect(phone.locator(".sv-page")).to_contain_text("小燕")


def test_the_administrator_adds_a_department_and_two_staff_on_a_phone(phone) -> None:
    login(phone, "inst.jiangbei1")
    phone.goto("/supervision/")
    phone.click("text=信息维护")
    phone.fill("input[name=name]", "预防保健科")
    phone.fill("input[name=code]", "YFBJ01")
    phone.click("button:has-text('保存')")
    expect(phone.locator(".sv-list")).to_contain_text("YFBJ01")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    phone.goto("/supervision/staff")
    for name, serial, duty in (("钱自查", 81, "inspection"), ("孙记分", 82, "scoring")):
        phone.click("text=+添加")
        phone.fill("input[name=name]", name)
        phone.fill("input[name=id_number]", resident_id(serial))
        phone.fill("input[name=phone]", f"136000000{serial}")
        phone.select_option("select[name=department_id]", label="预防保健科")
        phone.check(f"input[name=duties][value={duty}]")
        if duty == "inspection":
            phone.check(".sv-area-box[data-area='A']")
        phone.click("button:has-text('保存')")
        expect(phone.locator(".flash-success")).to_contain_text("工作信息员已添加")
    expect(phone.locator(".sv-list")).to_contain_text("钱自查")
    expect(phone.locator(".sv-list")).to_contain_text("孙记分")
