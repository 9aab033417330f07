"""Replay for every lifecycle scenario (issue 11): each process run at the counter and online,
with a return for correction and a refusal where the process has them, and the replay of
every case it touched (``POST /api/v1/cases/{id}/replay``: rebuilt from its events and
compared with the stored state) reproduces it."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from applicant_flow import PASSWORD, sign_up
from lifecycle_flow import Business, institution_api
from registration_flow import Registration, application
from sqlalchemy import select
from verification_flow import complete, open_item, upload

from service.engine.models import Case

CLERK, HEAD = "bj.chaoyang.clerk", "bj.chaoyang.wjw"


@pytest.fixture
def registered(api) -> int:
    flow = Registration(api(CLERK), api(HEAD))
    return flow.through(name="北京朝阳回放测试医院", beds=120)["subject"]["institution_id"]


def _new(api_client, process: str) -> int:
    response = api_client.post("/api/v1/cases", json={
        "process": process, "subject": {"division_code": "110105"}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _step(api_client, case_id: int, data: dict, status: int = 200) -> dict:
    return complete(api_client, open_item(api_client, case_id)["id"], data, status)


def setup_counter_with_missing_documents_and_return(api, registered, database) -> list[int]:
    from test_institution_setup import _setup_form

    clerk, head = api(CLERK), api(HEAD)
    approved, refused = _new(clerk, "institution_setup"), _new(clerk, "institution_setup")
    for case_id in (approved, refused):
        form = _setup_form(clerk, case_id)
        _step(clerk, case_id, form)
        _step(clerk, case_id, {"decision": "missing", "missing_documents": [
            {"material": "选址报告", "requirement": "补充环境评价内容"}]})
        _step(clerk, case_id, {"documents": [upload(clerk, case_id, "site_report", 1)]})
        _step(clerk, case_id, {"decision": "accept"})
        _step(clerk, case_id, {"decision": "return", "comment": "床位数与可行性报告不一致",
                               "inspection": "not_needed"})
        _step(clerk, case_id, {**form, "beds": 180})
        _step(clerk, case_id, {"decision": "accept"})
        _step(clerk, case_id, {"decision": "approve", "inspection": "not_needed"})
    _step(head, approved, {"decision": "approve"})
    _step(head, refused, {"decision": "reject", "comment": "不符合区域医疗机构设置规划"})
    return [approved, refused]


def online_setup_clinic_and_registration(api, registered, database, app) -> list[int]:
    sign_up(app.test_client(), database, "sqrreplay1")
    applicant, clerk, head = api("sqrreplay1", PASSWORD), api(CLERK), api(HEAD)
    registration = _new(applicant, "institution_registration")
    form = application(applicant, registration)
    _step(applicant, registration, form)
    _step(clerk, registration, {"decision": "accept"})
    _step(clerk, registration, {"decision": "return", "comment": "请补充人员名单",
                                "inspection": "not_needed"})
    _step(applicant, registration, form)
    _step(clerk, registration, {"decision": "accept"})
    _step(clerk, registration, {"decision": "approve", "inspection": "done",
                                "inspection_record": "现场核查一致"})
    _step(head, registration, {"decision": "reject", "comment": "人员配备不符合基本标准"})
    clinic = _new(applicant, "clinic_filing")
    data = application(applicant, clinic, name="北京朝阳回放诊所", category_code="D211", beds=0,
                       subjects=["03"])
    _step(applicant, clinic, data)
    _step(clerk, clinic, {"decision": "return", "comment": "请补充房屋证明"})
    _step(applicant, clinic, data)
    _step(clerk, clinic, {"decision": "approve"})
    return [registration, clinic]


def registration_counter_refused_and_not_accepted(api, registered, database) -> list[int]:
    refused, not_accepted = Registration(api(CLERK), api(HEAD)), Registration(api(CLERK), api(HEAD))
    refused.start()
    refused.enter()
    refused.accept()
    refused.review()
    refused.approve("reject", comment="选址不符合规划")
    not_accepted.start()
    not_accepted.enter()
    not_accepted.accept("reject", comment="不属于本机关受理范围")
    return [refused.case_id, not_accepted.case_id]


def change_online_with_return_and_counter(api, registered, database) -> list[int]:
    own = institution_api(api, database, registered)
    online = Business("institution_change", own, api(CLERK), api(HEAD))
    online.start(registered)
    doc = upload(own, online.case_id, "change", 1)
    online.submit({"beds": 150, "reason": "扩建病房", "materials": [doc]})
    online.review("return", comment="请补充消防验收材料")
    online.submit({"beds": 150, "reason": "扩建病房", "materials": [doc]})
    online.review()
    online.approve()
    counter = Business("institution_change", api(CLERK), api(CLERK), api(HEAD))
    counter.start(registered)
    counter.submit({"principal": "李青", "reason": "负责人调整",
                    "materials": [upload(counter.applicant, counter.case_id, "c", 1)]})
    counter.review()
    counter.approve("reject", comment="未提供任职文件")
    return [online.case_id, counter.case_id]


def suspension_and_resumption(api, registered, database) -> list[int]:
    own = institution_api(api, database, registered)
    suspension = Business("institution_suspension", own, api(CLERK), api(HEAD))
    suspension.through(registered, {"reason_kind": "renovation", "reason": "病房装修",
                                    "period_from": "2026-12-10", "period_to": "2027-03-01"})
    resumption = Business("institution_resumption", api(CLERK), api(CLERK), api(HEAD))
    resumption.through(registered, {"reason": "装修完成"})
    return [suspension.case_id, resumption.case_id]


def cancellation_with_its_filing_tasks(api, registered, database, demo) -> list[int]:
    inst = demo.institution["inst.chaoyang1"]
    flow = Business("institution_cancellation", api(CLERK), api(CLERK), api(HEAD))
    flow.through(inst, {"ground": "revocation", "reason": "被吊销执业许可证"})
    filings = list(database.scalars(select(Case.id).where(
        Case.process_id == "staff_filing", Case.subject_institution_id == inst)))
    assert filings
    _step(api(CLERK), filings[0], {"decision": "filed"})
    return [flow.case_id, *filings]


def subject_cancellation_renewal_and_replacement(api, registered, database) -> list[int]:
    subjects = Business("subject_cancellation", api(CLERK), api(CLERK), api(HEAD))
    subjects.through(registered, {"subjects": ["32"], "reason": "影像科停用"})
    own = institution_api(api, database, registered)
    renewal = Business("licence_renewal", own, api(CLERK), api(HEAD))
    renewal.through(registered, {"reason": "有效期将满"})
    replacement = Business("licence_replacement", api(CLERK), api(CLERK), api(HEAD))
    replacement.start(registered)
    replacement.submit({"ground": "lost", "reason": "正本遗失", "statement": "北京日报 2026-11-30"})
    replacement.review()
    replacement.approve("reject", comment="声明未满公示期")
    return [subjects.case_id, renewal.case_id, replacement.case_id]


def transfer_accepted_and_declined(api, registered, database) -> list[int]:
    from test_institution_transfer import transfer

    second = Registration(api(CLERK), api(HEAD)).through(name="北京朝阳回放二院")
    declined = transfer(api, second["subject"]["institution_id"], "decline", comment="不属于本区")
    accepted = transfer(api, registered)
    return [declined["id"], accepted["id"]]


def rollback_approved_and_refused(api, registered, database) -> list[int]:
    change = Business("institution_change", api(CLERK), api(CLERK), api(HEAD))
    change.start(registered)
    change.submit({"beds": 200, "reason": "扩建",
                   "materials": [upload(change.applicant, change.case_id, "c", 1)]})
    change.review()
    change.approve()
    refused = Business("institution_rollback", api(CLERK), api(CLERK), api(HEAD))
    refused.start(registered)
    refused.submit({"reason": "变更录入错误"})
    refused.review()
    refused.approve("reject", comment="变更无误")
    approved = Business("institution_rollback", api(CLERK), api(CLERK), api(HEAD))
    approved.start(registered)
    approved.submit({"reason": "变更录入错误"})
    approved.review("return", comment="请写明错误项")
    approved.submit({"reason": "变更登记床位录入错误"})
    approved.review()
    approved.approve()
    return [change.case_id, refused.case_id, approved.case_id]


SCENARIOS: list[Callable] = [
    setup_counter_with_missing_documents_and_return, online_setup_clinic_and_registration,
    registration_counter_refused_and_not_accepted, change_online_with_return_and_counter,
    suspension_and_resumption, cancellation_with_its_filing_tasks,
    subject_cancellation_renewal_and_replacement, transfer_accepted_and_declined,
    rollback_approved_and_refused,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_every_case_of_the_scenario_replays_to_its_stored_state(scenario, api, registered,
                                                               database, app, demo) -> None:
    kwargs = {"app": app} if "app" in scenario.__code__.co_varnames else {}
    if "demo" in scenario.__code__.co_varnames:
        kwargs["demo"] = demo
    case_ids = scenario(api, registered, database, **kwargs)
    # the registration that made the institution replays too
    case_ids.append(database.scalar(select(Case.id).where(
        Case.process_id == "institution_registration", Case.subject_institution_id == registered)))
    auditor = api("auditor")
    for case_id in case_ids:
        result = auditor.post(f"/api/v1/cases/{case_id}/replay").get_json()
        assert result["ok"], (case_id, result)
