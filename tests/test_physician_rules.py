"""The rules of the physician processes, each refused with a Chinese reason: at start or on
submission (422, nothing changes), or, when only a race can break it, by the approving action."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from institution_helpers import physician_id
from physician_flow import PhysicianCase, days_ago, start
from physician_setup import (
    activate,
    add_account,
    add_registration,
    registrations,
    set_qualification_level,
)

PROCESSES = (
    "physician_registration", "physician_change", "physician_upgrade",
    "physician_multi_site_filing", "physician_multi_site_cancel", "physician_legacy_cancel",
    "physician_cancellation", "physician_filing", "physician_military_in",
    "physician_to_military",
)


def _reasons(body: dict) -> str:
    error = body["error"]
    return error["message"] + "".join(m for ms in error.get("fields", {}).values() for m in ms)


@pytest.fixture
def registration(api) -> PhysicianCase:
    return PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")


def test_a_second_main_institution_at_the_same_location_is_refused(api, demo):
    doctor = api("doctor.demo")  # main institution inst.chaoyang1, location Beijing
    body = start(doctor, "physician_registration", demo.institution["inst.chaoyang2"], status=422)
    assert "一个执业地点只能有一个主要执业机构" in body["error"]["message"]
    assert list(body["error"]["fields"]) == ["_form"]
    # a physician may hold a location in another province
    start(doctor, "physician_registration", demo.institution["inst.jiangbei1"])


def test_a_main_institution_approved_meanwhile_stops_the_second_approval(api, demo, database):
    first = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                          "physician_registration")
    second = PhysicianCase(api("doctor.new"), api("inst.chaoyang2"), api("bj.chaoyang.wjw"),
                           "physician_registration")
    for flow, inst in ((first, "inst.chaoyang1"), (second, "inst.chaoyang2")):
        flow.start(demo.institution[inst])
        flow.apply(category="1", scope="101", pledge=True)
        flow.confirm()
    first.decide("approve")
    body = second.decide("approve", status=422)
    assert "一个执业地点只能有一个主要执业机构" in body["error"]["fields"]["decision"][0]
    assert second.decide("reject", "该医师已在本市注册")["outcome"] == "refused"
    assert [r[:4] for r in registrations(database, demo.physician["doctor.new"])] == [
        ("main", demo.institution["inst.chaoyang1"], "110000", "active")]


def test_the_approving_action_refuses_a_second_main_the_checks_missed(api, demo, database,
                                                                     monkeypatch):
    from service.physicians import rules as physician_rules

    # as if two approvals had raced past the checks: the action, under the row lock, refuses
    monkeypatch.setattr(physician_rules, "one_main_per_location", lambda *a, **k: None)
    flows = [PhysicianCase(api("doctor.new"), api(inst), api("bj.chaoyang.wjw"),
                           "physician_registration") for inst in ("inst.chaoyang1", "inst.chaoyang2")]
    for flow, inst in zip(flows, ("inst.chaoyang1", "inst.chaoyang2"), strict=True):
        flow.start(demo.institution[inst])
        flow.apply(category="1", scope="101", pledge=True)
        flow.confirm()
    assert flows[0].decide("approve")["outcome"] == "approved"
    assert flows[1].decide("approve")["outcome"] == "refused"
    assert len(registrations(database, demo.physician["doctor.new"])) == 1
    assert flows[1].replay()["ok"] is True


def test_an_assistant_practises_at_one_county_level_location(api, demo, database):
    assistant = physician_id(database, "张强")  # 执业助理医师 at a Chaoyang station (110105)
    add_account(database, "assistant.zhang", physician_id=assistant)
    zhang = api("assistant.zhang")
    body = start(zhang, "physician_registration", demo.institution["inst.chaoyang2"], status=422)
    assert "只能有一个执业地点" in body["error"]["message"]
    body = start(zhang, "physician_multi_site_filing", demo.institution["inst.jiangbei1"], status=422)
    assert "执业助理医师只能在执业地点（北京市朝阳区）内的机构备案" in body["error"]["message"]
    start(zhang, "physician_multi_site_filing", demo.institution["inst.chaoyang2"])  # same county


def test_an_assistants_registration_is_located_in_the_county(registration, demo, database):
    doctor = demo.physician["doctor.new"]
    set_qualification_level(database, doctor, "assistant")
    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="101", pledge=True)
    registration.confirm()
    registration.decide("approve")
    assert registrations(database, doctor) == [
        ("main", demo.institution["inst.chaoyang1"], "110105", "active", "assistant", None)]
    body = registration.applicant.get(f"/api/v1/physicians/{doctor}").get_json()
    assert re.fullmatch(r"210110105\d{6}", body["certificate_number"])  # level 2: assistant


def test_no_multi_site_filing_before_a_main_registration(api, demo, database):
    activate(database, "doctor.new")
    body = start(api("doctor.new"), "physician_multi_site_filing",
                 demo.institution["inst.chaoyang2"], status=422)
    assert "须先注册执业地点和主要执业机构" in body["error"]["message"]
    body = start(api("doctor.demo"), "physician_multi_site_filing",
                 demo.institution["inst.chaoyang1"], status=422)
    assert "已在北京市朝阳区康泰医院注册或备案" in body["error"]["message"]


def test_a_sentence_or_revocation_declared_within_two_years_refuses_registration(registration,
                                                                               demo):
    registration.start(demo.institution["inst.chaoyang1"])
    body = registration.apply(422, category="1", scope="101", pledge=True,
                              penalty_completed_on=days_ago(365), revoked_on=days_ago(400))
    fields = body["error"]["fields"]
    assert "刑罚执行完毕不满二年" in fields["penalty_completed_on"][0]
    assert "自处罚决定之日起不满二年" in fields["revoked_on"][0]
    registration.submitted.clear()
    registration.apply(category="1", scope="101", pledge=True,
                       penalty_completed_on=days_ago(800), revoked_on=days_ago(900))
    # no civil capacity (the pledge) is a refusal ground the form itself enforces
    assert registration.replay()["ok"] is True


def test_a_cancellation_for_failed_assessment_bars_registration_for_a_year(api, demo, database,
                                                                           registration):
    doctor = demo.physician["doctor.new"]
    reg = add_registration(database, doctor, demo.institution["inst.chaoyang2"],
                           status="cancelled", end_reason="failed_assessment",
                           valid_to=date.today() - timedelta(days=180))
    body = start(api("doctor.new"), "physician_registration", demo.institution["inst.chaoyang1"],
                 status=422)
    assert "因定期考核不合格被注销注册，不满一年" in body["error"]["message"]
    with database.session() as s:
        from service.physicians.models import PracticeRegistration

        s.get(PracticeRegistration, reg).valid_to = date.today() - timedelta(days=400)
        s.commit()
    registration.start(demo.institution["inst.chaoyang1"])


def test_a_revocation_recorded_after_submission_stops_the_approval(registration, demo, database):
    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="101", pledge=True)
    registration.confirm()
    add_registration(database, demo.physician["doctor.new"], demo.institution["inst.chaoyang2"],
                     status="cancelled", end_reason="certificate_revoked",
                     valid_to=date.today() - timedelta(days=300))
    body = registration.decide("approve", status=422)
    assert "因吊销《医师执业证书》被注销注册，不满二年" in _reasons(body)
    assert registration.decide("reject", "吊销不满二年")["outcome"] == "refused"


def test_the_category_follows_the_qualification_and_the_scope_the_category(registration, demo):
    registration.start(demo.institution["inst.chaoyang1"])
    fields = registration.apply(422, category="4", scope="401", pledge=True)["error"]["fields"]
    assert fields == {"category": ["执业类别应与医师资格类别（临床）一致"]}
    registration.submitted.clear()
    fields = registration.apply(422, category="1", scope="401", pledge=True)["error"]["fields"]
    assert fields == {"scope": ["执业范围不属于该执业类别"]}


def test_the_same_business_cannot_run_twice(api, demo):
    doctor = api("doctor.new")
    first = start(doctor, "physician_registration", demo.institution["inst.chaoyang1"])
    body = start(doctor, "physician_registration", demo.institution["inst.chaoyang1"], status=422)
    assert f"已有一件同类业务正在办理（业务编号 {first['id']}）" in body["error"]["message"]


def test_the_approving_authority_follows_the_institutions_setting(registration, demo, database):
    from service.physicians.admin_models import ApprovalAuthoritySetting

    with database.session() as s:
        s.add(ApprovalAuthoritySetting(institution_id=demo.institution["inst.chaoyang1"],
                                       category="1", administration_id=demo.administration["bj.wjw"]))
        s.commit()
    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="101", pledge=True)
    case = registration.confirm()
    assert case["open_work_items"][0]["organisation_id"] == demo.administration["bj.wjw"]


def test_every_approval_has_the_statutory_deadline_and_routing(app):
    from service.engine import definitions

    with app.app_context():
        physician = [d for d in definitions.all_latest() if d.process_id in PROCESSES]
        assert len(physician) == len(PROCESSES)
        for d in physician:
            p = definitions.parsed(d)
            lanes = {info.lane for info in p.user_tasks.values()}
            assert lanes <= {"physician", "institution", "bureau"}, d.process_id
            bureau = [i for i in p.user_tasks.values() if i.lane == "bureau"]
            assert bureau, d.process_id
            for info in bureau:
                # 《医师法》第十三条: decided within 20 working days, by the approving authority
                assert info.properties.get("deadline_working_days") == "20", (d.process_id, info.name)
                assert info.properties.get("route") == "approving_authority", (d.process_id, info.name)
            applicant = "institution" if d.process_id == "physician_filing" else "physician"
            assert p.start_lane == applicant, d.process_id


def test_a_definition_naming_an_unknown_check_or_lane_is_not_deployed(app):
    from service.engine.definitions import DefinitionError, read_source, validate
    from service.engine.forms import FORMS_DIR
    from service.engine.plugins import known_actions, known_routes

    path = FORMS_DIR.parent / "bpmn" / "physician_cancellation.bpmn"
    with app.app_context():
        (process_id, xml, forms), = read_source(path)
        broken = xml.replace('name="check" value="physician_cancellation"',
                             'name="check" value="no_such_rule"', 1).replace(
            'value="physician institution"', 'value="physician nurse"')
        with pytest.raises(DefinitionError) as refused:
            validate(process_id, broken, forms, known_routes(), known_actions())
    problems = " ".join(refused.value.problems)
    assert "开始事件的规则校验“no_such_rule”未注册" in problems
    assert "startable_by）中的“nurse”没有对应的分派规则" in problems


def test_an_approval_losing_a_race_in_its_action_answers_409_and_writes_nothing(
        registration, demo, database, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from service.physicians import actions as physicians

    def taken(*_args, **_kwargs):
        # as when a concurrent approval inserted the county's certificate counter first
        raise IntegrityError("INSERT INTO certificate_sequence", {}, Exception("duplicate key"))

    registration.start(demo.institution["inst.chaoyang1"])
    registration.apply(category="1", scope="101", pledge=True)
    registration.confirm()
    monkeypatch.setattr(physicians, "ensure_certificate_number", taken)
    assert registration.decide("approve", status=409)["error"]["code"] == "concurrent_step"
    assert registration.case()["status"] == "open"
    assert registrations(database, demo.physician["doctor.new"]) == []
    monkeypatch.undo()
    assert registration.decide("approve")["outcome"] == "approved"
    assert registration.replay()["ok"] is True
