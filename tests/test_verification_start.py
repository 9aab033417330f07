"""Who may start annual verification (I4): one open case per institution; filed clinics
(诊所备案) do not take part (seed 001 Q6)."""
from __future__ import annotations

from conftest import csrf, error_of, login
from sqlalchemy import func, select
from verification_flow import Verification


def _start(api, inst_id: int):
    return api.post("/api/v1/cases", json={
        "process": "institution_verification", "subject": {"institution_id": inst_id}})


def _cases(database, inst_id: int) -> int:
    from service.engine.models import Case

    return database.scalar(select(func.count()).select_from(Case).where(
        Case.subject_institution_id == inst_id, Case.process_id == "institution_verification"))


def test_a_second_open_verification_is_refused_until_the_first_ends(api, database, demo):
    inst_id = demo.institution["inst.chaoyang2"]
    flow = Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw"))
    number = flow.start(inst_id)["business_number"]
    response = _start(flow.institution, inst_id)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "verification_open" and f"业务编号 {number}" in error["message"]
    assert "正在办理" in error["message"] and _cases(database, inst_id) == 1

    flow.institution.post(f"/api/v1/cases/{flow.case_id}/withdraw", json={"reason": "重新填报"})
    assert _start(flow.institution, inst_id).status_code == 201


def test_a_filed_clinic_is_refused_at_start(api, database, demo):
    from service.institutions.face import Institution

    inst_id = demo.institution["inst.chaoyang2"]
    with database.session() as session:
        session.get(Institution, inst_id).is_filed_clinic = True
        session.commit()
    response = _start(api("inst.chaoyang2"), inst_id)
    assert response.status_code == 409 and error_of(response)["code"] == "filed_clinic"
    assert "不参加年度校验" in error_of(response)["message"] and _cases(database, inst_id) == 0


def test_the_start_page_says_why_in_chinese(app, api, database, demo):
    inst_id = demo.institution["inst.chaoyang2"]
    Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw")).start(inst_id)
    client = app.test_client()
    login(client, "inst.chaoyang2")
    token = csrf(client, "/cases/new")
    response = client.post("/cases/new", data={"process": "institution_verification",
                                                "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "请勿重复申请" in response.get_data(as_text=True)
    assert _cases(database, inst_id) == 1
