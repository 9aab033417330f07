"""The verification journey of seed 001 through the pages: start from 发起业务, draft, bad input,
upload a multi-page PDF, return for correction with comments shown beside the fields, approval,
the online service notice, counter and conclusion; jurisdiction; the auditor's replay."""
from __future__ import annotations

import html
import io
import os
import re
from collections.abc import Iterator

import pytest
from conftest import Demo, csrf, logged_in
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select

from service.engine.models import Case, WorkItem
from service.institutions.face import Institution

INSTITUTION, BUREAU, OTHER_BUREAU, AUDITOR = (
    "inst.chaoyang1", "bj.chaoyang.wjw", "cq.jiangbei.wjw", "auditor")
DOCUMENT_FIELDS = ("application_form", "licence_copy", "work_summary")


@pytest.fixture(autouse=True)
def deployed(app: Flask) -> Iterator[None]:
    # Inside the test's rolled-back transaction: every test sees exactly the files in bpmn/.
    from service.core.extensions import db
    from service.engine.definitions import deploy_all

    with app.app_context():
        deploy_all()
        db.session.remove()
    yield


def make_pdf(pages: int) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for n in range(1, pages + 1):
        pdf.drawString(72, 760, f"Page {n} of {pages} {os.urandom(4).hex()}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"GET {url}: {response.status_code}"
    return response.get_data(as_text=True)


def around(text: str, marker: str, after: int = 1500) -> str:
    """The HTML from ``marker`` on (a field's row, a table cell ...)."""
    start = text.index(marker)
    return text[start:start + after]


def table_of(text: str, table_id: str) -> str:
    """One table of a page (an inbox section), so that a row is looked for in that one only."""
    start = text.index(f'id="{table_id}"')
    return text[start:text.index("</table>", start)]


def form_fields(text: str) -> dict[str, str]:
    """Name -> value of the text inputs, selects and textareas of a rendered form."""
    fields = {}
    for tag in re.finditer(r'<input[^>]*type="(?:text|date|hidden)"[^>]*>', text):
        name = re.search(r'name="([^"]+)"', tag.group(0))
        value = re.search(r'value="([^"]*)"', tag.group(0))
        if name and name.group(1) not in fields:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', match.group(2))
        fields[match.group(1)] = chosen.group(1) if chosen else ""
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', text, re.S):
        fields[match.group(1)] = html.unescape(match.group(2))
    for match in re.finditer(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', text):
        fields[match.group(1)] = "true"
    return fields


def drawn_as(text: str, element: str) -> str | None:
    """The class ("done", "active" or None) of a BPMN element on the case page's diagram."""
    tag = re.search(rf'<g [^>]*data-element-id="{element}"[^>]*>', text)
    assert tag, f"{element} is not on the diagram"
    drawn = re.search(r'class="([^"]+)"', tag.group(0))
    return drawn.group(1) if drawn else None


def start_verification(client: FlaskClient) -> int:
    """发起业务 -> the application form of the new case; returns the work item id."""
    text = page(client, "/cases/new")
    assert "医疗机构校验" in text and "发起医疗机构校验" in text
    response = client.post("/cases/new", data={
        "process": "institution_verification", "csrf_token": csrf(client, "/cases/new")})
    assert response.status_code == 303
    match = re.fullmatch(r"/tasks/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def post_form(client: FlaskClient, item_id: int, fields: dict, action: str = "submit",
              files: dict[str, list[tuple[bytes, str]]] | None = None):
    data: dict = {k: v for k, v in fields.items() if not k.endswith("-remove")}
    data.update(action=action, csrf_token=csrf(client, f"/tasks/{item_id}"))
    for name, uploads in (files or {}).items():
        data[f"{name}-upload"] = [(io.BytesIO(content), filename, "application/pdf")
                                  for content, filename in uploads]
    return client.post(f"/tasks/{item_id}", data=data, content_type="multipart/form-data")


def application(client: FlaskClient, item_id: int, **changes: str) -> dict:
    """The application form as the page offers it (pre-filled), with ``changes``."""
    fields = form_fields(page(client, f"/tasks/{item_id}"))
    fields.update(contact_phone="13800138000", self_inspection="依法执业，各项制度落实。")
    fields.update(changes)
    return {k: v for k, v in fields.items() if k != "csrf_token"}


def uploads(*names: str) -> dict[str, list[tuple[bytes, str]]]:
    return {name: [(make_pdf(2), f"{name}.pdf")] for name in names}


def open_item(app: Flask, case_id: int, task: str) -> int:
    from service.core.extensions import db

    with app.app_context():
        item_id = db.session.scalar(select(WorkItem.id).where(
            WorkItem.case_id == case_id, WorkItem.task == task, WorkItem.status == "open"))
        db.session.remove()
    assert item_id, f"no open {task} in case {case_id}"
    return item_id


def case_of(app: Flask, item_id: int) -> int:
    from service.core.extensions import db

    with app.app_context():
        case_id = db.session.get(WorkItem, item_id).case_id
        db.session.remove()
    return case_id


def submit_application(client: FlaskClient, item_id: int) -> int:
    response = post_form(client, item_id, application(client, item_id), files=uploads(*DOCUMENT_FIELDS))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert re.fullmatch(r"/cases/\d+", response.headers["Location"])
    return int(response.headers["Location"].rsplit("/", 1)[1])


def decide(client: FlaskClient, item_id: int, **fields: str) -> None:
    response = post_form(client, item_id, fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]


def test_a_draft_is_saved_and_shown_again_with_its_uploaded_pages(
        client: FlaskClient, app: Flask) -> None:
    logged_in(client, INSTITUTION)
    item_id = start_verification(client)
    fields = application(client, item_id, contact_phone="010-65001234", contact_person="王校验")
    response = post_form(client, item_id, fields, action="draft",
                         files={"application_form": [(make_pdf(2), "校验申请书.pdf")]})
    assert response.status_code == 303
    again = page(client, f"/tasks/{item_id}")
    assert "草稿已保存" in again and "已载入上次保存的草稿" in again
    kept = form_fields(again)
    assert kept["contact_phone"] == "010-65001234" and kept["contact_person"] == "王校验"
    uploaded = around(again, 'id="row-application_form"', 3000)
    assert "校验申请书.pdf" in uploaded and "共 2 页" in uploaded
    doc_id = int(re.search(r'name="application_form" value="(\d+)"', uploaded).group(1))
    preview = page(client, f"/cases/documents/{doc_id}")
    # seed 001 Q5: a multi-page material shows every page, not only the last
    assert preview.count(f"/cases/documents/{doc_id}/pages/") == 2
    png = client.get(f"/cases/documents/{doc_id}/pages/2.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    # without JavaScript, "增加行" re-renders the form with five more empty rows, input kept
    rows = len([k for k in kept if re.fullmatch(r"roster-\d+-name", k)])
    more = post_form(client, item_id, kept, action="add_rows:roster")
    assert more.status_code == 200
    grown = form_fields(more.get_data(as_text=True))
    assert len([k for k in grown if re.fullmatch(r"roster-\d+-name", k)]) == rows + 5
    assert grown["contact_person"] == "王校验"


def test_bad_input_comes_back_with_chinese_errors_beside_the_fields_and_the_input_kept(
        client: FlaskClient) -> None:
    logged_in(client, INSTITUTION)
    item_id = start_verification(client)
    fields = application(client, item_id, contact_phone="", contact_person="李联系",
                         **{"roster-1-id_number": "12345", "outpatient_visits": "很多"})
    response = post_form(client, item_id, fields, files=uploads(*DOCUMENT_FIELDS))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "提交的内容有" in text
    assert "必填项" in around(text, 'id="row-contact_phone"')
    cell = around(text, 'name="roster-1-id_number"', 600)
    assert 'value="12345"' in cell and "身份证号应为 18 位" in cell
    assert "请填写整数" in around(text, 'id="row-outpatient_visits"')
    kept = form_fields(text)
    assert kept["contact_person"] == "李联系" and kept["outpatient_visits"] == "很多"
    # the files chosen were stored and are offered again: nobody uploads them twice
    for name in DOCUMENT_FIELDS:
        assert f"{name}.pdf" in around(text, f'id="row-{name}"', 3000)


def test_a_returned_verification_is_corrected_and_passes(
        client: FlaskClient, new_client, app: Flask, demo: Demo) -> None:
    logged_in(client, INSTITUTION)
    item_id = start_verification(client)
    case_id = submit_application(client, item_id)
    assert client.get(f"/cases/{case_id}/prints/notice.pdf").status_code == 404  # not yet approved

    bureau = logged_in(new_client(), BUREAU)
    inbox = page(bureau, "/tasks/")
    review_id = open_item(app, case_id, "material_review")
    assert f'href="/tasks/{review_id}"' in table_of(inbox, "unclaimed")
    claimed = bureau.post(f"/tasks/{review_id}/claim", data={
        "csrf_token": csrf(bureau, "/tasks/"), "next": "/tasks/"})
    assert claimed.status_code == 303
    assert f'href="/tasks/{review_id}"' in table_of(page(bureau, "/tasks/"), "mine")

    review = page(bureau, f"/tasks/{review_id}")
    assert "110105********8996" in review and "110105198504178996" not in review  # masked roster
    assert "/cases/documents/" in review and "共 2 页" in review
    refused = post_form(bureau, review_id, {"decision": "return"})
    assert refused.status_code == 422  # a return without a reason the applicant could act on
    assert "必填项" in around(refused.get_data(as_text=True), 'id="row-comment"')
    decide(bureau, review_id, decision="return", comment="请按意见修改后重新提交。",
           **{"field_comments-contact_phone": "请填写单位固定电话，手机号不予受理。"})

    # the diagram shows the first round too, though the engine keeps only the live part
    midway = page(client, f"/cases/{case_id}")
    assert [drawn_as(midway, n) for n in ("start", "prepare", "material_review", "review_decision",
                                          "submit_application", "counter_confirmation")] == [
        "done", "done", "done", "done", "active", None]

    # seed 001 Q7: the institution sees the comment at the top and beside the field
    returned_id = open_item(app, case_id, "submit_application")
    form = page(client, f"/tasks/{returned_id}")
    assert "请按意见修改后重新提交。" in around(form, "notice-return")
    assert "请填写单位固定电话" in around(form, 'id="row-contact_phone"')
    assert form_fields(form)["contact_phone"] == "13800138000"  # the application came back as sent
    fields = application(client, returned_id, contact_phone="010-65001234")
    response = post_form(client, returned_id, fields)
    assert response.status_code == 303

    approve_id = open_item(app, case_id, "material_review")
    decide(bureau, approve_id, decision="approve")
    notice = client.get(f"/cases/{case_id}/prints/notice.pdf")
    assert notice.status_code == 200 and notice.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.data)).pages)
    with app.app_context():
        from service.core.extensions import db

        name = db.session.get(Institution, demo.institution[INSTITUTION]).name
        db.session.remove()
    assert name in text.replace("\n", "")
    shown_case = page(client, f"/cases/{case_id}")
    assert "打印网上审核指导服务完成通知单" in shown_case and "通知书" not in shown_case  # one name

    decide(bureau, open_item(app, case_id, "counter_confirmation"), originals_checked="true")
    decide(bureau, open_item(app, case_id, "conclusion"), decision="approve")
    shown = page(client, f"/cases/{case_id}")
    assert "已办结" in shown and "校验合格" in shown
    assert drawn_as(shown, "record_pass") == "done" and drawn_as(shown, "end_passed") == "done"
    assert "请填写单位固定电话，手机号不予受理。" in around(shown, 'id="comments"', 4000)
    history = around(shown, 'id="history"', 20000)
    assert "首次提交" in history and "联系电话" in history and "退回修改" in history
    done = page(bureau, "/tasks/done")
    assert f"/cases/{case_id}" in done


