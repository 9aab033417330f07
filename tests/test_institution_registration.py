"""Practice registration (I2) through the REST API: counter entry, acceptance with a one-time
missing-documents notice, review, four-eyes approval, the record, its licence and account."""
from __future__ import annotations

import pytest
from conftest import chinese, error_of
from registration_flow import Registration, new_uscc
from verification_flow import complete, upload


@pytest.fixture
def chaoyang(api) -> Registration:
    return Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))


def test_a_counter_application_is_accepted_reviewed_approved_and_registered(chaoyang, database):
    from sqlalchemy import select

    from service.access.models import Account
    from service.institutions.licences import Licence
    from service.institutions.models import Institution

    case = chaoyang.start()
    assert case["subject"]["institution_id"] is None
    assert [i["task"] for i in case["open_work_items"]] == ["enter_application"]
    chaoyang.enter(name="北京朝阳望京康复医院")
    chaoyang.accept()
    review = chaoyang.item()
    assert review["task"] == "review" and review["deadline"]
    chaoyang.review()
    case = chaoyang.approve()
    assert case["status"] == "completed" and case["outcome"] == "approved"
    inst_id = case["subject"]["institution_id"]
    assert inst_id

    inst = database.scalar(select(Institution).where(Institution.id == inst_id))
    assert inst.name == "北京朝阳望京康复医院" and inst.version == 1 and inst.status == "active"
    assert len(inst.registration_number) == 22
    assert inst.registration_number[9:15] == "110105"
    # 120 beds: 15 years in the default validity table
    assert (inst.licence_valid_to - inst.licence_valid_from).days in (5478, 5477)
    licence = database.scalar(select(Licence).where(Licence.institution_id == inst_id))
    assert licence.status == "valid" and len(licence.verify_code) >= 22
    account = database.scalar(select(Account).where(Account.institution_id == inst_id))
    assert account.must_change_password and "inst_admin" in account.roles

    body = chaoyang.approver.get(f"/api/v1/institutions/{inst_id}").get_json()
    assert body["licence_verify_code"] == licence.verify_code
    history = chaoyang.approver.get(f"/api/v1/institutions/{inst_id}/history").get_json()["items"]
    assert history[0]["case_id"] == chaoyang.case_id
    assert chaoyang.clerk.post(f"/api/v1/cases/{chaoyang.case_id}/replay").get_json()["ok"] is True


def test_the_same_person_never_reviews_and_approves_one_case(api):
    """Four eyes: bj.chaoyang.wjw holds both duties, but not on the same case."""
    both = api("bj.chaoyang.wjw")
    flow = Registration(both, both)
    flow.start()
    flow.enter()
    flow.accept()
    flow.review()
    response = both.post(f"/api/v1/work-items/{flow.item()['id']}/complete",
                         json={"data": {"decision": "approve"}})
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "four_eyes" and chinese(error["message"])
    # another approver of the same administration may decide
    other = Registration(api("bj.chaoyang.clerk"), both, flow.case_id)
    assert other.clerk.get(f"/api/v1/work-items/{flow.item()['id']}").status_code == 200


def test_a_clerk_cannot_approve(chaoyang):
    chaoyang.start()
    chaoyang.enter()
    chaoyang.accept()
    chaoyang.review()
    response = chaoyang.clerk.post(f"/api/v1/work-items/{chaoyang.item()['id']}/complete",
                                   json={"data": {"decision": "approve"}})
    assert response.status_code == 403 and chinese(error_of(response)["message"])


def test_missing_documents_are_listed_once_and_the_clock_starts_at_acceptance(chaoyang, database):
    from sqlalchemy import select

    from service.engine.models import WorkItem

    chaoyang.start()
    chaoyang.enter()
    acceptance = chaoyang.item()
    assert acceptance["task"] == "acceptance" and acceptance["deadline"]
    chaoyang.accept("missing", missing_documents=[
        {"material": "房屋产权证明", "requirement": "须加盖产权单位公章"},
        {"material": "消防验收合格意见书"}])
    item = chaoyang.item()
    assert item["task"] == "supplement_documents"
    doc = upload(chaoyang.clerk, chaoyang.case_id, "supplement", 1)
    complete(chaoyang.clerk, item["id"], {"documents": [doc], "comment": "已补齐"})
    # a second notice is refused at once
    response = chaoyang.clerk.post(f"/api/v1/work-items/{chaoyang.item()['id']}/complete",
                                   json={"data": {"decision": "missing",
                                                  "missing_documents": [{"material": "其他"}]}})
    assert response.status_code == 422 and chinese(error_of(response)["message"])
    chaoyang.accept()
    review = database.scalar(select(WorkItem).where(
        WorkItem.case_id == chaoyang.case_id, WorkItem.task == "review"))
    from service.engine.models import CaseEvent
    accepted = database.scalars(select(CaseEvent.at).where(
        CaseEvent.case_id == chaoyang.case_id, CaseEvent.task == "acceptance")
        .order_by(CaseEvent.seq))[-1]
    from service.core.times import SHANGHAI
    # the limit counts from the Beijing date of acceptance (after 16:00 UTC it is the next day)
    assert (review.deadline - accepted.astimezone(SHANGHAI).date()).days == 45


