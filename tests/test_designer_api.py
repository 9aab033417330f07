"""D1 over REST: deploys through the one validator, versions, their diff, and moving cases."""
from __future__ import annotations

import pytest
from conftest import chinese, error_of
from designer_helpers import I4, RENAMED, SUBMIT, deploy_renamed, i4_forms, post_definition
from sqlalchemy import select
from verification_flow import Verification, open_item


@pytest.fixture(autouse=True)
def _forget_versions(app):
    """Versions deployed by a test are rolled back; their cached parse must go with them (on
    SQLite a later test may reuse the id)."""
    from service.engine import definitions

    before = set(definitions._cache)
    yield
    for key in set(definitions._cache) - before:
        definitions._cache.pop(key, None)


def _versions(api, process_id="institution_verification"):
    response = api.get(f"/api/v1/processes/{process_id}/versions")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_same_content_keeps_its_version_and_a_change_is_the_next(api):
    designer = api("designer")
    same = post_definition(designer, I4)
    assert same.status_code == 200 and same.get_json()["version"] == 1
    assert deploy_renamed(designer) == 2
    again = post_definition(designer, I4.replace(SUBMIT, RENAMED))
    assert (again.status_code, again.get_json()["version"]) == (200, 2)
    rows = _versions(designer)
    assert [r["version"] for r in rows] == [2, 1]
    assert rows[0]["deployed_by"] == "designer" and len(rows[0]["hash"]) == 64
    one = designer.get("/api/v1/processes/institution_verification/versions/2").get_json()
    assert RENAMED in one["bpmn"] and "review.json" in one["forms"]
    assert one["hash"] == rows[0]["hash"]


@pytest.mark.parametrize(("change", "where", "words"), [
    (('name="bureau">', 'name="licensing">'), "material_review", "泳道"),
    (('value="review.json"', 'value="missing.json"'), "material_review", "表单 missing.json 不存在"),
    (("deferral = None", "deferral = = None"), "prepare", "脚本无法编译"),
    (('id="verification_pass"', 'id="no_such_action"'), "record_pass", "no_such_action"),
    (('decision == "return"', 'decision = "return"'), "flow_return", "条件表达式"),
    (('value="bureau_head"', 'value="boss"'), "conclusion", "角色“boss”不存在"),
    (('value="verification_application"', 'value="no_prefill"'), "submit_application", "预填规则"),
    (('<bpmndi:BPMNShape id="conclusion_di"', '<bpmndi:BPMNShape id="x_di" bpmnElement="x"'),
     "conclusion", "没有图形"),
])
def test_an_invalid_definition_is_refused_with_the_report_in_chinese(api, change, where, words):
    designer = api("designer")
    old, new = change
    assert old in I4
    xml = I4.replace(old, new, 1).replace('bpmnElement="x" bpmnElement="conclusion"', 'bpmnElement="x"')
    response = post_definition(designer, xml)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_definition" and chinese(error["message"])
    assert any(words in reason for reason in error["fields"][where]), error["fields"]
    assert all(chinese(r) for reasons in error["fields"].values() for r in reasons)
    assert [r["version"] for r in _versions(designer)] == [1]  # nothing deployed