def _case_with_review(client: FlaskClient, app: Flask) -> tuple[int, int]:
    logged_in(client, INSTITUTION)
    case_id = submit_application(client, start_verification(client))
    return case_id, open_item(app, case_id, "material_review")


def test_another_jurisdiction_sees_neither_the_case_nor_its_task(
        client: FlaskClient, new_client, app: Flask) -> None:
    case_id, review_id = _case_with_review(client, app)
    other = logged_in(new_client(), OTHER_BUREAU)
    page(other, f"/cases/{case_id}", 404)
    page(other, f"/tasks/{review_id}", 404)
    page(other, f"/cases/{case_id}/audit", 404)
    assert f"/cases/{case_id}" not in page(other, "/tasks/cases/all")
    assert f"/tasks/{review_id}" not in page(other, "/tasks/")


def test_the_auditor_replays_the_case_and_the_chain_holds(
        client: FlaskClient, new_client, app: Flask) -> None:
    case_id, _ = _case_with_review(client, app)
    auditor = logged_in(new_client(), AUDITOR)
    audit = page(auditor, f"/cases/{case_id}/audit")
    assert "哈希链完整" in audit
    response = auditor.post(f"/cases/{case_id}/audit/replay",
                            data={"csrf_token": csrf(auditor, f"/cases/{case_id}/audit")})
    assert response.status_code == 200
    result = around(response.get_data(as_text=True), "replay-result", 400)
    assert "<strong>一致</strong>" in result and "重放了" in result  # not "不一致"
    assert client.get(f"/cases/{case_id}/audit").status_code == 403  # the applicant only reads


