"""Physician registration, multi-site filing and change of main institution (P1, P2, P4) end to
end through the REST API, as seed 003 ch.2 §2.4 describes them: the physician applies, the
(target) institution confirms, its approving authority approves within 20 working days."""
from __future__ import annotations

import re

import pytest
from conftest import error_of
from physician_accounts_flow import account_of
from physician_flow import PhysicianCase, item_of, today_beijing, versions
from sqlalchemy import select


def _physician(database, physician_id: int):
    from service.physicians.models import Physician

    with database.session() as s:
        p = s.get(Physician, physician_id)
        regs = [(r.kind, r.institution_id, r.location_code, r.status, r.certificate_number,
                 r.scope, r.end_reason) for r in p.registrations]
        return p.certificate_number, regs


def _inbox(database, username: str) -> list[str]:
    from service.access.models import Account
    from service.notify.models import Notification

    return [n.subject for n in database.scalars(
        select(Notification).join(Account, Account.id == Notification.account_id)
        .where(Account.username == username, Notification.channel == "inbox")
        .order_by(Notification.id))]


@pytest.fixture
def registration(api) -> PhysicianCase:
    return PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")


def test_a_new_physician_registers_and_receives_a_lifelong_number(registration, database, demo):
    from service.engine.workdays import add_workdays

    doctor = demo.physician["doctor.new"]
    assert account_of(database, "doctor.new").activated_at is None
    # she may apply before her account is activated (seed 003 ch.4)
    case = registration.start(demo.institution["inst.chaoyang1"])
    assert case["status"] == "open" and case["subject"]["physician_id"] == doctor
    assert [i["task"] for i in case["open_work_items"]] == ["apply"]
    _, prefilled = registration.form()
    assert prefilled == {"category": "1"}  # from her qualification
    registration.apply(category="1", scope="101", pledge=True, department="内科")
    assert item_of(registration.institution, registration.case_id)["task"] == "confirm"
    case = registration.confirm()

    item = registration.approval_item()
    assert item["organisation_kind"] == "administration"
    assert item["organisation_id"] == demo.administration["bj.chaoyang.wjw"]
    assert item["deadline"] == add_workdays(today_beijing(), 20).isoformat()
    case = registration.decide("approve")
    assert case["status"] == "completed" and case["outcome"] == "approved"

    number, regs = _physician(database, doctor)
    assert re.fullmatch(r"110110105\d{6}", number), number  # level, category, 0, county, serial
    assert regs == [("main", demo.institution["inst.chaoyang1"], "110000", "active", number,
                     "内科专业", None)]
    assert account_of(database, "doctor.new").activated_at is not None
    assert "执业注册已批准" in _inbox(database, "doctor.new")
    body = registration.applicant.get(f"/api/v1/physicians/{doctor}").get_json()
    assert body["certificate_number"] == number
    assert registration.replay()["ok"] is True


def test_a_returned_application_is_corrected_and_confirmed_again(registration, demo):
    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="102", pledge=True)
    registration.confirm()
    registration.decide("return", "执业范围与拟执业科室不符",
                        field_comments={"scope": "请改为内科专业"})
    item_id, data = registration.form()
    assert data["scope"] == "102"  # the returned application comes back as sent
    registration.apply(scope="101")
    registration.confirm()
    assert registration.decide("approve")["outcome"] == "approved"
    events = registration.applicant.get(
        f"/api/v1/cases/{registration.case_id}/events").get_json()["items"]
    assert [e["data"]["form"]["scope"] for e in events if e["task"] == "apply"] == ["102", "101"]
    assert [e["task"] for e in events if e["type"] == "task_completed"] == [
        "apply", "confirm", "approve", "apply", "confirm", "approve"]
    assert registration.replay()["ok"] is True


def test_multi_site_filing_is_approved_by_the_filing_institutions_authority(api, database, demo):
    flow = PhysicianCase(api("doctor.demo"), api("inst.jiangbei1"), api("cq.jiangbei.wjw"),
                         "physician_multi_site_filing")
    flow.start(demo.institution["inst.jiangbei1"])
    _, prefilled = flow.form()
    assert prefilled == {"scope": "101"}  # her main registration's scope
    flow.apply(scope="101")
    flow.confirm()
    item = flow.approval_item()
    assert item["organisation_id"] == demo.administration["cq.jiangbei.wjw"]

    chaoyang = api("bj.chaoyang.wjw")  # her main institution's authority does not decide here
    assert chaoyang.get(f"/api/v1/work-items/{item['id']}").status_code == 404
    response = chaoyang.post(f"/api/v1/work-items/{item['id']}/complete",
                             json={"data": {"decision": "approve"}})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert chaoyang.get(f"/api/v1/cases/{flow.case_id}").status_code == 404

    assert flow.decide("approve")["outcome"] == "approved"
    number, regs = _physician(database, demo.physician["doctor.demo"])
    assert ("multi_site", demo.institution["inst.jiangbei1"], "500000", "active", number,
            "内科专业", None) in regs
    assert ("main", demo.institution["inst.chaoyang1"], "110000", "active", number,
            "内科专业", None) in regs
    assert "本院医师多执业机构备案" in _inbox(database, "inst.chaoyang1")
    assert flow.replay()["ok"] is True


