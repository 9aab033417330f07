"""N4 nurse cancellation (护士注销注册): by the nurse (her institution confirms) or by her
institution for her; the issuing administration decides; the registration ends cancelled and
she leaves the institution's registered nurses."""
from __future__ import annotations

from nurse_flow import nurse_of
from physician_flow import PhysicianCase, item_of
from verification_flow import complete

TODAY_GROUND = {"reason": "own_request", "occurred_on": "2026-01-05"}


def test_a_nurse_cancels_her_registration_and_her_institution_confirms(api, database, demo):
    flow = PhysicianCase(api("nurse.demo"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "nurse_cancellation")
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(**TODAY_GROUND)
    flow.confirm()
    assert flow.decide("approve")["outcome"] == "approved"
    nurse = nurse_of(database, "nurse.demo")
    assert nurse["status"] == "cancelled" and nurse["institution_id"] is None
    assert [r[1] for r in nurse["registrations"]] == ["cancelled"]
    me = flow.applicant.get(f"/api/v1/nurses/{nurse['id']}").get_json()
    assert me["registrations"][0]["end_reason"] == "own_request"


def test_the_institution_cancels_for_its_nurse_and_the_administration_may_refuse(api, database,
                                                                                demo):
    inst = api("inst.chaoyang1")
    nurse_id = nurse_of(database, "nurse.demo")["id"]
    flow = PhysicianCase(inst, inst, api("bj.chaoyang.wjw"), "nurse_cancellation")
    response = inst.post("/api/v1/cases", json={"process": "nurse_cancellation", "subject": {
        "institution_id": demo.institution["inst.chaoyang1"], "nurse_id": nurse_id}})
    assert response.status_code == 201, response.get_json()
    flow.case_id = response.get_json()["id"]
    item = item_of(inst, flow.case_id, "report")
    complete(inst, item["id"], {"reason": "death", "occurred_on": "2026-11-30"})
    assert flow.decide("reject", "情形不属实")["outcome"] == "refused"
    assert nurse_of(database, "nurse.demo")["status"] == "active"


def test_a_nurse_without_a_registration_there_cannot_cancel(api, demo):
    flow = PhysicianCase(api("nurse.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "nurse_cancellation")
    body = flow.start(demo.institution["inst.chaoyang1"], status=403)
    assert body["error"]["code"] == "forbidden"  # not activated: only registration before that


def test_a_registered_nurse_cannot_cancel_elsewhere(api, demo):
    flow = PhysicianCase(api("nurse.demo"), api("inst.chaoyang2"), api("bj.chaoyang.wjw"),
                         "nurse_cancellation")
    body = flow.start(demo.institution["inst.chaoyang2"], status=422)
    assert "没有可注销的执业注册" in body["error"]["fields"]["_form"][0]


def test_a_ground_in_the_future_is_refused(api, demo):
    flow = PhysicianCase(api("nurse.demo"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "nurse_cancellation")
    flow.start(demo.institution["inst.chaoyang1"])
    refused = flow.apply(status=422, reason="own_request", occurred_on="2099-01-01")
    assert "不能晚于今天" in refused["error"]["fields"]["occurred_on"][0]