def test_the_applicant_withdraws_before_anyone_decided(client: FlaskClient, app: Flask) -> None:
    case_id, _ = _case_with_review(client, app)
    shown = page(client, f"/cases/{case_id}")
    assert "撤回申请" in shown
    response = client.post(f"/cases/{case_id}/withdraw", data={
        "reason": "材料需重新准备", "csrf_token": csrf(client, f"/cases/{case_id}")})
    assert response.status_code == 303
    shown = page(client, f"/cases/{case_id}")
    assert "已撤回" in shown and "撤回原因：材料需重新准备" in shown and "撤回申请" not in shown
    with app.app_context():
        from service.core.extensions import db

        assert db.session.get(Case, case_id).status == "withdrawn"
        db.session.remove()


def test_case_lists_filter_and_page_by_keyset(client: FlaskClient, app: Flask) -> None:
    case_id, _ = _case_with_review(client, app)
    started = page(client, "/tasks/cases/started")
    assert f'href="/cases/{case_id}"' in started and "材料审核" in started
    assert f'href="/cases/{case_id}"' in page(client, "/tasks/cases/all?status=open&q=%E6%9C%9D%E9%98%B3")
    assert f'href="/cases/{case_id}"' not in page(client, "/tasks/cases/all?status=completed")
    assert f'href="/cases/{case_id}"' not in page(client, f"/tasks/cases/all?cursor={case_id}")
    assert "日期格式应为" in page(client, "/tasks/cases/all?from=2024-13-01", 400)


def test_a_claimed_item_can_be_released_to_the_unit(
        client: FlaskClient, new_client, app: Flask) -> None:
    _, review_id = _case_with_review(client, app)
    bureau = logged_in(new_client(), BUREAU)
    token = csrf(bureau, "/tasks/")
    assert bureau.post(f"/tasks/{review_id}/claim", data={"csrf_token": token}).status_code == 303
    assert f'href="/tasks/{review_id}"' in table_of(page(bureau, "/tasks/"), "mine")
    released = bureau.post(f"/tasks/{review_id}/release", data={"csrf_token": token})
    assert released.status_code == 303 and released.headers["Location"] == "/tasks/"
    inbox = page(bureau, "/tasks/")
    assert "已释放" in inbox
    assert f'href="/tasks/{review_id}"' in table_of(inbox, "unclaimed")
    assert f'href="/tasks/{review_id}"' not in table_of(inbox, "mine")
