"""N2 nurse change (护士变更注册, Nurses Regulation art. 9) through the REST API: the nurse
applies to the new institution, it confirms, its administration decides within 7 working days;
the registration moves for the rest of its validity and the old institution is told."""
from __future__ import annotations

from datetime import timedelta

import pytest
from nurse_flow import inbox, nurse_of, registration_ends, upload
from physician_flow import PhysicianCase, item_of, today_beijing


@pytest.fixture
def n2(api) -> PhysicianCase:
    return PhysicianCase(api("nurse.demo"), api("inst.chaoyang2"), api("bj.chaoyang.wjw"),
                         "nurse_change")


def change_form(caller, **changes) -> dict:
    return {"department": "急诊科", "title": "主管护师", "reason": "工作调动",
            "certificate_scan": [upload(caller, "护士执业证书.pdf")], **changes}


def test_a_nurse_changes_institution_within_seven_working_days(n2, database, demo):
    from service.engine.workdays import add_workdays

    old, new = demo.institution["inst.chaoyang1"], demo.institution["inst.chaoyang2"]
    before = nurse_of(database, "nurse.demo")
    n2.start(new)
    n2.apply(**change_form(n2.applicant))
    assert item_of(n2.institution, n2.case_id)["task"] == "confirm"  # the new institution
    n2.confirm()
    assert n2.approval_item()["deadline"] == add_workdays(today_beijing(), 7).isoformat()
    assert n2.decide("approve")["outcome"] == "approved"

    after = nurse_of(database, "nurse.demo")
    (old_inst, old_status, number, _, ended), (inst, status, same, start, end) = \
        after["registrations"]
    assert (old_inst, old_status, ended) == (old, "changed_out", today_beijing())
    assert (inst, status, start) == (new, "active", today_beijing())
    assert number == same == before["certificate_number"]  # she keeps her number
    assert end == before["valid_until"]  # the validity does not restart
    assert (after["institution_id"], after["status"]) == (new, "active")
    told = inbox(database, "inst.chaoyang1", "本机构护士变更执业机构")
    assert len(told) == 1 and "李薇" in told[0] and "北京市朝阳区青枫社区卫生服务中心" in told[0]
    assert n2.replay()["ok"] is True


def test_the_old_institution_lists_her_as_left(n2, demo, new_client):
    from conftest import logged_in

    n2.start(demo.institution["inst.chaoyang2"])
    n2.apply(**change_form(n2.applicant))
    n2.confirm()
    n2.decide("approve")
    old = logged_in(new_client(), "inst.chaoyang1")
    assert "李薇" not in old.get("/institution/nurses").get_data(as_text=True)
    assert "李薇" in old.get("/institution/nurses?list=filed").get_data(as_text=True)
    new = logged_in(new_client(), "inst.chaoyang2")
    assert "李薇" in new.get("/institution/nurses").get_data(as_text=True)


def test_a_returned_change_is_corrected_then_refused(n2, database, demo):
    n2.start(demo.institution["inst.chaoyang2"])
    n2.apply(**change_form(n2.applicant, department="外科"))
    n2.confirm()
    n2.decide("return", "请补充变更原因")
    _, data = n2.form()
    assert data["department"] == "外科"  # comes back as sent
    n2.apply(reason="工作调动，已与原机构解除聘用")
    n2.confirm()
    assert n2.decide("reject", "证书信息不符")["outcome"] == "refused"
    nurse = nurse_of(database, "nurse.demo")
    assert nurse["institution_id"] == demo.institution["inst.chaoyang1"]
    assert [r[1] for r in nurse["registrations"]] == ["active"]


def test_the_new_institution_may_refuse(n2, database, demo):
    n2.start(demo.institution["inst.chaoyang2"])
    n2.apply(**change_form(n2.applicant))
    assert n2.confirm("disagree", "本院暂无岗位")["outcome"] == "refused"
    assert nurse_of(database, "nurse.demo")["institution_id"] == demo.institution["inst.chaoyang1"]


# --- the rules ---------------------------------------------------------------------------------

def test_a_change_to_her_own_institution_is_refused(api, demo):
    flow = PhysicianCase(api("nurse.demo"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "nurse_change")
    body = flow.start(demo.institution["inst.chaoyang1"], status=422)
    assert "无需变更" in body["error"]["fields"]["_form"][0]


def test_an_expired_registration_cannot_be_changed(n2, database, demo):
    registration_ends(database, "nurse.demo", today_beijing() - timedelta(days=1))
    body = n2.start(demo.institution["inst.chaoyang2"], status=422)
    assert "请先办理延续注册" in body["error"]["fields"]["_form"][0]


def test_the_certificate_scan_is_required(n2, demo):
    n2.start(demo.institution["inst.chaoyang2"])
    refused = n2.apply(status=422, department="内科", reason="调动")
    assert "certificate_scan" in refused["error"]["fields"]


def test_the_nurse_processes_carry_the_ids_of_the_api(api):
    processes = {p["id"]: p for p in api("nurse.demo").get("/api/v1/processes").get_json()["items"]}
    for pid in ("nurse_registration", "nurse_change", "nurse_renewal"):
        assert processes[pid]["startable_by"] == ["nurse_applicant"], pid
    assert processes["nurse_cancellation"]["startable_by"] == ["nurse_applicant", "institution"]


def test_the_nurse_starts_a_change_from_her_page(new_client, demo):
    from conftest import csrf, logged_in

    client = logged_in(new_client(), "nurse.demo")
    page = client.get("/nurse/change?q=青枫").get_data(as_text=True)
    assert "护士变更注册" in page and "北京市朝阳区青枫社区卫生服务中心" in page
    token = csrf(client, "/nurse/change?q=青枫")
    started = client.post("/nurse/change", data={
        "csrf_token": token, "institution_id": demo.institution["inst.chaoyang2"]})
    assert started.status_code == 303 and "/tasks/" in started.headers["Location"]
    token = csrf(client, "/nurse/renewal")
    refused = client.post("/nurse/renewal", data={"csrf_token": token}, follow_redirects=True)
    assert "起可以申请延续注册" in refused.get_data(as_text=True)  # valid until 2029


def test_the_new_institution_takes_its_confirmation_back(n2, demo):
    """撤销办理: until the district decides, the confirming institution may revoke it."""
    n2.start(demo.institution["inst.chaoyang2"])
    n2.apply(**change_form(n2.applicant))
    url = f"/api/v1/cases/{n2.case_id}/revoke-confirmation"
    assert n2.institution.post(url, json={"reason": "误点同意"}).status_code == 409  # not yet
    n2.confirm()
    assert n2.institution.post(url, json={"reason": ""}).status_code == 422
    other = n2.applicant.post(url, json={"reason": "想撤回"})
    assert other.status_code == 409  # the nurse is not the confirming institution
    back = n2.institution.post(url, json={"reason": "误点同意，需重新核实"})
    assert back.status_code == 200, back.get_json()
    assert item_of(n2.institution, n2.case_id)["task"] == "confirm"
    n2.confirm()
    assert n2.decide("approve")["outcome"] == "approved"
    assert n2.institution.post(url, json={"reason": "晚了"}).status_code in (404, 409)
    assert n2.replay()["ok"] is True
