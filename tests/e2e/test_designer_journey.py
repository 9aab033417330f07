"""The designer in a real browser: opens the verification process in the modeler, renames a
task in the properties panel, deploys it and sees version 2; cases started before stay on
version 1, a new case starts on version 2, one old case is moved to version 2 and still
replays; the diff page colours the renamed task."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.browser


class Rest:
    """The live server's REST API with one account's token (through the page's context)."""

    def __init__(self, page, username: str) -> None:
        self.request = page.request
        token = self.request.post("/api/v1/auth/token", data={
            "username": username, "password": "Demo12345"}).json()["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> dict:
        response = self.request.get(path, headers=self.headers)
        assert response.ok, (path, response.status, response.text())
        return response.json()

    def post(self, path: str, body: dict, status: int = 200) -> dict:
        response = self.request.post(path, data=body, headers=self.headers)
        assert response.status == status, (path, response.status, response.text())
        return response.json()


def _verification(institution: Rest) -> dict:
    """The institution applies for its annual verification."""
    me = institution.get("/api/v1/me")
    return institution.post("/api/v1/cases", {
        "process": "institution_verification",
        "subject": {"institution_id": me["organisation"]["id"]}}, 201)


def test_a_designer_renames_a_task_deploys_version_2_and_moves_one_old_case(page):
    # institutions no other journey verifies (one open verification each)
    stays = _verification(Rest(page, "inst.chaoyang1"))
    moves = _verification(Rest(page, "inst.jiangbei1"))
    assert (stays["version"], moves["version"]) == (1, 1)
    bureau = Rest(page, "admin")  # reads every case

    page.set_viewport_size({"width": 1600, "height": 1000})
    login(page, "designer")
    expect(page.locator("#design-functions")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("辖区医疗机构概况")
    page.click("#process-definitions tr:has-text('institution_verification') a:has-text('编辑')")
    expect(page.locator("#designer.ready")).to_be_visible()
    expect(page.locator(".djs-palette")).to_be_visible()

    # the SpiffWorkflow entries: the user task's form file, chosen from the process's forms
    page.click("[data-element-id=submit_application]")
    expect(page.locator(".bio-properties-panel-group-header:has-text('流程引擎设置')")).to_be_visible()
    page.click(".bio-properties-panel-group-header:has-text('流程引擎设置')")
    form_select = page.locator("select[name=yz-formJsonSchemaFilename]")
    expect(form_select).to_have_value("application.json")
    # a service task's action is chosen from the engine's action table
    page.click("[data-element-id=record_pass]")
    expect(page.locator("select[name=yz-operator]")).to_have_value("verification_pass")
    expect(page.locator("select[name=yz-operator] option[value=verification_deferral]")).to_have_count(1)

    # rename the script task that prepares the application
    prepare = page.locator("[data-element-id=prepare]")
    box = prepare.bounding_box()
    prepare.click(position={"x": box["width"] * 0.85, "y": box["height"] / 2})  # clear of the palette
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("准备申请")
    name = page.locator("#bio-properties-panel-name")
    if not name.is_visible():
        page.click("[data-group-id=group-general] .bio-properties-panel-group-header")
    name.fill("准备年度校验申请")
    page.keyboard.press("Tab")
    expect(page.locator("[data-element-id=prepare] text")).to_contain_text("准备年度校验")

    page.click("#designer-deploy")
    expect(page.locator("#designer-status")).to_contain_text("已部署为第 2 版")
    page.click("#designer-versions-link")
    expect(page.locator("#versions tr[data-version='2']")).to_contain_text("流程设计员")
    expect(page.locator("#versions tr[data-version='1'] td.num").nth(1)).to_have_text("2")

    designer = Rest(page, "designer")
    v2 = designer.get("/api/v1/processes/institution_verification/versions/2")
    v1 = designer.get("/api/v1/processes/institution_verification/versions/1")
    assert "准备年度校验申请" in v2["bpmn"]
    # the SpiffWorkflow extensions survived the modeler
    for marker in ("spiffworkflow:property", "spiffworkflow:serviceTaskOperator",
                   'spiffworkflow:parameter id="defer_months"'):
        assert v2["bpmn"].count(marker) == v1["bpmn"].count(marker), marker

    assert bureau.get(f"/api/v1/cases/{stays['id']}")["version"] == 1
    newer = Rest(page, "inst.chaoyang2")
    fresh = _verification(newer)
    assert fresh["version"] == 2
    # withdrawn again: the verification journey applies for this institution itself
    newer.post(f"/api/v1/cases/{fresh['id']}/withdraw", {"reason": "演示后撤回"})

    moved = designer.post(f"/api/v1/cases/{moves['id']}/migrate", {"to_version": 2})
    assert moved["version"] == 2
    assert bureau.get(f"/api/v1/cases/{stays['id']}")["version"] == 1
    assert bureau.post(f"/api/v1/cases/{moves['id']}/replay", {})["ok"] is True

    page.goto("/designer/institution_verification/diff?from=1&to=2")
    expect(page.locator("#diff-new.ready")).to_be_visible()
    expect(page.locator("#diff-new [data-element-id=prepare].yz-diff-changed")).to_have_count(1)
    expect(page.locator("#diff-tasks")).to_contain_text("准备年度校验申请")
