"""Applicant accounts for prospective institutions (issue 11): sign-up with phone and e-mail
codes (REST and page), online starts of 设置审批 / 诊所备案 / 执业登记, returns for correction
answered by the applicant, her own cases only, and the case linked to the new institution's
account after approval."""
from __future__ import annotations

import pytest
from applicant_flow import PASSWORD, person, serial, sign_up
from conftest import csrf, error_of, logged_in
from national_flow import acknowledged
from physician_accounts_flow import outbox_code
from registration_flow import application, new_uscc
from sqlalchemy import select
from verification_flow import complete, open_item

from service.access.models import Account
from service.engine.models import Case, WorkItem
from service.notify.models import Notification


@pytest.fixture
def applicant(app, api, database):
    username = f"sqr{next(serial):04d}abc"
    sign_up(app.test_client(), database, username)
    return api(username, PASSWORD)


def test_rest_sign_up_needs_both_codes_and_writes_nothing_on_refusal(app, database) -> None:
    client = app.test_client()
    name, id_number, phone, email = person()
    assert client.post("/api/v1/applicants/codes", json={
        "name": name, "id_number": "110105198503010000", "channel": "sms",
        "address": phone}).status_code == 422  # a resident ID with a wrong check digit
    sent = client.post("/api/v1/applicants/codes", json={
        "name": name, "id_number": id_number, "channel": "sms", "address": phone})
    assert sent.status_code == 202, sent.get_json()
    refused = client.post("/api/v1/applicants", json={
        "name": name, "id_number": id_number, "phone": phone,
        "phone_code": outbox_code(database, phone), "email": email, "email_code": "000000",
        "username": "sqrnocode1", "password": PASSWORD})
    assert refused.status_code == 422
    assert "email_code" in error_of(refused)["fields"]
    assert database.scalar(select(Account.id).where(Account.username == "sqrnocode1")) is None


def test_an_online_registration_with_a_return_ends_linked_to_the_new_account(
        applicant, api, database) -> None:
    started = applicant.post("/api/v1/cases", json={
        "process": "institution_registration", "subject": {"division_code": "110105"}})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    assert started.get_json()["business_number"].startswith("京朝卫登〔")
    item = open_item(applicant, case_id)
    assert item["task"] == "enter_application"
    form = application(applicant, case_id)
    complete(applicant, item["id"], form)
    clerk, approver = api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw")
    complete(clerk, open_item(clerk, case_id)["id"], {"decision": "accept"})
    complete(clerk, open_item(clerk, case_id)["id"], {
        "decision": "return", "comment": "请补充床位设置说明", "inspection": "not_needed"})
    # the return for correction comes back to the applicant's own account
    again = open_item(applicant, case_id)
    assert again["task"] == "enter_application"
    complete(applicant, again["id"], {**form, "beds": 110})
    complete(clerk, open_item(clerk, case_id)["id"], {"decision": "accept"})
    complete(clerk, open_item(clerk, case_id)["id"], {
        "decision": "approve", "inspection": "done", "inspection_record": "现场核查：与申请一致。"})
    acknowledged(approver, complete(approver, open_item(approver, case_id)["id"],
                                    {"decision": "approve"}))  # the national registry's ack
    case = applicant.get(f"/api/v1/cases/{case_id}").get_json()
    assert case["status"] == "completed" and case["outcome"] == "approved"
    institution_id = case["subject"]["institution_id"]
    account = database.scalar(select(Account).where(Account.institution_id == institution_id))
    assert account is not None and account.kind == "institution"
    # the applicant is told in her own account which account the institution now has
    assert database.scalar(select(Notification.id).where(
        Notification.body.contains(account.username))) is not None
    assert applicant.post(f"/api/v1/cases/{case_id}/replay").get_json()["ok"]


