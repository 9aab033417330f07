"""What a clerk meets on the case doors: a repeat review with the earlier comments and the
changed fields marked, the history saying what each step did, wording that says what
happened, masked event data, uploads kept and replaced, honest 403 texts."""
from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import csrf, logged_in
from flask import Flask
from flask.testing import FlaskClient
from test_pages_engine import (  # noqa: F401  (deployed: the autouse fixture deploying bpmn/)
    AUDITOR,
    BUREAU,
    DOCUMENT_FIELDS,
    INSTITUTION,
    application,
    around,
    deployed,
    form_fields,
    make_pdf,
    open_item,
    page,
    post_form,
    start_verification,
    submit_application,
)

from service.casework.schema_forms import conditional_required, fields_of

FULL_ID, MASKED_ID = "110105198504178996", "110105********8996"


def _returned(client: FlaskClient, bureau: FlaskClient, app: Flask) -> tuple[int, int]:
    """A verification returned once with a comment on the phone and on the application form."""
    logged_in(client, INSTITUTION)
    case_id = submit_application(client, start_verification(client))
    review_id = open_item(app, case_id, "material_review")
    response = post_form(bureau, review_id, {
        "decision": "return", "comment": "请按意见修改后重新提交。",
        "field_comments-contact_phone": "请填写单位固定电话。",
        "field_comments-application_form": "申请书未加盖公章。"})
    assert response.status_code == 303
    flashed = page(bureau, response.headers["Location"])
    assert "材料审核：已退回修改。" in flashed and "已提交。" not in flashed
    return case_id, open_item(app, case_id, "submit_application")


def test_the_second_review_shows_earlier_comments_and_marks_what_changed(
        client: FlaskClient, new_client, app: Flask) -> None:
    bureau = logged_in(new_client(), BUREAU)
    case_id, returned_id = _returned(client, bureau, app)
    form = page(client, f"/tasks/{returned_id}")
    row = around(form, 'id="row-application_form"', 3000)
    # replacing is the default for a returned material, and the page says so beside the field
    assert 'name="application_form-replace" value="1" checked' in row and "替换原文件" in row
    old_doc = re.search(r'name="application_form" value="(\d+)"', row).group(1)
    fields = application(client, returned_id, contact_phone="010-65001234")
    fields["application_form-replace"] = "1"  # the box ticked by default, as a browser sends it
    response = post_form(client, returned_id, fields, files={
        "application_form": [(make_pdf(1), "盖章申请书.pdf")]})
    assert response.status_code == 303
    assert "已提交“填写并提交校验申请”。下一环节：材料审核。" in page(client, response.headers["Location"])

    second = page(bureau, f"/tasks/{open_item(app, case_id, 'material_review')}")
    summary = around(second, "change-summary", 800)
    assert "修改了 2 项" in summary and "联系电话" in summary and "申请书" in summary
    phone = around(second, 'id="sub-contact_phone"', 1500)
    assert 'class="changed"' in phone[:60] and "已修改" in phone
    assert "13800138000" in phone and "010-65001234" in phone and "→" in phone
    assert "第 1 次审核意见：请填写单位固定电话。" in phone
    doc = around(second, 'id="sub-application_form"', 6000).split("</tr>")[0]
    assert "新增：" in doc and "盖章申请书.pdf" in doc and "被替换：" in doc
    assert f"/cases/documents/{old_doc}" in doc  # the old file stays reachable
    assert "第 1 次审核意见：申请书未加盖公章。" in doc
    unchanged = around(second, 'id="sub-self_inspection"', 600)
    assert "已修改" not in unchanged.split("</tr>")[0]
    assert "历次审核意见" in second and "请按意见修改后重新提交。" in second

    history = around(page(client, f"/cases/{case_id}"), 'id="history"', 20000)
    assert "首次提交" in history and "修改：联系电话、医疗机构校验申请书" in history
    assert "意见：请按意见修改后重新提交。；逐项意见 2 项" in history


def test_a_failed_submission_keeps_the_uploads_as_a_draft(client: FlaskClient) -> None:
    logged_in(client, INSTITUTION)
    item_id = start_verification(client)
    fields = application(client, item_id, contact_phone="")
    files = {name: [(make_pdf(1), f"{name}.pdf")] for name in DOCUMENT_FIELDS}
    assert post_form(client, item_id, fields, files=files).status_code == 422
    again = page(client, f"/tasks/{item_id}")  # leave and come back
    for name in DOCUMENT_FIELDS:
        assert f"{name}.pdf" in around(again, f'id="row-{name}"', 3000)
    assert "尚未上传。" not in around(again, 'id="row-application_form"', 3000).split('id="row-')[0]


