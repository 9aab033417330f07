"""D1 in the browser's doors: the designer's home and menu, the version pages and downloads,
the modeler page's validate / deploy / preview endpoints, the diff page, the bulk migration
with its dry run, and the command line printing the same report."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from conftest import logged_in
from designer_helpers import I4, RENAMED, SUBMIT, deploy_renamed, i4_forms
from verification_flow import Verification


@pytest.fixture(autouse=True)
def _forget_versions(app):
    from service.engine import definitions

    before = set(definitions._cache)
    yield
    for key in set(definitions._cache) - before:
        definitions._cache.pop(key, None)


def _page_csrf(client, url="/designer/institution_verification/edit") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', html).group(1)


def _post(client, url, body, token):
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       headers={"X-CSRFToken": token})


def test_the_designers_home_shows_the_design_functions_not_an_institution_overview(client):
    html = logged_in(client, "designer").get("/").get_data(as_text=True)
    assert "流程设计" in html and "辖区医疗机构概况" not in html
    assert 'href="/designer/institution_verification/edit"' in html
    assert 'href="/designer/"' in html  # the menu
    auditor = logged_in(client.application.test_client(), "auditor").get("/").get_data(as_text=True)
    assert "/designer/" not in auditor


@pytest.mark.parametrize("username", ["auditor", "admin", "inst.chaoyang1", "bj.chaoyang.wjw"])
def test_only_designers_open_the_designer_pages(client, username):
    browser = logged_in(client, username)
    for url in ("/designer/", "/designer/institution_verification",
                "/designer/institution_verification/edit", "/designer/catalog.json"):
        assert browser.get(url).status_code == 403, url


def test_a_visitor_is_sent_to_the_login(client):
    response = client.get("/designer/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_version_page_lists_hash_who_when_and_open_cases_with_downloads(client):
    browser = logged_in(client, "designer")
    html = browser.get("/designer/institution_verification").get_data(as_text=True)
    assert "第 1 版" in html and "内容哈希" in html and "办理中业务" in html
    bpmn = browser.get("/designer/institution_verification/versions/1/process.bpmn")
    assert bpmn.status_code == 200 and bpmn.get_data(as_text=True) == I4
    archive = zipfile.ZipFile(io.BytesIO(
        browser.get("/designer/institution_verification/versions/1/forms.zip").data))
    assert json.loads(archive.read("review.json")) == i4_forms()["review.json"]
    assert browser.get("/designer/no_such_process").status_code == 404
    assert browser.get("/designer/institution_verification/versions/9/process.bpmn").status_code == 404


def test_the_catalog_offers_the_engines_actions_lanes_and_roles(client):
    catalog = logged_in(client, "designer").get("/designer/catalog.json").get_json()
    assert "verification_pass" in catalog["actions"]
    assert {"value": "bureau", "label": "卫生健康行政部门（bureau）"} in catalog["lanes"] or \
        any(lane["value"] == "bureau" for lane in catalog["lanes"])
    assert any(r["value"] == "bureau_head" for r in catalog["roles"])
    assert "institution_verification" in catalog["checks"]


def test_the_modeler_page_validates_and_deploys_through_the_engines_validator(client, database):
    from sqlalchemy import func, select

    from service.engine.models import ProcessDefinition

    browser = logged_in(client, "designer")
    page = browser.get("/designer/institution_verification/edit").get_data(as_text=True)
    assert "vendor/bpmn-modeler.js" in page and "designer.js" in page
    token = _page_csrf(browser)
    forms = {k: json.dumps(v) for k, v in i4_forms().items()}
    broken = I4.replace('id="verification_pass"', 'id="no_such_action"')
    answer = _post(browser, "/designer/institution_verification/validate",
                   {"bpmn": broken, "forms": forms}, token).get_json()
    assert answer["ok"] is False
    assert answer["report"]["record_pass"] == ["服务任务“登记校验合格”调用的动作“no_such_action”未注册"]
    refused = _post(browser, "/designer/institution_verification/deploy",
                    {"bpmn": broken, "forms": forms}, token)
    assert refused.status_code == 422 and refused.get_json()["report"] == answer["report"]
    ok = _post(browser, "/designer/institution_verification/validate",
               {"bpmn": I4.replace(SUBMIT, RENAMED), "forms": forms}, token).get_json()
    assert ok == {"ok": True, "report": {}, "problems": []}
    deployed = _post(browser, "/designer/institution_verification/deploy",
                     {"bpmn": I4.replace(SUBMIT, RENAMED), "forms": forms}, token).get_json()
    assert (deployed["version"], deployed["created"]) == (2, True)
    assert database.scalar(select(func.max(ProcessDefinition.version)).where(
        ProcessDefinition.process_id == "institution_verification")) == 2
    renamed = _post(browser, "/designer/institution_verification/deploy",
                    {"bpmn": I4.replace('id="institution_verification"', 'id="other_process"'),
                     "forms": forms}, token)
    assert renamed.status_code == 422 and "流程标识" in renamed.get_json()["problems"][0]


def test_page_writes_need_the_csrf_token(client):
    browser = logged_in(client, "designer")
    response = browser.post("/designer/institution_verification/validate",
                            data=json.dumps({"bpmn": I4, "forms": {}}), content_type="application/json")
    assert response.status_code == 400


def test_the_form_preview_is_drawn_by_the_task_pages_macros(client):
    browser = logged_in(client, "designer")
    token = _page_csrf(browser)
    answer = _post(browser, "/designer/forms/preview", {"schema": i4_forms()["review.json"]}, token).get_json()
    assert answer["ok"] is True
    assert 'class="form-section"' in answer["html"] and "审核意见" in answer["html"]
    assert 'name="decision"' in answer["html"]
    bad = _post(browser, "/designer/forms/preview", {"schema": {"type": "object", "properties": {
        "a": {"type": "strng"}}}}, token).get_json()
    assert bad["ok"] is False and "JSON Schema" in bad["problems"][0]


def test_the_command_line_prints_the_same_report(app, tmp_path):
    (tmp_path / "institution_verification.bpmn").write_text(
        I4.replace('id="verification_pass"', 'id="no_such_action"'), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["processes", "deploy", "--bpmn-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "record_pass：服务任务“登记校验合格”调用的动作“no_such_action”未注册" in result.output


def test_the_diff_page_lists_the_changes_and_marks_them_for_the_diagrams(api, client):
    deploy_renamed(api("designer"))
    browser = logged_in(client, "designer")
    html = browser.get("/designer/institution_verification/diff?from=1&to=2").get_data(as_text=True)
    assert "填写并提交校验申请" in html and "提交年度校验申请" in html and "名称" in html
    assert "submit_application" in html and "designer-diff.js" in html
    assert browser.get("/designer/institution_verification/diff").status_code == 302


def test_the_bulk_page_dry_runs_then_moves_what_may_move_and_says_why_not(api, client, demo):
    at_application = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    at_application.start(demo.institution["inst.chaoyang1"])
    in_review = Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw"))
    in_review.start(demo.institution["inst.chaoyang2"])
    in_review.submit()
    # version 2 renames the review task's id: a case waiting on it cannot move
    xml = I4.replace(SUBMIT, RENAMED).replace('"material_review"', '"material_check"').replace(
        ">material_review<", ">material_check<")
    from designer_helpers import post_definition

    assert post_definition(api("designer"), xml).status_code == 201
    browser = logged_in(client, "designer")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      browser.get("/designer/institution_verification/migrate").get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "from": "1", "to": "2"}
    dry = browser.post("/designer/institution_verification/migrate",
                       data={**form, "action": "dry_run"}).get_data(as_text=True)
    assert "试运行结果" in dry and "可迁移到第 2 版" in dry
    assert "待办任务“材料审核”在新版本中不存在" in dry
    assert at_application.institution.get(f"/api/v1/cases/{at_application.case_id}").get_json()["version"] == 1
    done = browser.post("/designer/institution_verification/migrate",
                        data={**form, "action": "migrate"}).get_data(as_text=True)
    assert "已迁移到第 2 版" in done and "不能迁移" in done
    assert at_application.institution.get(f"/api/v1/cases/{at_application.case_id}").get_json()["version"] == 2
    assert in_review.institution.get(f"/api/v1/cases/{in_review.case_id}").get_json()["version"] == 1
    assert at_application.replay()["ok"] is True
