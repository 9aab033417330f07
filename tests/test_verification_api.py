"""Annual verification (I4) end to end through the REST API, as seed 001 describes it."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import error_of, fire_timers
from sqlalchemy import select
from verification_flow import Verification, complete, open_item


@pytest.fixture
def chaoyang(api, demo) -> Verification:
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    return flow


def _institution(database, inst_id):
    from service.institutions.face import Institution

    return database.scalar(select(Institution).where(Institution.id == inst_id))


def test_a_verification_is_submitted_reviewed_confirmed_and_passed(chaoyang, database, demo):
    inst_id = demo.institution["inst.chaoyang1"]
    before = _institution(database, inst_id)
    case = chaoyang.submit()
    assert case["status"] == "open"
    assert [i["task"] for i in case["open_work_items"]] == ["material_review"]
    assert case["open_work_items"][0]["organisation_id"] == demo.administration["bj.chaoyang.wjw"]

    chaoyang.review("approve")
    chaoyang.counter()
    case = chaoyang.conclude("approve")
    assert case["status"] == "completed" and case["outcome"] == "approved"

    after = _institution(database, inst_id)
    assert after.verification_due > (before.verification_due or date.today())
    assert after.version == before.version + 1
    history = chaoyang.bureau.get(f"/api/v1/institutions/{inst_id}/history").get_json()["items"]
    assert history[-1]["changed"] == ["verification_due"]
    assert history[-1]["case_id"] == chaoyang.case_id
    assert chaoyang.replay()["ok"] is True


def test_two_rounds_of_return_for_correction_keep_every_round(chaoyang):
    chaoyang.submit()
    chaoyang.review("return", "申请书未盖章", field_comments={"application_form": "请加盖公章"})
    item = open_item(chaoyang.institution, chaoyang.case_id)
    assert item["task"] == "submit_application"
    # the returned form comes back with the previous content
    data = chaoyang.institution.get(f"/api/v1/work-items/{item['id']}").get_json()["data"]
    assert data["self_inspection"] == "依法执业，各项制度落实。"
    chaoyang.submit(self_inspection="已按意见整改：申请书已盖章。")
    chaoyang.review("return", "工作总结缺少感染管理内容")
    chaoyang.submit(self_inspection="补充感染管理、护理管理内容。")
    chaoyang.review("approve")
    chaoyang.counter()
    case = chaoyang.conclude("approve")
    assert case["outcome"] == "approved"

    events = chaoyang.bureau.get(f"/api/v1/cases/{chaoyang.case_id}/events").get_json()["items"]
    submissions = [e for e in events if e["task"] == "submit_application"]
    assert [e["data"]["form"]["self_inspection"] for e in submissions] == [
        "依法执业，各项制度落实。", "已按意见整改：申请书已盖章。", "补充感染管理、护理管理内容。"]
    reviews = [e["data"]["form"] for e in events if e["task"] == "material_review"]
    assert reviews[0]["field_comments"] == {"application_form": "请加盖公章"}
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert chaoyang.replay() == {"ok": True, "events": len(events), "detail": "重放结果与存储状态一致"}


def test_a_deferred_institution_reapplies_after_the_deferral_and_passes(chaoyang, app, database, demo):
    chaoyang.submit()
    chaoyang.review("approve")
    chaoyang.counter()
    case = chaoyang.conclude("defer", defer_months=2, comment="护士人数不足基本标准")
    assert case["status"] == "open" and case["open_work_items"] == []
    assert _institution(database, demo.institution["inst.chaoyang1"]).status == "deferred"
    due = datetime.fromisoformat(case["next_timer_at"])
    assert due.date() >= (datetime.now(UTC) + timedelta(days=58)).date()

    assert fire_timers(app, due - timedelta(minutes=1)) == 0  # not yet
    assert fire_timers(app, due + timedelta(minutes=1)) == 1
    item = open_item(chaoyang.institution, chaoyang.case_id)
    assert item["task"] == "reapply"

    item_id, data = chaoyang.application(self_inspection="已补充注册护士 5 名。")
    complete(chaoyang.institution, item_id, data)
    chaoyang.review("approve")
    chaoyang.counter()
    case = chaoyang.conclude("approve")
    assert case["outcome"] == "approved"
    inst = _institution(database, demo.institution["inst.chaoyang1"])
    assert inst.status == "active"
    # after a deferral the next period is one year
    from service.core.times import add_years, shanghai_today

    assert inst.verification_due == add_years(shanghai_today(), 1)
    assert chaoyang.replay()["ok"] is True


def test_not_reapplying_within_five_days_ends_with_the_licence_to_be_cancelled(chaoyang, app, database):
    from service.notify.models import Notification

    chaoyang.submit()
    chaoyang.review("approve")
    chaoyang.counter()
    case = chaoyang.conclude("defer", defer_months=1, comment="整改中")
    due = datetime.fromisoformat(case["next_timer_at"])
    assert fire_timers(app, due + timedelta(minutes=1)) == 1
    assert fire_timers(app, due + timedelta(days=4)) == 0
    assert fire_timers(app, due + timedelta(days=5, minutes=2)) == 1
    case = chaoyang.bureau.get(f"/api/v1/cases/{chaoyang.case_id}").get_json()
    assert case["status"] == "completed" and case["outcome"] == "licence_to_be_cancelled"
    told = database.scalars(select(Notification).where(Notification.subject.contains("拟注销")))
    assert told, "the issuing authority must be told"
    assert chaoyang.replay()["ok"] is True


def test_failing_again_after_a_deferral_ends_with_the_licence_to_be_cancelled(chaoyang, app):
    chaoyang.submit()
    chaoyang.review("approve")
    chaoyang.counter()
    due = datetime.fromisoformat(chaoyang.conclude("defer", defer_months=3, comment="x")["next_timer_at"])
    fire_timers(app, due + timedelta(minutes=1))
    item_id, data = chaoyang.application()
    complete(chaoyang.institution, item_id, data)
    chaoyang.review("approve")
    chaoyang.counter()
    case = chaoyang.conclude("defer", defer_months=1, comment="仍不符合")
    assert case["outcome"] == "licence_to_be_cancelled"


def test_invalid_form_data_answers_422_with_field_errors_and_changes_nothing(chaoyang, database):
    from service.engine.models import CaseEvent

    item_id, data = chaoyang.application(contact_phone="12345", contact_person="")
    data["roster"][0]["id_number"] = "123"
    data["verification_year"] = "今年"
    before = database.count(select(CaseEvent).where(CaseEvent.case_id == chaoyang.case_id))
    response = chaoyang.institution.post(f"/api/v1/work-items/{item_id}/complete", json={"data": data})
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert fields["contact_phone"] == ["请填写手机号码或带区号的固定电话"]
    assert fields["contact_person"] == ["必填项"]
    assert fields["roster.0.id_number"] == ["身份证号应为 18 位"]
    assert fields["verification_year"] == ["类型不正确"]
    assert database.count(select(CaseEvent).where(CaseEvent.case_id == chaoyang.case_id)) == before
    assert open_item(chaoyang.institution, chaoyang.case_id)["id"] == item_id

    chaoyang.submit()
    response = chaoyang.bureau.post(
        f"/api/v1/work-items/{open_item(chaoyang.bureau, chaoyang.case_id)['id']}/complete",
        json={"data": {"decision": "return"}})
    assert error_of(response)["fields"] == {"comment": ["必填项"]}
    response = chaoyang.bureau.post(
        f"/api/v1/work-items/{open_item(chaoyang.bureau, chaoyang.case_id)['id']}/complete",
        json={"data": {"decision": "maybe"}})
    assert error_of(response)["fields"] == {"decision": ["取值不在允许范围内"]}


def test_a_jiangbei_administration_cannot_see_or_act_on_a_chaoyang_case(chaoyang, api):
    chaoyang.submit()
    item = open_item(chaoyang.bureau, chaoyang.case_id)
    jiangbei = api("cq.jiangbei.wjw")
    assert jiangbei.get(f"/api/v1/cases/{chaoyang.case_id}").status_code == 404
    assert jiangbei.get(f"/api/v1/cases/{chaoyang.case_id}/events").status_code == 404
    assert jiangbei.post(f"/api/v1/cases/{chaoyang.case_id}/replay").status_code == 404
    assert jiangbei.get(f"/api/v1/work-items/{item['id']}").status_code == 404
    response = jiangbei.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"decision": "approve"}})
    assert response.status_code == 404
    assert all(i["case_id"] != chaoyang.case_id
               for i in jiangbei.get("/api/v1/work-items?limit=200").get_json()["items"])
    # the Beijing municipal commission reads the case (its division contains the subject) ...
    municipal = api("bj.wjw")
    assert municipal.get(f"/api/v1/cases/{chaoyang.case_id}").status_code == 200
    # ... but the task is not its own
    assert municipal.post(f"/api/v1/work-items/{item['id']}/claim").status_code == 404


def test_the_institution_cannot_review_its_own_application(chaoyang):
    chaoyang.submit()
    item = open_item(chaoyang.bureau, chaoyang.case_id)
    response = chaoyang.institution.post(f"/api/v1/work-items/{item['id']}/complete",
                                         json={"data": {"decision": "approve"}})
    assert response.status_code == 404


def test_a_clerk_without_the_head_role_cannot_conclude(chaoyang, api):
    chaoyang.submit()
    chaoyang.review("approve")
    chaoyang.counter()
    item = open_item(chaoyang.bureau, chaoyang.case_id)
    clerk = api("bj.chaoyang.clerk")
    response = clerk.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"decision": "approve"}})
    assert response.status_code == 403


def test_claim_release_and_a_completed_item_answers_409(chaoyang, api):
    chaoyang.submit()
    item = open_item(chaoyang.bureau, chaoyang.case_id)
    claimed = chaoyang.bureau.post(f"/api/v1/work-items/{item['id']}/claim").get_json()
    assert claimed["assignee"] == "bj.chaoyang.wjw"
    clerk = api("bj.chaoyang.clerk")
    response = clerk.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"decision": "approve"}})
    assert response.status_code == 409 and error_of(response)["code"] == "claimed"
    assert clerk.post(f"/api/v1/work-items/{item['id']}/release").status_code == 409
    assert chaoyang.bureau.post(f"/api/v1/work-items/{item['id']}/release").get_json()["assignee"] is None
    complete(clerk, item["id"], {"decision": "approve"})
    response = chaoyang.bureau.post(f"/api/v1/work-items/{item['id']}/complete",
                                    json={"data": {"decision": "approve"}})
    assert response.status_code == 409 and error_of(response)["code"] == "task_completed"


def test_drafts_are_saved_and_resumed(chaoyang):
    item_id, data = chaoyang.application(self_inspection="草稿：尚未写完")
    response = chaoyang.institution.post(f"/api/v1/work-items/{item_id}/draft", json={"data": data})
    assert response.status_code == 200
    resumed = chaoyang.institution.get(f"/api/v1/work-items/{item_id}").get_json()
    assert resumed["data"]["self_inspection"] == "草稿：尚未写完"
    assert resumed["form"]["title"] == "医疗机构校验申请书"


def test_the_same_idempotency_key_returns_the_first_result(chaoyang):
    item_id, data = chaoyang.application()
    headers = {"Idempotency-Key": "submit-1"}
    first = complete(chaoyang.institution, item_id, data, headers=headers)
    again = chaoyang.institution.post(f"/api/v1/work-items/{item_id}/complete",
                                      json={"data": data}, headers=headers)
    assert again.status_code == 200 and again.get_json() == first
    assert again.headers["Idempotent-Replayed"] == "true"
    other = chaoyang.institution.post(f"/api/v1/work-items/{item_id}/complete",
                                      json={"data": {**data, "renewal": True}}, headers=headers)
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"


def test_the_applicant_withdraws_before_any_decision_but_not_after(api, demo):
    flow = Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang2"])
    flow.submit()
    response = flow.institution.post(f"/api/v1/cases/{flow.case_id}/withdraw", json={"reason": "材料有误"})
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert flow.replay()["ok"] is True

    second = Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw"))
    second.start(demo.institution["inst.chaoyang2"])
    second.submit()
    second.review("approve")
    response = second.institution.post(f"/api/v1/cases/{second.case_id}/withdraw", json={})
    assert response.status_code == 409 and error_of(response)["code"] == "not_withdrawable"
