"""I6: a cancelled institution's physicians and nurses become filing tasks (注册备案) of the
issuing authority — one case per person, work items in its inbox, not messages."""
from __future__ import annotations

from lifecycle_flow import Business
from sqlalchemy import select
from verification_flow import complete

from service.engine.models import Case


def _cancel(api, institution_id: int) -> Business:
    flow = Business("institution_cancellation", api("bj.chaoyang.clerk"), api("bj.chaoyang.clerk"),
                    api("bj.chaoyang.wjw"))
    flow.through(institution_id, {"ground": "revocation", "reason": "被吊销执业许可证"})
    return flow


def _filing_items(api) -> dict[str, dict]:
    items = api("bj.chaoyang.clerk").get(
        "/api/v1/work-items?scope=org&status=open&process=staff_filing&limit=200").get_json()["items"]
    return {item["case_id"]: item for item in items}


def test_cancellation_raises_one_filing_task_per_person_for_the_authority(api, demo, database):
    inst = demo.institution["inst.chaoyang1"]
    before = set(_filing_items(api))
    _cancel(api, inst)
    cases = {c.id: c for c in database.scalars(select(Case).where(
        Case.process_id == "staff_filing", Case.subject_institution_id == inst))}
    titles = " ".join(c.title for c in cases.values())
    assert "陈思远（医师" in titles and "李薇（护士" in titles  # physicians and nurses listed
    items = _filing_items(api)
    assert set(cases) <= set(items) - before  # each is an open task of the authority's clerks
    assert all(i["task"] == "file_registration" and i["deadline"] for i in items.values())
    # the institution itself holds none of them
    own = api("inst.chaoyang1").get("/api/v1/work-items?scope=org&process=staff_filing")
    assert own.status_code == 200 and own.get_json()["items"] == []


def test_a_filing_task_records_a_move_or_the_end_of_the_registration(api, demo, database):
    inst = demo.institution["inst.chaoyang1"]
    _cancel(api, inst)
    clerk = api("bj.chaoyang.clerk")
    case_ids = sorted(c.id for c in database.scalars(select(Case).where(
        Case.process_id == "staff_filing", Case.subject_institution_id == inst)))
    items = _filing_items(api)
    moved, filed = items[case_ids[0]], items[case_ids[1]]
    refused = complete(clerk, moved["id"], {"decision": "moved"}, 422)  # the new institution is required
    assert refused["error"]["fields"]
    assert complete(clerk, moved["id"], {"decision": "moved", "new_institution": "北京市朝阳区青枫社区卫生服务中心"})["outcome"] == "moved"
    assert complete(clerk, filed["id"], {"decision": "filed", "comment": "本人已离职"})["outcome"] == "filed"
    for case_id in case_ids[:2]:
        assert clerk.post(f"/api/v1/cases/{case_id}/replay").get_json()["ok"]


def test_filing_is_raised_by_a_cancellation_only(api, demo):
    started = api("bj.chaoyang.wjw").post("/api/v1/cases", json={
        "process": "staff_filing", "subject": {"institution_id": demo.institution["inst.chaoyang2"]},
        "data": {"person_name": "某人"}})
    assert started.status_code == 422
    assert "仅医疗机构注销后" in str(started.get_json()["error"])