def test_a_form_that_is_not_json_schema_or_not_json_is_refused(api):
    designer = api("designer")
    forms = i4_forms()
    forms["review.json"] = {**forms["review.json"], "properties": {"decision": {"type": "choice"}}}
    error = error_of(post_definition(designer, I4, forms))
    assert "不是有效的 JSON Schema" in error["fields"]["forms/review.json"][0]
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("review.json", "{not json")
    response = designer.post("/api/v1/processes", data={
        "bpmn": (io.BytesIO(I4.encode()), "i4.bpmn"), "forms": (io.BytesIO(buffer.getvalue()), "f.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "不是有效的 JSON" in error_of(response)["fields"]["forms/review.json"][0]
    response = designer.post("/api/v1/processes", data={
        "bpmn": (io.BytesIO(b"<not-xml"), "i4.bpmn")}, content_type="multipart/form-data")
    assert "XML" in error_of(response)["fields"]["bpmn"][0]


def test_a_dry_run_validates_without_deploying(api):
    designer = api("designer")
    ok = post_definition(designer, I4.replace(SUBMIT, RENAMED), dry_run="true")
    assert ok.status_code == 200 and ok.get_json()["valid"] is True
    bad = post_definition(designer, I4.replace('id="verification_pass"', 'id="nope"'), dry_run="true")
    assert bad.status_code == 422
    assert [r["version"] for r in _versions(designer)] == [1]


@pytest.mark.parametrize("username", ["inst.chaoyang1", "bj.chaoyang.wjw", "auditor", "admin"])
def test_only_a_designer_deploys(api, username):
    response = post_definition(api(username), I4.replace(SUBMIT, RENAMED))
    assert response.status_code == 403 and chinese(error_of(response)["message"])


def test_versions_are_read_by_designers_auditors_and_platform_admins_only(api):
    assert api("auditor").get("/api/v1/processes/institution_verification/versions").status_code == 200
    for username in ("inst.chaoyang1", "bj.chaoyang.wjw", "doctor.demo"):
        response = api(username).get("/api/v1/processes/institution_verification/versions")
        assert response.status_code == 403, username
        assert api(username).get("/api/v1/processes/institution_verification/versions/1").status_code == 403
    designer = api("designer")
    assert designer.get("/api/v1/processes/no_such_process/versions").status_code == 404
    assert designer.get("/api/v1/processes/institution_verification/versions/99").status_code == 404
    assert designer.post("/api/v1/processes", json={}).status_code == 415


def test_the_diff_names_the_renamed_task_and_the_changed_form_field(api):
    designer = api("designer")
    forms = i4_forms()
    forms["review.json"] = {**forms["review.json"], "title": "材料审核（新）"}
    forms["review.json"]["properties"] = {**forms["review.json"]["properties"],
                                          "extra_note": {"type": "string", "title": "补充说明"}}
    xml = I4.replace(SUBMIT, RENAMED).replace('value="30" /><spiffworkflow:property name="roles"',
                                              'value="20" /><spiffworkflow:property name="roles"')
    assert post_definition(designer, xml, forms).status_code == 201
    body = designer.get("/api/v1/processes/institution_verification/diff?from=1&to=2").get_json()
    changed = {e["id"]: e for e in body["tasks"]["changed"]}
    assert {"aspect": "name", "label": "名称", "old": "填写并提交校验申请", "new": "提交年度校验申请"} \
        in changed["submit_application"]["changes"]
    assert any(c["aspect"] == "property:deadline_days" and (c["old"], c["new"]) == ("30", "20")
               for c in changed["conclusion"]["changes"])
    assert not body["tasks"]["added"] and not body["tasks"]["removed"] and not body["flows"]["changed"]
    form = body["forms"]["changed"][0]
    assert form["id"] == "review.json"
    assert any(c["aspect"] == "field:extra_note" and c["new"] == "补充说明" for c in form["changes"])
    assert set(body["marks"]["changed"]) == {"submit_application", "conclusion"}
    same = designer.get("/api/v1/processes/institution_verification/diff?from=2&to=2").get_json()
    assert same["empty"] is True
    assert designer.get("/api/v1/processes/institution_verification/diff?from=1").status_code == 400
    assert api("inst.chaoyang1").get(
        "/api/v1/processes/institution_verification/diff?from=1&to=2").status_code == 403


def _case_at_application(api, demo, institution="inst.chaoyang1") -> Verification:
    flow = Verification(api(institution), api("bj.chaoyang.wjw"))
    flow.start(demo.institution[institution])
    return flow


def test_a_case_moves_to_the_new_version_and_replay_still_reproduces_it(api, demo, database):
    from service.engine.models import CaseEvent, WorkItem

    designer = api("designer")
    flow = _case_at_application(api, demo)
    flow.submit()
    flow.review("return", "请补充自查报告")  # back at the application: one open item
    assert deploy_renamed(designer) == 2
    dry = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2, "dry_run": True})
    assert dry.get_json() == {"case_id": flow.case_id, "from_version": 1, "to_version": 2,
                              "allowed": True, "reasons": []}
    response = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2})
    assert response.status_code == 200, response.get_json()
    case = response.get_json()
    assert case["version"] == 2 and case["open_work_items"][0]["title"] == "提交年度校验申请"
    item = open_item(flow.institution, flow.case_id)
    assert item["title"] == "提交年度校验申请"
    event = database.scalars(select(CaseEvent).where(CaseEvent.case_id == flow.case_id)
                             .order_by(CaseEvent.seq.desc()))[0]
    assert (event.type, event.data["from_version"], event.data["to_version"]) == ("migrated", 1, 2)
    assert flow.replay()["ok"] is True
    flow.submit()  # the case goes on, on version 2
    flow.review("approve")
    assert flow.replay() == {"ok": True, "events": 6, "detail": "重放结果与存储状态一致"}
    assert database.count(select(WorkItem).where(WorkItem.case_id == flow.case_id,
                                                 WorkItem.status == "open")) == 1
    again = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2})
    assert again.status_code == 409 and "更新的版本" in error_of(again)["fields"]["to_version"][0]


