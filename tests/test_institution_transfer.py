"""Transfer (I9) through the REST API: Chaoyang proposes, its approver agrees, Dongcheng
accepts; from then on Dongcheng sees and acts on the institution and Chaoyang does not
(lists, queries, cases started afterwards, the API)."""
from __future__ import annotations

import pytest
from conftest import error_of
from registration_flow import Registration
from verification_flow import complete, open_item


@pytest.fixture
def registered(api) -> int:
    flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    return flow.through(name="北京朝阳移交测试医院")["subject"]["institution_id"]


def transfer(api, inst_id: int, decision: str = "accept", **extra) -> dict:
    clerk, head, receiver = api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"), api("bj.dongcheng.wjw")
    started = clerk.post("/api/v1/cases", json={
        "process": "institution_transfer", "subject": {"institution_id": inst_id}})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    complete(clerk, open_item(clerk, case_id)["id"], {
        "to_division_code": "110101", "new_division_code": "110101", "reason": "机构迁址至东城区"})
    complete(head, open_item(head, case_id)["id"], {"decision": "approve"})
    item = open_item(receiver, case_id)
    assert item["task"] == "acceptance"
    return complete(receiver, item["id"], {"decision": decision, **extra})


def _ids(api_client, path: str) -> list[int]:
    return [i["id"] for i in api_client.get(path).get_json()["items"]]


def test_after_acceptance_the_receiver_sees_and_acts_and_the_old_authority_does_not(
        api, registered, demo):
    chaoyang, dongcheng = api("bj.chaoyang.wjw"), api("bj.dongcheng.wjw")
    assert registered in _ids(chaoyang, "/api/v1/institutions?limit=200")
    case = transfer(api, registered)
    assert case["status"] == "completed" and case["outcome"] == "accepted"

    assert chaoyang.get(f"/api/v1/institutions/{registered}").status_code == 404
    assert registered not in _ids(chaoyang, "/api/v1/institutions?limit=200")
    assert registered not in _ids(chaoyang, "/api/v1/institutions?q=移交测试&limit=200")
    body = dongcheng.get(f"/api/v1/institutions/{registered}").get_json()
    assert body["issuing_authority"]["id"] == demo.administration["bj.dongcheng.wjw"]
    assert body["division_code"] == "110101"
    assert registered in _ids(dongcheng, "/api/v1/institutions?limit=200")

    # cases started afterwards go to Dongcheng; Chaoyang may no longer start them
    refused = chaoyang.post("/api/v1/cases", json={
        "process": "licence_replacement", "subject": {"institution_id": registered}})
    assert refused.status_code == 404 and error_of(refused)
    started = dongcheng.post("/api/v1/cases", json={
        "process": "licence_replacement", "subject": {"institution_id": registered}})
    assert started.status_code == 201
    assert started.get_json()["open_work_items"][0]["organisation_id"] == \
        demo.administration["bj.dongcheng.wjw"]
    # Dongcheng reissued the licence: the verify page names it, the old code is void
    code = dongcheng.get(f"/api/v1/institutions/{registered}").get_json()["licence_verify_code"]
    facts = dongcheng.get(f"/api/v1/licences/verify/{code}").get_json()
    assert facts["issued_by"] == "北京市东城区卫生健康委员会" and facts["valid"] is True
    assert dongcheng.get(f"/api/v1/institutions/{registered}/licence.pdf").status_code == 200
    assert chaoyang.get(f"/api/v1/institutions/{registered}/licence.pdf").status_code == 404


def test_a_declined_transfer_changes_nothing(api, registered, demo):
    case = transfer(api, registered, "decline", comment="不属于本区管辖")
    assert case["outcome"] == "declined"
    body = api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{registered}").get_json()
    assert body["issuing_authority"]["id"] == demo.administration["bj.chaoyang.wjw"]


def test_the_receiving_district_must_contain_the_institution(api, registered):
    clerk = api("bj.chaoyang.clerk")
    case_id = clerk.post("/api/v1/cases", json={
        "process": "institution_transfer", "subject": {"institution_id": registered}}).get_json()["id"]
    response = clerk.post(f"/api/v1/work-items/{open_item(clerk, case_id)['id']}/complete",
                          json={"data": {"to_division_code": "110101", "reason": "移交"}})
    assert response.status_code == 422
    assert "new_division_code" in error_of(response)["fields"]


def test_an_institution_cannot_propose_its_own_transfer(api, demo):
    response = api("inst.chaoyang1").post("/api/v1/cases", json={
        "process": "institution_transfer", "subject": {"institution_id": demo.institution["inst.chaoyang1"]}})
    assert response.status_code == 403


def test_the_same_person_cannot_propose_and_approve(api, registered):
    head = api("bj.chaoyang.wjw")
    case_id = head.post("/api/v1/cases", json={
        "process": "institution_transfer", "subject": {"institution_id": registered}}).get_json()["id"]
    complete(head, open_item(head, case_id)["id"], {
        "to_division_code": "110101", "new_division_code": "110101", "reason": "迁址"})
    response = head.post(f"/api/v1/work-items/{open_item(head, case_id)['id']}/complete",
                         json={"data": {"decision": "approve"}})
    assert response.status_code == 403 and error_of(response)["code"] == "four_eyes"