def test_a_change_of_main_institution_to_jiangbei_leaves_chaoyang(api, database, demo):
    from service.physicians.models import PracticeRegistration

    doctor, chaoyang1 = demo.physician["doctor.demo"], demo.institution["inst.chaoyang1"]
    number_before, _ = _physician(database, doctor)
    flow = PhysicianCase(api("doctor.demo"), api("inst.jiangbei1"), api("cq.jiangbei.wjw"),
                         "physician_change")
    flow.start(demo.institution["inst.jiangbei1"])
    _, prefilled = flow.form()
    old_id = prefilled["registration_id"]
    assert prefilled == {"registration_id": old_id, "category": "1", "scope": "101"}
    flow.apply(scope="108", reason="调往重庆工作")
    flow.confirm()
    assert flow.approval_item()["organisation_id"] == demo.administration["cq.jiangbei.wjw"]
    assert flow.decide("approve")["outcome"] == "approved"

    number, regs = _physician(database, doctor)
    assert number == number_before  # 终身一号
    assert ("main", chaoyang1, "110000", "changed_out", number, "内科专业", "changed") in regs
    assert ("main", demo.institution["inst.jiangbei1"], "500000", "active", number,
            "职业病专业", None) in regs
    # Chaoyang sees her leave: not on its list of active physicians, a message, the history
    roster = database.scalars(select(PracticeRegistration.physician_id).where(
        PracticeRegistration.institution_id == chaoyang1, PracticeRegistration.status == "active"))
    assert doctor not in roster
    assert "医师变更主要执业机构" in _inbox(database, "inst.chaoyang1")
    assert "医师变更执业地点" in _inbox(database, "bj.chaoyang.wjw")  # the old authority
    seen = api("inst.chaoyang1").get(f"/api/v1/physicians/{doctor}").get_json()
    old = next(r for r in seen["registrations"] if r["id"] == old_id)
    assert (old["status"], old["end_reason"], old["level"]) == ("changed_out", "changed", "physician")
    assert flow.replay()["ok"] is True


def test_a_change_of_scope_at_the_same_institution_is_a_new_version(api, database, demo):
    from service.registry.versioning import history

    flow = PhysicianCase(api("doctor.demo"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_change")
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(scope="111", reason="转岗全科")
    flow.confirm()
    flow.decide("approve")
    reg_id = flow.submitted[0]["registration_id"]
    with database.session():
        rows = history("practice_registration", reg_id)
        assert [v.changed for v in rows][-1] == ["scope"]
        assert rows[-1].case_id == flow.case_id and rows[-1].data["scope"] == "全科医学专业"
    assert flow.replay()["ok"] is True


def test_refused_and_withdrawn_cases_change_nothing(registration, api, database, demo):
    before = versions(database)
    # the institution disagrees (a comment is required): the case ends refused
    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="101", pledge=True)
    assert registration.confirm("disagree", status=422)["error"]["fields"] == {"comment": ["必填项"]}
    case = registration.confirm("disagree", "本院无此岗位")
    assert case["status"] == "completed" and case["outcome"] == "refused"
    assert registration.replay()["ok"] is True

    # the authority refuses
    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="101", pledge=True)
    registration.confirm()
    assert registration.decide("reject", "材料不实")["outcome"] == "refused"
    assert registration.replay()["ok"] is True

    # the physician withdraws before the institution decides
    filing = PhysicianCase(api("doctor.demo"), api("inst.jiangbei1"), api("cq.jiangbei.wjw"),
                           "physician_multi_site_filing")
    filing.start(demo.institution["inst.jiangbei1"])
    filing.apply(scope="101")
    assert filing.withdraw()["status"] == "withdrawn"
    assert filing.replay()["ok"] is True

    assert versions(database) == before
    assert _physician(database, demo.physician["doctor.new"]) == (None, [])
    assert account_of(database, "doctor.new").activated_at is None


def test_withdrawal_ends_once_the_institution_has_agreed(registration, demo):
    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="101", pledge=True)
    # the institution the application is addressed to decides; it cannot withdraw it
    assert registration.withdraw(403, by=registration.institution)["error"]["code"] == "forbidden"
    registration.confirm()
    assert registration.withdraw(409)["error"]["code"] == "not_withdrawable"


def test_physician_processes_are_listed_for_physicians(api):
    processes = {p["id"]: p for p in api("doctor.demo").get("/api/v1/processes").get_json()["items"]}
    for pid in ("physician_registration", "physician_change", "physician_upgrade",
                "physician_multi_site_filing", "physician_multi_site_cancel",
                "physician_legacy_cancel", "physician_military_in", "physician_to_military"):
        assert processes[pid]["startable_by"] == ["physician"], pid
    assert processes["physician_cancellation"]["startable_by"] == ["physician", "institution"]
    assert processes["physician_filing"]["startable_by"] == ["institution"]