def test_the_applicant_sees_only_her_own_cases_and_no_registry(applicant, app, api, database,
                                                              demo) -> None:
    case_id = applicant.post("/api/v1/cases", json={
        "process": "institution_setup", "subject": {"division_code": "110105"}}).get_json()["id"]
    item_id = open_item(applicant, case_id)["id"]
    other_name = f"sqr{next(serial):04d}xyz"
    sign_up(app.test_client(), database, other_name)
    other = api(other_name, PASSWORD)
    assert other.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert other.get(f"/api/v1/work-items/{item_id}").status_code == 404
    assert [c["id"] for c in other.get("/api/v1/cases").get_json()["items"]] == []
    assert case_id in [c["id"] for c in applicant.get("/api/v1/cases").get_json()["items"]]
    inst = demo.institution["inst.chaoyang1"]
    assert applicant.get(f"/api/v1/institutions/{inst}").status_code == 404
    # an applicant applies for a new institution only
    refused = applicant.post("/api/v1/cases", json={
        "process": "institution_change", "subject": {"institution_id": inst}})
    assert refused.status_code in (403, 404)
    assert database.count(select(Case).where(Case.process_id == "institution_change",
                                             Case.started_by_id == database.scalar(select(Account.id).where(
                                                 Account.username == applicant.me()["username"])))) == 0


def test_online_clinic_filing_is_confirmed_by_the_clerk_after_a_return(applicant, api,
                                                                       database) -> None:
    case_id = applicant.post("/api/v1/cases", json={
        "process": "clinic_filing", "subject": {"division_code": "110105"}}).get_json()["id"]
    form = application(applicant, case_id, name=f"北京朝阳惠民诊所{next(serial)}",
                       category_code="D211", beds=0, uscc=new_uscc(),
                       subjects=["03"], service_mode="门诊")
    item = open_item(applicant, case_id)
    schema = applicant.get(f"/api/v1/work-items/{item['id']}").get_json()["form"]
    form = {k: v for k, v in form.items() if k in schema["properties"]}
    complete(applicant, item["id"], form)
    clerk = api("bj.chaoyang.clerk")
    confirm = open_item(clerk, case_id)
    assert confirm["task"] == "confirm_filing"
    assert complete(clerk, confirm["id"], {"decision": "return"}, 422)  # a return needs a reason
    complete(clerk, confirm["id"], {"decision": "return", "comment": "请补充执业人员名单"})
    complete(applicant, open_item(applicant, case_id)["id"], form)
    complete(clerk, open_item(clerk, case_id)["id"], {"decision": "approve"})
    case = applicant.get(f"/api/v1/cases/{case_id}").get_json()
    assert case["outcome"] == "approved" and case["subject"]["institution_id"]
    assert database.scalar(select(WorkItem.organisation_kind).where(
        WorkItem.case_id == case_id, WorkItem.task == "enter_filing")) == "applicant"


def test_sign_up_page_then_start_online_and_follow_it(app, database) -> None:
    client = app.test_client()
    page = client.get("/applicants/signup")
    assert page.status_code == 200 and "申请人注册" in page.get_data(as_text=True)
    name, id_number, phone, email = person()
    values = {"name": name, "id_number": id_number, "phone": phone, "email": email,
              "username": "sqrpage01", "password": PASSWORD, "confirm": PASSWORD}
    for action in ("sms", "email"):
        sent = client.post("/applicants/signup", data={
            **values, "action": action, "csrf_token": csrf(client, "/applicants/signup")})
        assert sent.status_code == 200 and "验证码已发送" in sent.get_data(as_text=True)
    wrong = client.post("/applicants/signup", data={
        **values, "action": "create", "phone_code": "000000", "email_code": "000000",
        "csrf_token": csrf(client, "/applicants/signup")})
    assert wrong.status_code == 422 and "验证码" in wrong.get_data(as_text=True)
    done = client.post("/applicants/signup", data={
        **values, "action": "create", "phone_code": outbox_code(database, phone),
        "email_code": outbox_code(database, email),
        "csrf_token": csrf(client, "/applicants/signup")})
    assert done.status_code == 303
    client = logged_in(app.test_client(), "sqrpage01", PASSWORD)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "在线申请" in home and "医疗机构设置审批" in home and "诊所备案" in home
    started = client.post("/applicants/", data={
        "process": "institution_setup", "division_code": "110105",
        "csrf_token": csrf(client, "/applicants/")})
    assert started.status_code == 303
    listing = client.get("/applicants/").get_data(as_text=True)
    case = database.scalar(select(Case).where(Case.started_by_id == database.scalar(
        select(Account.id).where(Account.username == "sqrpage01"))))
    assert case.business_number in listing
    assert client.get(f"/cases/{case.id}").status_code == 200