def test_limits_are_said_beside_uploads_and_text_areas_and_a_draft_says_what_will_not_pass(
        client: FlaskClient) -> None:
    logged_in(client, INSTITUTION)
    item_id = start_verification(client)
    form = page(client, f"/tasks/{item_id}")
    assert "支持 PDF、JPEG、PNG，每个文件不超过 20 MB" in around(form, 'id="row-licence_copy"', 3000)
    area = around(form, 'id="row-self_inspection"', 2500)
    assert 'data-maxlength="4000"' in area and "最多 4000 字" in area
    assert ' maxlength="4000"' not in area  # pasted text is never cut silently
    response = post_form(client, item_id, application(client, item_id, contact_phone="12"),
                         action="draft")
    assert response.status_code == 303
    shown = page(client, response.headers["Location"])
    assert "草稿已保存" in shown and "提交时将不能通过" in shown and "联系电话" in shown


def test_the_back_button_on_a_done_step_says_the_step_not_the_case(
        client: FlaskClient, app: Flask) -> None:
    logged_in(client, INSTITUTION)
    item_id = start_verification(client)
    submit_application(client, item_id)
    response = client.get(f"/tasks/{item_id}")
    assert response.status_code == 302
    shown = page(client, response.headers["Location"])
    assert "此环节已办理" in shown and "该事项已办结" not in shown


def test_hints_name_the_options_the_form_has() -> None:
    approval = json.loads(Path("forms/physician_registration/approval.json").read_text("utf-8"))
    assert conditional_required(approval) == {"comment": "选择“退回修改”或“不予注册”时必填"}
    comment = next(f for f in fields_of(approval) if f.name == "comment")
    assert "不予批准" not in comment.description and comment.required_when


def test_the_claim_box_shows_only_where_someone_else_could_take_the_task(
        client: FlaskClient, new_client, app: Flask) -> None:
    logged_in(client, INSTITUTION)
    item_id = start_verification(client)
    assert "认领后，本单位其他人员" not in page(client, f"/tasks/{item_id}")
    case_id = submit_application(client, item_id)
    bureau = logged_in(new_client(), BUREAU)
    assert "认领后，本单位其他人员" in page(bureau, f"/tasks/{open_item(app, case_id, 'material_review')}")


def test_event_data_is_masked_on_the_audit_page_and_in_the_api(
        client: FlaskClient, new_client, api, app: Flask) -> None:
    logged_in(client, INSTITUTION)
    case_id = submit_application(client, start_verification(client))
    for who in (BUREAU, AUDITOR):
        audit = page(logged_in(new_client(), who), f"/cases/{case_id}/audit")
        assert MASKED_ID in audit and FULL_ID not in audit
        assert "<td>发起</td>" in audit and "task_completed" not in audit
    events = api(BUREAU).get(f"/api/v1/cases/{case_id}/events").get_json()
    text = json.dumps(events, ensure_ascii=False)
    assert MASKED_ID in text and FULL_ID not in text
    assert events["items"][0]["type_label"] == "发起"


def test_403_pages_say_what_is_true(client: FlaskClient, app: Flask) -> None:
    logged_in(client, INSTITUTION)
    case_id = submit_application(client, start_verification(client))
    audit = client.get(f"/cases/{case_id}/audit")
    assert audit.status_code == 403
    text = audit.get_data(as_text=True)
    assert "审计页面仅供审计人员和卫生健康行政部门使用" in text and "您可以查看该记录" not in text
    review_id = open_item(app, case_id, "material_review")
    response = client.post(f"/tasks/{review_id}", data={
        "csrf_token": csrf(client, f"/cases/{case_id}"), "decision": "approve"})
    assert response.status_code in (403, 404)
    assert "您可以查看该记录，但无权办理此项业务" not in response.get_data(as_text=True)


def test_the_institution_home_counts_the_nurses_the_roster_lists(
        client: FlaskClient, app: Flask, demo) -> None:
    from service.core.extensions import db
    from service.institutions.face import staff_of
    from service.nurses.models import Nurse

    with app.app_context():
        inst = demo.institution[INSTITUTION]
        listed = [m for m in staff_of(inst) if m.kind == "nurse"]
        others = db.session.query(Nurse).filter(Nurse.institution_id == inst).count()
        db.session.remove()
    assert others > len(listed) > 0  # the demo has nurses not (or no longer) registered there
    home = page(logged_in(client, INSTITUTION), "/")
    assert f"<dt>本机构护士</dt><dd>{len(listed)} 人</dd>" in home


def test_each_staff_home_shows_what_that_role_works_on(new_client) -> None:
    designer = page(logged_in(new_client(), "designer"), "/")
    assert 'id="process-definitions"' in designer and "医疗机构校验" in designer
    assert "辖区医疗机构概况" not in designer
    auditor = page(logged_in(new_client(), AUDITOR), "/")
    assert 'id="audit-entry"' in auditor and "审计与重放" in auditor
    assert 'id="process-definitions"' not in auditor
