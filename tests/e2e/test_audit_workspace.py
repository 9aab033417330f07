"""The auditor's workspace in a real browser: find a case, read its timeline, replay it,
reveal its masked data with a reason, export its bundle, verify a district's whole chain and
find her own reads in the access log."""
from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.browser


def _api(base: str, path: str, body: dict, token: str | None = None) -> dict:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_an_auditor_finds_a_case_replays_it_reveals_exports_and_verifies_the_district(page, live_server, tmp_path):
    token = _api(live_server, "/api/v1/auth/token",
                 {"username": "bj.chaoyang.clerk", "password": "Demo12345"})["token"]
    case = _api(live_server, "/api/v1/cases", {"process": "institution_registration",
                                              "subject": {"division_code": "110105"}}, token)

    login(page, "auditor")
    page.click("nav >> text=审计工作台")
    expect(page.locator("h1")).to_contain_text("审计工作台")
    page.select_option("select[name=process]", "institution_registration")
    page.fill("input[name=actor]", "bj.chaoyang.clerk")
    page.click("#audit-search button:has-text('查询')")
    row = page.locator("#audit-cases tbody tr", has_text=str(case["id"])).first
    expect(row).to_be_visible()
    row.locator("text=时间线与重放").click()

    expect(page.locator("h1")).to_contain_text("审计")
    expect(page.locator(".flash-success")).to_contain_text("哈希链完整")
    expect(page.locator(".audit-table")).to_contain_text("发起")
    page.click("button:has-text('重放')")
    expect(page.locator(".replay-result")).to_contain_text("一致")

    page.fill("#auditor-tools form[action$='/reveal'] input[name=reason]", "信访件核查第7号")
    page.click("button:has-text('查看未遮蔽数据')")
    expect(page.locator(".flash-warning")).to_contain_text("信访件核查第7号")

    page.fill("#auditor-tools form[method=get] input[name=reason]", "年度例行审计")
    with page.expect_download() as download:
        page.click("button:has-text('导出审计包')")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "definition/institution_registration.bpmn" in archive.namelist()
    assert json.loads(archive.read("replay.json"))["ok"] is True

    page.click("nav >> text=哈希链校验")
    page.fill("input[name=division]", "110105")
    page.click("button:has-text('开始校验')")
    expect(page.locator("#run-status")).to_contain_text("已完成", timeout=20_000)
    expect(page.locator("#chain-run")).to_contain_text("哈希链完整")

    page.click("nav >> text=访问日志")
    page.fill("input[name=account]", "auditor")
    page.click("button:has-text('查询')")
    log = page.locator("#access-log")
    expect(log).to_contain_text("信访件核查第7号")
    expect(log).to_contain_text("导出审计包")
