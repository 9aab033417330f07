"""The other physician businesses of seed 003 ch.2 §2.4 and ch.3 §8: upgrade (P3), cancelling a
filing (P5) or a legacy multi-location record (P6), cancellation by the physician or by her
institution (P7), registration filing with its two-year timer (P8), military in and out (P9)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import fire_timers
from physician_flow import PhysicianCase, complete, days_ago, item_of, start
from physician_setup import (
    activate,
    add_registration,
    registrations,
    set_qualification_level,
)


def _flow(api, applicant: str, institution: str, authority: str, process: str) -> PhysicianCase:
    return PhysicianCase(api(applicant), api(institution), api(authority), process)


def test_an_assistant_becomes_a_physician_at_the_same_institution(api, demo, database):
    doctor, chaoyang1 = demo.physician["doctor.new"], demo.institution["inst.chaoyang1"]
    set_qualification_level(database, doctor, "assistant")
    add_registration(database, doctor, chaoyang1, level="assistant", location="110105")
    activate(database, "doctor.new")
    flow = _flow(api, "doctor.new", "inst.chaoyang1", "bj.chaoyang.wjw", "physician_upgrade")
    assert "资格信息中尚无执业医师资格" in start(
        flow.applicant, "physician_upgrade", chaoyang1, status=422)["error"]["message"]
    set_qualification_level(database, doctor, "physician")  # she passed the physician exam
    body = start(flow.applicant, "physician_upgrade", demo.institution["inst.chaoyang2"], status=422)
    assert "须主要执业机构不变" in body["error"]["message"]
    flow.start(chaoyang1)
    fields = flow.apply(422, qualification_certificate_number="201111110110105000000000000",
                        scope="101", pledge=True)["error"]["fields"]
    assert fields == {"qualification_certificate_number": ["执业医师资格证书编码与资格信息不符"]}
    flow.submitted.clear()
    flow.apply(qualification_certificate_number="202411110110108199706084254", scope="101",
               pledge=True)
    flow.confirm()
    assert flow.decide("approve")["outcome"] == "approved"
    assert registrations(database, doctor) == [
        ("main", chaoyang1, "110105", "ended", "assistant", "upgraded"),
        ("main", chaoyang1, "110000", "active", "physician", None)]
    assert flow.replay()["ok"] is True


def test_a_filing_elsewhere_is_cancelled_by_that_institutions_authority(api, demo, database):
    doctor, jiangbei1 = demo.physician["doctor.demo"], demo.institution["inst.jiangbei1"]
    add_registration(database, doctor, jiangbei1, kind="multi_site", location="500000")
    flow = _flow(api, "doctor.demo", "inst.jiangbei1", "cq.jiangbei.wjw", "physician_multi_site_cancel")
    body = start(flow.applicant, "physician_multi_site_cancel", demo.institution["inst.chaoyang2"],
                 status=422)
    assert "没有有效的多执业机构备案" in body["error"]["message"]
    flow.start(jiangbei1)
    flow.apply(reason="不再到该院执业")
    flow.confirm()
    assert flow.approval_item()["organisation_id"] == demo.administration["cq.jiangbei.wjw"]
    flow.decide("approve")
    assert ("multi_site", jiangbei1, "500000", "ended", "physician", "filing_cancelled") in \
        registrations(database, doctor)
    assert flow.replay()["ok"] is True


def test_one_legacy_multi_location_record_is_cancelled_per_business(api, demo, database):
    doctor, chaoyang2 = demo.physician["doctor.demo"], demo.institution["inst.chaoyang2"]
    first = add_registration(database, doctor, chaoyang2, kind="legacy_multi_location")
    second = add_registration(database, doctor, chaoyang2, kind="legacy_multi_location")
    flow = _flow(api, "doctor.demo", "inst.chaoyang2", "bj.chaoyang.wjw", "physician_legacy_cancel")
    assert "没有可取消的多地点执业记录" in start(
        flow.applicant, "physician_legacy_cancel", demo.institution["inst.jiangbei1"],
        status=422)["error"]["message"]
    flow.start(chaoyang2)
    _, data = flow.form()
    assert data == {"registration_id": first}
    assert flow.apply(422, registration_id=999999, reason="x")["error"]["fields"] == {
        "registration_id": ["请选择您在该机构的一条有效多地点执业记录"]}
    flow.submitted.clear()
    flow.apply(registration_id=second, reason="已不在该院执业")
    flow.confirm()
    flow.decide("approve")
    legacy = [r for r in registrations(database, doctor) if r[0] == "legacy_multi_location"]
    assert legacy == [("legacy_multi_location", chaoyang2, "110000", "active", "physician", None),
                      ("legacy_multi_location", chaoyang2, "110000", "ended", "physician",
                       "legacy_cancelled")]
    assert flow.replay()["ok"] is True


def test_a_physician_cancels_her_registration_through_her_institution(api, demo, database):
    doctor = demo.physician["doctor.demo"]
    flow = _flow(api, "doctor.demo", "inst.chaoyang1", "bj.chaoyang.wjw", "physician_cancellation")
    body = start(flow.applicant, "physician_cancellation", demo.institution["inst.jiangbei1"],
                 status=422)
    assert "注销注册须向您执业所在的医疗机构申请" in body["error"]["message"]
    flow.start(demo.institution["inst.chaoyang1"])
    assert flow.apply(422, reason="bogus", occurred_on=days_ago(1))["error"]["fields"] == {
        "reason": ["取值不在允许范围内"]}
    flow.submitted.clear()
    assert flow.apply(422, reason="other", occurred_on=days_ago(1))["error"]["fields"] == {
        "description": ["必填项"]}
    flow.submitted.clear()
    flow.apply(reason="own_request", occurred_on=days_ago(1))
    flow.confirm()
    assert flow.decide("approve")["outcome"] == "approved"
    assert {(r[3], r[5]) for r in registrations(database, doctor)} == {("cancelled", "own_request")}
    assert flow.replay()["ok"] is True


def test_an_institution_reports_a_cancellation_for_its_physician(api, demo, database):
    doctor = demo.physician["doctor.demo"]
    flow = _flow(api, "inst.chaoyang1", "inst.chaoyang1", "bj.chaoyang.wjw", "physician_cancellation")
    case = flow.start(demo.institution["inst.chaoyang1"], doctor)
    assert [i["task"] for i in case["open_work_items"]] == ["report"]
    fields = flow.apply(422, task="report", reason="death_or_missing",
                        occurred_on=days_ago(45))["error"]["fields"]
    assert fields == {"late_reason": ["情形发生已超过 30 日，须填写逾期报告原因"]}
    flow.submitted.clear()
    flow.apply(task="report", reason="death_or_missing", occurred_on=days_ago(45),
               late_reason="家属近日告知")
    assert flow.decide("approve")["outcome"] == "approved"
    assert {(r[3], r[5]) for r in registrations(database, doctor)} == {("cancelled", "death_or_missing")}
    # a physician not practising at the institution is not its to report
    assert start(api("inst.jiangbei1"), "physician_cancellation", demo.institution["inst.jiangbei1"],
                 doctor, status=404)
    assert flow.replay()["ok"] is True


@pytest.fixture
def filing(api, demo) -> PhysicianCase:
    flow = _flow(api, "inst.chaoyang1", "inst.chaoyang1", "bj.chaoyang.wjw", "physician_filing")
    flow.start(demo.institution["inst.chaoyang1"], demo.physician["doctor.demo"])
    return flow


def test_a_filed_physician_is_proposed_for_cancellation_after_two_years(filing, app, demo, database):
    doctor, chaoyang1 = demo.physician["doctor.demo"], demo.institution["inst.chaoyang1"]
    fields = filing.apply(422, task="report", reason="resigned", left_on=days_ago(40))["error"]["fields"]
    assert fields == {"late_reason": ["情形发生已超过 30 日，须填写逾期报告原因"]}
    filing.submitted.clear()
    left_on = date.today() - timedelta(days=10)
    filing.apply(task="report", reason="resigned", left_on=left_on.isoformat())
    case = filing.decide("approve")
    assert case["status"] == "open" and case["open_work_items"] == []
    assert registrations(database, doctor)[0] == ("main", chaoyang1, "110000", "filed", "physician",
                                                  "resigned")
    due = datetime.fromisoformat(case["next_timer_at"])
    # two years after she left, midnight in Beijing
    assert due == datetime(left_on.year + 2, left_on.month, left_on.day, tzinfo=UTC) - timedelta(hours=8)
    assert fire_timers(app, due - timedelta(minutes=1)) == 0
    assert fire_timers(app, due + timedelta(minutes=1)) == 1
    item = item_of(filing.authority, filing.case_id, "propose")
    assert item["title"] == "拟注销"
    complete(filing.authority, item["id"], {"decision": "cancel"})
    case = filing.case()
    assert case["status"] == "completed" and case["outcome"] == "cancelled"
    assert registrations(database, doctor)[0][3:] == ("cancelled", "physician", "practice_interrupted")
    assert filing.replay()["ok"] is True


def test_a_filed_physician_practising_again_is_not_proposed(filing, app, api, demo, database):
    filing.apply(task="report", reason="transferred", left_on=days_ago(3))
    case = filing.decide("approve")
    # she registers at another institution meanwhile
    add_registration(database, demo.physician["doctor.demo"], demo.institution["inst.chaoyang2"])
    assert fire_timers(app, datetime.fromisoformat(case["next_timer_at"]) + timedelta(minutes=1)) == 1
    case = filing.case()
    assert case["status"] == "completed" and case["outcome"] == "practice_resumed"
    assert filing.replay()["ok"] is True


def test_a_military_physician_registers_locally(api, demo, database):
    doctor = demo.physician["doctor.new"]
    activate(database, "doctor.new")
    flow = _flow(api, "doctor.new", "inst.jiangbei1", "cq.jiangbei.wjw", "physician_military_in")
    flow.start(demo.institution["inst.jiangbei1"])
    flow.apply(military_certificate_number="J110000123", military_unit="某部队医院",
               category="1", scope="101", pledge=True)
    flow.confirm()
    assert flow.approval_item()["organisation_id"] == demo.administration["cq.jiangbei.wjw"]
    flow.decide("approve")
    assert registrations(database, doctor) == [
        ("main", demo.institution["inst.jiangbei1"], "500000", "active", "physician", None)]
    number = api("doctor.new").get(f"/api/v1/physicians/{doctor}").get_json()["certificate_number"]
    assert number.startswith("110500105")
    assert flow.replay()["ok"] is True


def test_a_change_to_the_military_ends_every_local_registration(api, demo, database):
    doctor = demo.physician["doctor.demo"]
    add_registration(database, doctor, demo.institution["inst.jiangbei1"], kind="multi_site",
                     location="500000")
    flow = _flow(api, "doctor.demo", "inst.chaoyang1", "bj.chaoyang.wjw", "physician_to_military")
    body = start(flow.applicant, "physician_to_military", demo.institution["inst.jiangbei1"],
                 status=422)
    assert "须向您的主要执业机构申请" in body["error"]["message"]
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(military_unit="某部队医院", effective_on=days_ago(0), acknowledged=True)
    flow.confirm()
    flow.decide("approve")
    assert {(r[3], r[5]) for r in registrations(database, doctor)} == {("changed_out", "to_military")}
    assert flow.replay()["ok"] is True

