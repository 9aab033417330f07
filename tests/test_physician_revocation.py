"""撤销办理 (seed 003 ch.3 §8): the institution takes back its confirmation while the authority
has not decided; the case returns to the institution's confirmation."""
from __future__ import annotations

import pytest
from conftest import csrf, error_of, login
from physician_flow import PhysicianCase, item_of


@pytest.fixture
def confirmed(api, demo) -> PhysicianCase:
    case = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")
    case.start(demo.institution["inst.chaoyang1"])
    case.apply(category="1", scope="101", pledge=True, department="内科")
    case.confirm()
    return case


def _revoke(api, case_id: int, reason: str = "科室信息填写有误"):
    return api.post(f"/api/v1/cases/{case_id}/revoke-confirmation", json={"reason": reason})


def test_the_institution_revokes_its_confirmation_before_the_decision(confirmed):
    response = _revoke(confirmed.institution, confirmed.case_id)
    assert response.status_code == 200, response.get_json()
    assert [i["task"] for i in response.get_json()["open_work_items"]] == ["confirm"]
    assert item_of(confirmed.institution, confirmed.case_id, "confirm")
    history = confirmed.authority.get(f"/api/v1/cases/{confirmed.case_id}/events").get_json()
    assert any(e["type"] == "message_received" for e in history["items"])
    confirmed.confirm()
    assert confirmed.decide("approve")["outcome"] == "approved"
    assert confirmed.replay()["ok"] is True


def test_no_revocation_after_the_decision_or_without_a_reason(confirmed):
    missing = _revoke(confirmed.institution, confirmed.case_id, "  ")
    assert missing.status_code == 422 and error_of(missing)["fields"]["reason"]
    confirmed.decide("approve")
    late = _revoke(confirmed.institution, confirmed.case_id)
    assert late.status_code == 409 and error_of(late)["code"] == "not_revocable"


def test_only_the_confirming_institution_may_revoke(confirmed, api):
    physician = _revoke(confirmed.applicant, confirmed.case_id)
    assert physician.status_code == 409 and "尚未审批" in error_of(physician)["message"]
    generic = confirmed.applicant.post("/api/v1/messages/confirmation_revoked",
                                       json={"correlation": {"case_id": confirmed.case_id}})
    assert generic.status_code == 409 and error_of(generic)["code"] == "not_waiting"
    other = _revoke(api("inst.jiangbei1"), confirmed.case_id)
    assert other.status_code == 404
    assert item_of(confirmed.authority, confirmed.case_id, "approve")


def test_the_applications_page_offers_revocation(app, confirmed):
    client = app.test_client()
    login(client, "inst.chaoyang1")
    page = client.get("/institution/applications?state=open").get_data(as_text=True)
    assert "撤销办理" in page and f"/institution/cases/{confirmed.case_id}/revoke" in page
    token = csrf(client, "/institution/applications?state=open")
    done = client.post(f"/institution/cases/{confirmed.case_id}/revoke",
                       data={"reason": "重新核对", "csrf_token": token}, follow_redirects=True)
    assert "已撤销办理" in done.get_data(as_text=True)
    assert item_of(confirmed.institution, confirmed.case_id, "confirm")
    again = client.post(f"/institution/cases/{confirmed.case_id}/revoke",
                        data={"reason": "重新核对", "csrf_token": token}, follow_redirects=True)
    assert "未能撤销办理" in again.get_data(as_text=True)
