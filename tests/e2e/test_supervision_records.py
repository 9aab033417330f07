"""S3 and S4 on a 375-px phone (seed 004 §1.3, §1.4, ch.2): the inspector answers every item,
two of them 否 with a photo, and submits; the administrator closes both rectifications with
evidence; the scorer adds a physician and scores her past 12 points; the Jiangbei
administration decides the measure and sees both records — Chaoyang sees none of them."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import login, logout

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supervision_helpers import INSPECTOR, SCORER, resident_id  # noqa: E402

pytestmark = pytest.mark.browser


def _photo(tmp_path, name: str) -> str:
    path = tmp_path / name
    Image.new("RGB", (60, 40), "white").save(path)
    return str(path)


def _fits(pg) -> None:
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_self_inspection_with_two_no_items_rectified_and_closed(phone, tmp_path) -> None:
    login(phone, INSPECTOR)
    phone.goto("/supervision/")
    phone.click("button.sv-tile:has-text('自查填报')")
    expect(phone.locator("h1")).to_contain_text("自查填报")
    _fits(phone)
    groups = phone.locator(".sv-row").count()
    assert groups > 5
    for index in range(groups):
        phone.locator(".sv-row").nth(index).click()
        expect(phone.locator("button:has-text('确定')").first).to_be_visible()
        phone.evaluate("document.querySelectorAll('input[type=radio][value=yes]').forEach(r => r.checked = true)")
        if index == 0:
            items = phone.locator("fieldset.sv-item")
            for n in (0, 1):
                items.nth(n).locator("input[value=no]").check()
            items.nth(0).locator("input[type=file]").set_input_files(_photo(tmp_path, "no.png"))
            _fits(phone)
        phone.locator("button:has-text('确定')").first.click()
        expect(phone.locator(".flash-success")).to_contain_text("已暂存")
    expect(phone.locator(".sv-status-returned")).to_have_count(0)
    phone.click("button:has-text('确认上报')")
    expect(phone.locator(".flash-success")).to_contain_text("自查已确认上报")
    expect(phone.locator(".sv-detail")).to_contain_text("已上报")
    expect(phone.locator(".sv-detail")).to_contain_text("整改中")
    logout(phone)

    login(phone, "inst.jiangbei1")
    phone.goto("/supervision/rectifications")
    expect(phone.locator(".sv-list li")).to_have_count(2)
    for _ in range(2):
        phone.goto("/supervision/rectifications")
        phone.locator(".sv-list li", has_text="整改中").first.locator("a").click()
        phone.click("button:has-text('整改到位')")
        expect(phone.locator(".flash-error")).to_be_visible()
        phone.fill("textarea[name=measures]", "已制定整改措施并整改到位")
        phone.set_input_files("input[name=evidence]", _photo(tmp_path, "fixed.png"))
        _fits(phone)
        phone.click("button:has-text('整改到位')")
        expect(phone.locator(".flash-success")).to_contain_text("整改项已关闭")
    logout(phone)

    login(phone, "cq.jiangbei.wjw")
    phone.goto("/supervision/inspections")
    phone.locator("tr", has_text="演示自查人").first.locator("text=查看").click()
    expect(phone.locator(".sv-detail")).to_contain_text("已整改")
    expect(phone.locator(".sv-detail .sv-photos img").first).to_be_attached()
    logout(phone)

    login(phone, "bj.chaoyang.wjw")
    phone.goto("/supervision/inspections")
    expect(phone.locator("table")).not_to_contain_text("演示自查人")


def test_a_demerit_report_past_12_points_opens_the_threshold_case(phone, tmp_path) -> None:
    login(phone, SCORER)
    phone.goto("/supervision/")
    phone.click("text=记分录入")
    phone.click("button:has-text('查询')")
    expect(phone.locator(".flash-error")).to_contain_text("必须输入人员姓名或者身份证号")
    phone.click("text=+ 添加")
    phone.fill("input[name=name]", "刘不尽")
    phone.select_option("select[name=gender]", "2")
    phone.fill("input[name=id_number]", resident_id(861, "19850815"))
    phone.select_option("select[name=title]", "医师")
    phone.fill("input[name=scope]", "内科专业")
    phone.fill("input[name=certificate_number]", "110500102000861")
    _fits(phone)
    phone.click("button:has-text('保存')")
    expect(phone.locator(".sv-list")).to_contain_text("刘不尽")
    for article, code in (("第四条", "04.01"), ("第四条", "04.02")):
        phone.goto("/supervision/scoring?name=不尽")
        phone.locator(".sv-list li", has_text="刘不尽").locator("a.button:has-text('记分')").click()
        phone.click("button:has-text('确认上报')")
        expect(phone.locator(".flash-error")).to_contain_text("请选择扣分项目")
        phone.locator("details.sv-article", has_text=article).locator("summary").click()
        phone.check(f"input[name=rule_codes][value='{code}']")
        phone.set_input_files("input[name=attachments]", _photo(tmp_path, "evidence.png"))
        _fits(phone)
        phone.click("button:has-text('确认上报')")
        expect(phone.locator(".flash-success")).to_contain_text("记分已确认上报")
    expect(phone.locator(".sv-detail")).to_contain_text("12 分")
    logout(phone)

    login(phone, "cq.jiangbei.wjw")
    phone.goto("/tasks/")
    phone.locator("tr", has_text="决定处理措施").first.locator("a.button:has-text('办理')").click()
    phone.check("input[name=measure][value=talk]")
    phone.click("button.primary:has-text('提交')")
    expect(phone.locator(".flash-success")).to_be_visible()
    phone.goto("/supervision/demerits")
    expect(phone.locator("table")).to_contain_text("刘不尽")
    expect(phone.locator("table")).not_to_contain_text(resident_id(861, "19850815"))
    logout(phone)

    login(phone, "inst.jiangbei1")
    phone.goto("/messages/")
    expect(phone.locator(".message-list")).to_contain_text("不良执业记分处理决定")
    expect(phone.locator("header .unread-count")).to_be_visible()
    phone.locator(".message-open", has_text="不良执业记分处理决定").first.click()
    logout(phone)

    login(phone, "bj.chaoyang.wjw")
    phone.goto("/supervision/demerits")
    expect(phone.locator("table")).not_to_contain_text("刘不尽")