def test_the_missing_documents_notice_prints(chaoyang, client, app):
    from conftest import logged_in

    chaoyang.start()
    chaoyang.enter()
    chaoyang.accept("missing", missing_documents=[{"material": "消防验收合格意见书"}])
    web = logged_in(client, "bj.chaoyang.clerk")
    page = web.get(f"/cases/{chaoyang.case_id}")
    assert "补正材料通知书" in page.get_data(as_text=True)
    pdf = web.get(f"/cases/{chaoyang.case_id}/prints/missing-documents.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    import io

    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "消防验收合格意见书" in text


def test_refusal_after_review_ends_the_case_without_a_record(chaoyang, database):
    from sqlalchemy import func, select

    from service.institutions.models import Institution

    before = database.scalar(select(func.count(Institution.id)))
    chaoyang.start()
    chaoyang.enter()
    chaoyang.accept()
    chaoyang.review("reject", comment="选址不符合区域卫生规划")
    case = chaoyang.approve("reject", comment="不符合设置规划，不予登记")
    assert case["status"] == "completed" and case["outcome"] == "refused"
    assert database.scalar(select(func.count(Institution.id))) == before


def test_return_for_correction_brings_the_application_back(chaoyang):
    chaoyang.start()
    chaoyang.enter(beds=80)
    chaoyang.accept()
    chaoyang.review("return", comment="床位数与现场不符")
    item = chaoyang.item()
    assert item["task"] == "enter_application"
    data = chaoyang.clerk.get(f"/api/v1/work-items/{item['id']}").get_json()["data"]
    assert data["beds"] == 80


@pytest.mark.parametrize(("field", "value"), [
    ("uscc", "91110105MA01ABCDE1"),
    ("legal_representative_id_number", "110105198001010010"),
    ("subjects", ["03", "99.99"]),
])
def test_bad_identifiers_and_unknown_subjects_are_refused_at_once(chaoyang, field, value):
    chaoyang.start()
    body = chaoyang.enter(status=422, **{field: value})
    keys = [k for k in body["error"]["fields"] if k.split(".")[0] == field]
    assert keys and all(chinese(m) for k in keys for m in body["error"]["fields"][k])


def test_a_registered_uscc_cannot_be_registered_again(chaoyang, api):
    code = new_uscc(9001)
    chaoyang.through(uscc=code)
    again = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    again.start()
    body = again.enter(status=422, uscc=code)
    assert "已登记" in body["error"]["fields"]["uscc"][0]


def test_another_district_cannot_start_a_chaoyang_registration(api):
    flow = Registration(api("cq.jiangbei.wjw"), api("cq.jiangbei.wjw"))
    flow.start("110105", status=403)
    flow.start("999999", status=422)


def test_validity_comes_from_the_seed_table_by_beds():
    from service.institutions.licences import validity_years

    assert validity_years("110000", 99) == 5
    assert validity_years("110000", 100) == 15


def test_the_counter_page_starts_a_registration_for_a_walk_in_applicant(client):
    from conftest import csrf, logged_in

    web = logged_in(client, "bj.chaoyang.clerk")
    page = web.get("/institutions/counter")
    assert page.status_code == 200 and "窗口受理" in page.get_data(as_text=True)
    token = csrf(web, "/institutions/counter")
    response = web.post("/institutions/counter", data={
        "csrf_token": token, "process": "institution_registration", "division_code": "110105"})
    assert response.status_code == 303 and "/tasks/" in response.headers["Location"]
    form = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "录入执业登记申请" in form and "诊疗科目" in form


def test_the_counter_refuses_a_division_outside_the_area_in_chinese(client):
    from conftest import csrf, logged_in

    web = logged_in(client, "bj.chaoyang.clerk")
    response = web.post("/institutions/counter", data={
        "csrf_token": csrf(web, "/institutions/counter"), "process": "institution_registration",
        "division_code": "500105"}, follow_redirects=True)
    assert "您无权发起该业务" in response.get_data(as_text=True)


def test_institutions_have_no_counter(client):
    from conftest import logged_in

    assert logged_in(client, "inst.chaoyang1").get("/institutions/counter").status_code == 404