@pytest.mark.parametrize(("change", "reason"), [
    ((' id="submit_application"', ' id="submit_annual"'), "待办任务“填写并提交校验申请”在新版本中不存在"),
    (("<bpmn:flowNodeRef>submit_application</bpmn:flowNodeRef>", ""), "泳道"),
])
def test_a_case_whose_open_task_is_gone_or_moved_is_refused_with_the_reason(api, demo, change, reason):
    designer = api("designer")
    flow = _case_at_application(api, demo)
    old, new = change
    xml = I4.replace(old, new)
    if "flowNodeRef" in old:  # move the task to the bureau lane
        xml = xml.replace("<bpmn:flowNodeRef>material_review</bpmn:flowNodeRef>",
                          "<bpmn:flowNodeRef>material_review</bpmn:flowNodeRef>"
                          "<bpmn:flowNodeRef>submit_application</bpmn:flowNodeRef>")
    else:
        xml = xml.replace('"submit_application"', '"submit_annual"').replace(
            ">submit_application<", ">submit_annual<")
    response = post_definition(designer, xml)
    assert response.status_code == 201, response.get_json()
    refused = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2})
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "not_migratable"
    assert any(reason in r for r in error["fields"]["to_version"]), error["fields"]
    assert flow.institution.get(f"/api/v1/cases/{flow.case_id}").get_json()["version"] == 1


def test_a_completed_path_the_new_version_no_longer_has_is_refused(api, demo):
    designer = api("designer")
    flow = _case_at_application(api, demo)
    flow.submit()  # submit_application done, material_review open
    # version 2: the application goes straight to the counter; the review only after reapplying
    xml = I4.replace('sourceRef="submit_application" targetRef="material_review"',
                     'sourceRef="submit_application" targetRef="counter_confirmation"')
    xml = xml.replace('<bpmn:incoming>flow_submitted</bpmn:incoming><bpmn:incoming>flow_reapplied',
                      '<bpmn:incoming>flow_reapplied')
    xml = xml.replace('<bpmn:incoming>flow_approve_materials</bpmn:incoming>',
                      '<bpmn:incoming>flow_approve_materials</bpmn:incoming><bpmn:incoming>flow_submitted</bpmn:incoming>')
    assert post_definition(designer, xml).status_code == 201
    refused = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2})
    assert refused.status_code == 409
    reasons = error_of(refused)["fields"]["to_version"]
    assert any("已走过的路径“填写并提交校验申请” → “材料审核”" in r for r in reasons), reasons


def test_migrating_needs_the_designer_role_an_existing_case_and_a_version(api, demo):
    flow = _case_at_application(api, demo)
    for username in ("inst.chaoyang1", "bj.chaoyang.wjw", "auditor"):
        response = api(username).post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 1})
        assert response.status_code == 403, username
    designer = api("designer")
    assert designer.post("/api/v1/cases/999999/migrate", json={"to_version": 2}).status_code == 404
    assert designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 9}).status_code == 404
    bad = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": "2"})
    assert bad.status_code == 422 and "to_version" in error_of(bad)["fields"]
    older = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 1})
    assert older.status_code == 409


def test_a_task_done_earlier_that_the_new_version_lacks_is_refused(api, demo):
    designer = api("designer")
    flow = _case_at_application(api, demo)
    flow.submit()
    flow.review("return", "请补充")  # the review is history now; the application is open again
    xml = I4.replace('"material_review"', '"material_check"').replace(
        ">material_review<", ">material_check<")
    assert post_definition(designer, xml).status_code == 201
    refused = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2})
    assert refused.status_code == 409
    assert error_of(refused)["fields"]["to_version"] == [
        "已办理的任务“材料审核”在新版本中不存在（业务记录中的表单无从读取）"]


def test_a_finished_case_is_not_moved(api, demo):
    designer = api("designer")
    flow = _case_at_application(api, demo)
    flow.institution.post(f"/api/v1/cases/{flow.case_id}/withdraw", json={"reason": "不再申请"})
    assert deploy_renamed(designer) == 2
    refused = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2})
    assert refused.status_code == 409
    assert error_of(refused)["fields"]["to_version"] == ["业务已撤回，无需迁移"]


def test_an_open_task_that_became_another_kind_of_element_is_refused(api, demo):
    designer = api("designer")
    flow = _case_at_application(api, demo)
    line = next(x for x in I4.splitlines() if '<bpmn:userTask id="submit_application"' in x)
    manual = line.replace("bpmn:userTask", "bpmn:manualTask")
    assert post_definition(designer, I4.replace(line, manual)).status_code == 201
    refused = designer.post(f"/api/v1/cases/{flow.case_id}/migrate", json={"to_version": 2})
    assert refused.status_code == 409
    assert "待办任务“填写并提交校验申请”在新版本中的元素类型已改变" in error_of(refused)["fields"]["to_version"]


def test_a_damaged_forms_archive_is_refused_not_a_500(api):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("review.json", '{"type": "object"}' * 50)
    damaged = bytearray(buffer.getvalue())
    damaged[40:60] = b"\x00" * 20  # inside the compressed data
    response = api("designer").post("/api/v1/processes", data={
        "bpmn": (io.BytesIO(I4.encode()), "i4.bpmn"), "forms": (io.BytesIO(bytes(damaged)), "f.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "forms" in error_of(response)["fields"]
