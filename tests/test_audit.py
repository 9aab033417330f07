"""Auditors (D2): the workspace, reveal of masked event data with a recorded reason, audit
bundles, chain verification over a range as a background job, and the access log."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

from conftest import logged_in, run_worker
from registration_flow import Registration
from sqlalchemy import select, update


def _case(api) -> tuple[Registration, dict]:
    flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    flow.start()
    flow.enter(name="北京朝阳审计康复医院")
    return flow, api("bj.chaoyang.clerk").get(f"/api/v1/cases/{flow.case_id}").get_json()


def _id_number(database, case_id: int) -> str:
    from service.engine.models import CaseEvent

    event = database.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.type == "task_completed"))[0]
    return event.data["form"]["legal_representative_id_number"]


def _log(database, **where):
    from service.audit.models import AccessLog

    stmt = select(AccessLog).order_by(AccessLog.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AccessLog, key) == value)
    return database.scalars(stmt)


def test_the_workspace_finds_cases_by_process_institution_actor_date_and_status(client, api):
    flow, case = _case(api)
    auditor = logged_in(client, "auditor")
    page = auditor.get("/audit/?process=institution_registration&status=open"
                       "&actor=bj.chaoyang.clerk&institution=").get_data(as_text=True)
    assert f"/cases/{case['id']}/audit" in page
    other = auditor.get("/audit/?actor=inst.jiangbei1").get_data(as_text=True)
    assert f"/cases/{case['id']}/audit" not in other
    done = auditor.get("/audit/?status=completed&process=institution_registration").get_data(as_text=True)
    assert f"/cases/{case['id']}/audit" not in done
    future = auditor.get("/audit/?since=2099-01-01").get_data(as_text=True)
    assert f"/cases/{case['id']}/audit" not in future
    bad = auditor.get("/audit/?since=2026-13-01")
    assert bad.status_code == 200 and "日期格式应为 YYYY-MM-DD" in bad.get_data(as_text=True)


def test_the_workspace_is_for_auditors(client, new_client):
    assert logged_in(client, "bj.chaoyang.wjw").get("/audit/").status_code == 403
    assert logged_in(new_client(), "inst.chaoyang1").get("/audit/chain").status_code == 403


def test_an_auditor_reveals_masked_event_data_only_with_a_reason(client, api, database):
    flow, case = _case(api)
    full = _id_number(database, case["id"])
    auditor = logged_in(client, "auditor")
    page = auditor.get(f"/cases/{case['id']}/audit").get_data(as_text=True)
    assert full not in page and "查看未遮蔽数据" in page
    from conftest import csrf

    token = csrf(auditor, f"/cases/{case['id']}/audit")
    refused = auditor.post(f"/audit/cases/{case['id']}/reveal", data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 302 and not _log(database, action="reveal")
    shown = auditor.post(f"/audit/cases/{case['id']}/reveal",
                         data={"csrf_token": token, "reason": "信访件核查第12号"})
    assert shown.status_code == 200 and full in shown.get_data(as_text=True)
    row, = _log(database, action="reveal")
    assert row.reason == "信访件核查第12号" and row.record_id == case["id"]


def test_an_administration_may_not_reveal(client, api, database):
    from conftest import csrf

    _, case = _case(api)
    clerk = logged_in(client, "bj.chaoyang.wjw")
    token = csrf(clerk, f"/cases/{case['id']}/audit")
    response = clerk.post(f"/audit/cases/{case['id']}/reveal",
                          data={"csrf_token": token, "reason": "想看一下完整号码"})
    assert response.status_code == 403 and not _log(database, action="reveal")
    api_reveal = api("bj.chaoyang.wjw").post(f"/api/v1/cases/{case['id']}/events/reveal",
                                             json={"reason": "想看一下完整号码"})
    assert api_reveal.status_code == 403


def test_the_reveal_api_needs_a_reason_and_is_logged(api, database):
    _, case = _case(api)
    auditor = api("auditor")
    short = auditor.post(f"/api/v1/cases/{case['id']}/events/reveal", json={"reason": "x"})
    assert short.status_code == 422
    masked = auditor.get(f"/api/v1/cases/{case['id']}/events").get_json()["items"]
    full = auditor.post(f"/api/v1/cases/{case['id']}/events/reveal",
                        json={"reason": "专项审计 2026-11"}).get_json()["items"]
    key = "legal_representative_id_number"
    entered = [e for e in full if e["type"] == "task_completed"][0]["data"]["form"][key]
    assert entered == _id_number(database, case["id"])
    assert [e for e in masked if e["type"] == "task_completed"][0]["data"]["form"][key] != entered
    assert _log(database, action="reveal")[0].reason == "专项审计 2026-11"


def test_the_audit_bundle_holds_events_definition_documents_and_replay(api, database):
    from service.engine import events
    from service.engine.models import Case, CaseEvent

    _, case = _case(api)
    auditor = api("auditor")
    assert auditor.get(f"/api/v1/cases/{case['id']}/audit-bundle").status_code == 422
    assert api("bj.chaoyang.wjw").get(
        f"/api/v1/cases/{case['id']}/audit-bundle?reason=例行检查").status_code == 403
    response = auditor.get(f"/api/v1/cases/{case['id']}/audit-bundle?reason=年度例行审计")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"manifest.json", "events.json", "documents.json", "chain.json", "replay.json",
            "definition/institution_registration.bpmn",
            "definition/forms/application.json"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["reason"] == "年度例行审计" and manifest["exported_by"] == "auditor"
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    exported = json.loads(archive.read("events.json"))
    stored = database.scalars(select(CaseEvent).where(CaseEvent.case_id == case["id"])
                              .order_by(CaseEvent.seq))
    assert [e["hash"] for e in exported] == [e.hash for e in stored]
    # the exported events are the stored ones: their chain recomputes under the key
    with database.session() as s:
        assert events.verify_chain(s.get(Case, case["id"])) == []
    documents = json.loads(archive.read("documents.json"))
    assert len(documents) == 4 and all(len(d["sha256"]) == 64 for d in documents)
    assert json.loads(archive.read("replay.json"))["ok"] is True
    assert json.loads(archive.read("chain.json"))["ok"] is True
    assert _log(database, action="bundle")[0].reason == "年度例行审计"



def test_a_districts_whole_chain_is_verified_in_the_background_and_a_forgery_shows(api, database):
    from service.engine.models import CaseEvent

    flow, case = _case(api)
    auditor = api("auditor")
    assert auditor.get("/api/v1/audit/chain?division_code=110105").status_code == 404
    started = auditor.post("/api/v1/audit/chain", json={"division_code": "110105"})
    assert started.status_code == 202 and started.get_json()["status"] == "queued"
    run_id = started.get_json()["id"]
    run_worker("audit")
    result = auditor.get("/api/v1/audit/chain?division_code=110105").get_json()
    assert result["id"] == run_id and result["status"] == "succeeded" and result["progress"] == 1.0
    assert result["cases"] >= 1 and result["events"] >= 2 and result["broken"] == []
    assert result["cases"] == result["total"]

    with database.session() as s:  # someone with database access edits a decision
        s.execute(update(CaseEvent).where(CaseEvent.case_id == case["id"], CaseEvent.seq == 2)
                  .values(task="forged"))
        s.commit()
    again = auditor.post("/api/v1/audit/chain", json={"division_code": "110105"}).get_json()
    run_worker("audit")
    broken = auditor.get(f"/api/v1/audit/chain/{again['id']}").get_json()["broken"]
    assert {"case_id": case["id"], "seq": 2} in [{k: b[k] for k in ("case_id", "seq")} for b in broken]
    # another district's range does not include the case
    other = auditor.post("/api/v1/audit/chain", json={"division_code": "500105"}).get_json()
    run_worker("audit")
    assert auditor.get(f"/api/v1/audit/chain/{other['id']}").get_json()["broken"] == []


def test_chain_runs_are_for_auditors(api):
    response = api("bj.chaoyang.wjw").post("/api/v1/audit/chain", json={})
    assert response.status_code == 403
    assert api("auditor").post("/api/v1/audit/chain", json={"division_code": "abc"}).status_code == 422


def test_administrations_reads_of_personal_data_are_in_the_access_log(client, new_client, api, database):
    _, case = _case(api)
    clerk = logged_in(client, "bj.chaoyang.wjw")
    assert clerk.get(f"/cases/{case['id']}").status_code == 200
    row, = _log(database, record_kind="case", record_id=case["id"], action="view")
    assert row.what == "业务详情"
    assert api("bj.chaoyang.wjw").get(f"/api/v1/cases/{case['id']}/events").status_code == 200
    assert len(_log(database, record_kind="case", record_id=case["id"])) == 2
    # an institution reading its own data is not an administration's read
    logged_in(new_client(), "inst.chaoyang1").get("/")
    listed = api("auditor").get(f"/api/v1/audit/access-log?account=bj.chaoyang.wjw&kind=case&record={case['id']}")
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert {i["what"] for i in items} == {"业务详情", "事件数据（已遮蔽）"}
    assert all(i["account"] == "bj.chaoyang.wjw" for i in items)
    page = logged_in(new_client(), "auditor").get("/audit/access-log?account=bj.chaoyang.wjw")
    assert "业务详情" in page.get_data(as_text=True)
    assert api("auditor").get("/api/v1/audit/access-log?since=bad").status_code == 400
    assert api("bj.chaoyang.wjw").get("/api/v1/audit/access-log").status_code == 403


def test_the_chain_page_shows_progress_and_the_result(client, api, database):
    from conftest import csrf


    _case(api)
    auditor = logged_in(client, "auditor")
    token = csrf(auditor, "/audit/chain")
    bad = auditor.post("/audit/chain", data={"csrf_token": token, "division": "12"})
    assert bad.status_code == 422 and "须为 6 位行政区划代码" in bad.get_data(as_text=True)
    started = auditor.post("/audit/chain", data={"csrf_token": token, "division": "110105"})
    assert started.status_code == 302
    run_url = started.headers["Location"]
    assert "排队中" in auditor.get(run_url).get_data(as_text=True)  # no worker yet
    run_worker("audit")
    assert "哈希链完整" in auditor.get(run_url).get_data(as_text=True)
