"""An institution's life after registration through the REST API: change (I3), suspension and
resumption (I5), cancellation (I6), subject cancellation (I7), renewal and replacement (I8),
rollback (I11), each online or at the counter, and the rules answered at once."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import chinese, error_of, fire_timers
from lifecycle_flow import Business, institution_api
from registration_flow import Registration
from sqlalchemy import select


@pytest.fixture
def registered(api) -> int:
    flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    return flow.through(name="北京朝阳安泰医院", beds=120)["subject"]["institution_id"]


@pytest.fixture
def inst_api(api, registered, database):
    return institution_api(api, database, registered)


def business(api, process: str, applicant: str = "bj.chaoyang.clerk") -> Business:
    return Business(process, api(applicant) if isinstance(applicant, str) else applicant,
                    api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))


def _inst(database, inst_id):
    from service.institutions.models import Institution

    return database.scalar(select(Institution).where(Institution.id == inst_id))


def _verify(app, code: str) -> dict:
    return app.test_client().get(f"/api/v1/licences/verify/{code}").get_json()


def _code(api, inst_id: int) -> str:
    return api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{inst_id}").get_json()["licence_verify_code"]


def test_an_online_change_of_several_items_is_versioned_and_reissues_the_licence(
        api, inst_api, registered, database, app):
    old_code = _code(api, registered)
    flow = business(api, "institution_change", inst_api)
    flow.start(registered)
    flow.submit({"beds": 150, "principal": "李青", "reason": "扩建病房", "materials": []}, status=422)
    from verification_flow import upload
    doc = upload(inst_api, flow.case_id, "change", 1)
    flow.submit({"beds": 150, "principal": "李青", "reason": "扩建病房", "materials": [doc]})
    flow.review()
    case = flow.approve()
    assert case["outcome"] == "approved"
    inst = _inst(database, registered)
    assert inst.beds == 150 and inst.principal == "李青" and inst.version == 2
    history = api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{registered}/history").get_json()["items"]
    assert sorted(history[-1]["changed"]) == ["beds", "principal"]
    new_code = _code(api, registered)
    assert new_code != old_code
    assert _verify(app, old_code)["status"] == "void" and _verify(app, new_code)["valid"] is True
    assert flow.replay_ok()


def test_a_change_with_nothing_changed_is_refused_at_once(api, registered):
    flow = business(api, "institution_change")
    flow.start(registered)
    body = flow.submit({"beds": 120, "reason": "无", "materials": [1]}, status=422)
    assert chinese(body["error"]["message"])


def test_beds_beyond_the_district_powers_go_to_the_municipal_commission(api, registered, demo):
    flow = business(api, "institution_change")
    flow.start(registered)
    from verification_flow import upload
    doc = upload(flow.applicant, flow.case_id, "change", 1)
    case = flow.submit({"beds": 600, "reason": "新建住院楼", "materials": [doc]})
    assert case["open_work_items"][0]["organisation_id"] == demo.administration["bj.wjw"]


def test_a_change_while_another_change_is_open_is_refused(api, registered):
    business(api, "institution_change").start(registered)
    body = business(api, "institution_change").start(registered, status=422)
    assert "办理中" in body["error"]["message"]


def test_suspension_blocks_changes_and_verification_until_resumption(api, inst_api, registered,
                                                                    database, app):
    flow = business(api, "institution_suspension", inst_api)
    case = flow.through(registered, {"reason_kind": "renovation", "reason": "病房装修",
                                     "period_from": "2026-12-10", "period_to": "2027-03-01"})
    assert case["status"] == "open"  # waits a year for the closure review
    assert _inst(database, registered).status == "suspended"
    assert _verify(app, _code(api, registered))["status"] == "suspended"
    for process in ("institution_change", "institution_verification"):
        response = inst_api.post("/api/v1/cases", json={
            "process": process, "subject": {"institution_id": registered}})
        assert response.status_code == 422 and "停业" in error_of(response)["message"]
    resumption = business(api, "institution_resumption", inst_api)
    resumption.through(registered, {"reason": "装修完成，通过验收"})
    assert _inst(database, registered).status == "active"
    # a year later the suspension case finds the institution working again and ends
    fire_timers(app, datetime.now(UTC) + timedelta(days=366))
    ended = api("bj.chaoyang.wjw").get(f"/api/v1/cases/{flow.case_id}").get_json()
    assert ended["status"] == "completed"
    assert flow.replay_ok() and resumption.replay_ok()


def test_resumption_needs_a_suspension(api, registered):
    body = business(api, "institution_resumption").start(registered, status=422)
    assert "未停业" in body["error"]["message"]


def test_a_suspension_past_one_year_raises_the_closure_review(api, registered, database, app):
    flow = business(api, "institution_suspension")
    flow.through(registered, {"reason_kind": "other", "reason": "经营困难",
                              "period_from": "2026-12-10", "period_to": "2027-12-01"})
    fire_timers(app, datetime.now(UTC) + timedelta(days=366))
    item = flow.clerk.get("/api/v1/work-items?scope=org&limit=200").get_json()["items"]
    closure = [i for i in item if i["case_id"] == flow.case_id]
    assert [i["task"] for i in closure] == ["closure_review"]
    from verification_flow import complete
    case = complete(flow.approver, closure[0]["id"], {"decision": "cancel", "comment": "停业超过一年"})
    assert case["outcome"] == "cancelled"
    assert _inst(database, registered).status == "cancelled"


def test_rebuilding_is_excepted_from_the_closure_review(api, registered, app):
    flow = business(api, "institution_suspension")
    flow.through(registered, {"reason_kind": "rebuilding", "reason": "原址改扩建",
                              "period_from": "2026-12-10", "period_to": "2028-06-01"})
    fire_timers(app, datetime.now(UTC) + timedelta(days=366))
    assert api("bj.chaoyang.wjw").get(f"/api/v1/cases/{flow.case_id}").get_json()["status"] == "completed"


def test_cancellation_keeps_the_record_searchable_and_it_accepts_nothing(api, inst_api, registered,
                                                                       database, app):
    code = _code(api, registered)
    flow = business(api, "institution_cancellation", inst_api)
    flow.through(registered, {"ground": "request", "reason": "举办人决定停止举办"})
    assert _inst(database, registered).status == "cancelled"
    found = api("bj.chaoyang.wjw").get("/api/v1/institutions?status=cancelled&limit=200").get_json()
    assert registered in [i["id"] for i in found["items"]]
    assert _verify(app, code) == {**_verify(app, code), "valid": False, "status": "cancelled"}
    response = api("bj.chaoyang.clerk").post("/api/v1/cases", json={
        "process": "licence_replacement", "subject": {"institution_id": registered}})
    assert response.status_code == 422 and "已注销" in error_of(response)["message"]


def test_subject_cancellation_removes_some_subjects_and_reissues(api, registered, database, app):
    old = _code(api, registered)
    business(api, "subject_cancellation").through(registered, {"subjects": ["32"], "reason": "影像科停用"})
    assert "32" not in _inst(database, registered).subject_codes
    assert _verify(app, old)["status"] == "void"


@pytest.mark.parametrize(("subjects", "message"), [(["50"], "不是该机构"),
                                                   (["03", "03.01", "04", "21", "30", "32"], "全部")])
def test_subject_cancellation_refuses_unknown_or_all_subjects(api, registered, subjects, message):
    flow = business(api, "subject_cancellation")
    flow.start(registered)
    body = flow.submit({"subjects": subjects, "reason": "调整"}, status=422)
    assert message in body["error"]["fields"]["subjects"][0]


def test_renewal_extends_validity_and_keeps_everything_else(api, registered, database):
    before = _inst(database, registered)
    business(api, "licence_renewal").through(registered, {"reason": "有效期将满"})
    after = _inst(database, registered)
    assert after.licence_valid_from == before.licence_valid_to + timedelta(days=1)
    assert after.name == before.name and after.beds == before.beds


def test_renewal_later_than_30_days_before_expiry_is_refused(api, registered, database):
    from service.institutions.models import Institution

    with database.session() as session:
        session.get(Institution, registered).licence_valid_to = date.today() + timedelta(days=10)
        session.commit()
    body = business(api, "licence_renewal").start(registered, status=422)
    assert "30 日前" in body["error"]["message"]


def test_replacement_issues_a_new_code_and_the_old_one_verifies_as_void(api, registered, app):
    old = _code(api, registered)
    business(api, "licence_replacement").through(
        registered, {"ground": "lost", "reason": "许可证正本遗失", "statement": "北京日报 2026-11-30"})
    new = _code(api, registered)
    assert new != old and _verify(app, old)["status"] == "void" and _verify(app, new)["valid"]


def test_rollback_puts_the_record_back_as_a_new_version(api, registered, database, app):
    from verification_flow import upload

    change = business(api, "institution_change")
    change.start(registered)
    change.submit({"beds": 200, "reason": "扩建",
                   "materials": [upload(change.applicant, change.case_id, "c", 1)]})
    change.review()
    change.approve()
    assert _inst(database, registered).beds == 200
    rollback = business(api, "institution_rollback")
    rollback.start(registered)
    rollback.submit({"reason": "变更登记录入错误"})
    rollback.review()
    case = rollback.approve()
    assert case["outcome"] == "approved"
    inst = _inst(database, registered)
    assert inst.beds == 120 and inst.version == 3
    history = api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{registered}/history").get_json()["items"]
    assert len(history) == 3 and history[-1]["case_id"] == rollback.case_id
    assert _verify(app, _code(api, registered))["valid"] is True
    assert rollback.replay_ok()


def test_a_rollback_needs_a_reason_and_an_approver(api, registered):
    business(api, "licence_renewal").through(registered, {"reason": "有效期将满"})
    flow = business(api, "institution_rollback")
    flow.start(registered)
    body = flow.submit({"reason": ""}, status=422)
    assert "reason" in body["error"]["fields"]
    flow.submit({"reason": "延续录入错误"})
    flow.review()
    # the clerk who entered and reviewed it cannot approve it
    from verification_flow import open_item
    item = open_item(flow.clerk, flow.case_id)
    response = flow.clerk.post(f"/api/v1/work-items/{item['id']}/complete",
                               json={"data": {"decision": "approve"}})
    assert response.status_code == 403


def test_a_registration_alone_cannot_be_rolled_back(api, registered):
    body = business(api, "institution_rollback").start(registered, status=422)
    assert "没有可回退" in body["error"]["message"]


def test_an_institution_cannot_start_a_rollback(api, inst_api, registered):
    business(api, "institution_rollback", inst_api).start(registered, status=403)


def test_the_counter_may_start_a_change_for_a_walk_in_institution(api, registered, demo):
    flow = business(api, "institution_change")
    case = flow.start(registered)
    assert case["open_work_items"][0]["organisation_id"] == demo.administration["bj.chaoyang.wjw"]


def test_another_district_cannot_start_a_business_on_a_chaoyang_institution(api, registered):
    business(api, "institution_change", "cq.jiangbei.wjw").start(registered, status=404)


def test_the_institution_page_offers_the_licence_and_the_counter_businesses(client, registered):
    from conftest import csrf, logged_in

    web = logged_in(client, "bj.chaoyang.clerk")
    page = web.get(f"/institutions/{registered}").get_data(as_text=True)
    assert "打印许可证正本" in page and "医疗机构变更登记" in page and "业务回退" in page
    token = csrf(web, f"/institutions/{registered}")
    response = web.post(f"/institutions/{registered}/start",
                        data={"csrf_token": token, "process": "institution_resumption"},
                        follow_redirects=True)
    assert "未停业" in response.get_data(as_text=True)
    response = web.post(f"/institutions/{registered}/start",
                        data={"csrf_token": token, "process": "institution_suspension"})
    assert response.status_code == 303 and "/tasks/" in response.headers["Location"]


def test_another_district_sees_no_counter_on_the_page(client, registered):
    from conftest import logged_in

    web = logged_in(client, "bj.wjw")
    page = web.get(f"/institutions/{registered}").get_data(as_text=True)
    assert "打印许可证正本" in page and "<h2>窗口受理</h2>" not in page


@pytest.mark.parametrize("path", ["timer", "conclusion"])
def test_a_failed_deferred_verification_opens_the_cancellation(api, demo, app, database, path):
    """I4's "licence to be cancelled" starts I6 ex officio at the issuing authority."""
    from datetime import datetime as dt

    from verification_flow import Verification, complete

    inst_id = demo.institution["inst.chaoyang1"]
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(inst_id)
    flow.submit()
    flow.review("approve")
    flow.counter()
    due = dt.fromisoformat(flow.conclude("defer", defer_months=1, comment="整改中")["next_timer_at"])
    fire_timers(app, due + timedelta(minutes=1))
    if path == "timer":
        fire_timers(app, due + timedelta(days=5, minutes=2))
    else:
        item_id, data = flow.application()
        complete(flow.institution, item_id, data)
        flow.review("approve")
        flow.counter()
        flow.conclude("defer", defer_months=1, comment="仍不符合")
    cases = api("bj.chaoyang.wjw").get(
        f"/api/v1/cases?process=institution_cancellation&subject={inst_id}").get_json()["items"]
    assert len(cases) == 1 and cases[0]["status"] == "open"
    item = [i for i in api("bj.chaoyang.wjw").get("/api/v1/work-items?scope=org&limit=200")
            .get_json()["items"] if i["case_id"] == cases[0]["id"]][0]
    data = api("bj.chaoyang.wjw").get(f"/api/v1/work-items/{item['id']}").get_json()["data"]
    assert data["ground"] == "failed_verification"
    assert flow.replay()["ok"] is True
