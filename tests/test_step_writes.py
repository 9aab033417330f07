"""How a step is written (``service/engine/store.py``): the answer holds exactly what was
written, the work items follow the READY tasks, and the database connection a request uses is
alive even after it sat idle and died."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, select, text
from verification_flow import Verification, open_item


def _case(api, case_id: int) -> dict:
    response = api.get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_each_answer_lists_the_open_items_as_stored(api, demo, database):
    from service.engine.models import Case, CaseEvent, WorkItem

    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    answers = [flow.start(demo.institution["inst.chaoyang1"]), flow.submit(),
               flow.review("return", "请补充执业许可证副本"), flow.submit(),
               flow.review("approve"), flow.counter(), flow.conclude("approve")]
    tasks = [[i["task"] for i in a["open_work_items"]] for a in answers]
    assert tasks == [["submit_application"], ["material_review"], ["submit_application"], ["material_review"],
                     ["counter_confirmation"], ["conclusion"], []]
    # what the step answered is what a later read finds
    stored = _case(flow.bureau, flow.case_id)
    assert stored["open_work_items"] == answers[-1]["open_work_items"] == []
    assert stored["status"] == answers[-1]["status"] == "completed"
    items = database.rows(select(WorkItem.id, WorkItem.task, WorkItem.status,
                                 WorkItem.completed_by_id, WorkItem.completed_at, WorkItem.draft)
                          .where(WorkItem.case_id == flow.case_id).order_by(WorkItem.id))
    assert [(i.task, i.status) for i in items] == [
        ("submit_application", "done"), ("material_review", "done"), ("submit_application", "done"),
        ("material_review", "done"), ("counter_confirmation", "done"), ("conclusion", "done")]
    assert [a["open_work_items"][0]["id"] for a in answers[:-1]] == [i.id for i in items]
    assert all(i.completed_by_id is not None and i.completed_at is not None and i.draft is None
               for i in items)
    (case,) = database.rows(select(Case.event_count, Case.last_hash, Case.lock_version)
                            .where(Case.id == flow.case_id))
    hashes = database.scalars(select(CaseEvent.hash).where(CaseEvent.case_id == flow.case_id)
                              .order_by(CaseEvent.seq))
    assert case.event_count == len(hashes) == 7 and case.last_hash == hashes[-1]
    assert case.lock_version == 1 + 7  # inserted, then one guarded write per step
    assert flow.replay()["ok"] is True


def test_an_open_item_read_after_the_step_matches_the_answer(api, demo):
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    answer = flow.submit()
    listed = open_item(flow.bureau, flow.case_id)
    (item,) = answer["open_work_items"]
    assert item == {k: listed[k] if k != "deadline" else listed["deadline"]
                    for k in ("id", "task", "title", "role", "organisation_id", "deadline")}
    assert _case(flow.bureau, flow.case_id)["open_work_items"] == [item]


def test_a_case_list_shows_each_case_s_open_items(api, demo):
    bureau = api("bj.chaoyang.wjw")
    at_start = Verification(api("inst.chaoyang1"), bureau)
    at_start.start(demo.institution["inst.chaoyang1"])
    at_review = Verification(api("inst.chaoyang2"), bureau)  # one open verification each
    at_review.start(demo.institution["inst.chaoyang2"])
    at_review.submit()
    response = bureau.get("/api/v1/cases?limit=50")
    assert response.status_code == 200, response.get_json()
    listed = {c["id"]: c["open_work_items"] for c in response.get_json()["items"]}
    assert [i["task"] for i in listed[at_start.case_id]] == ["submit_application"]
    assert [i["task"] for i in listed[at_review.case_id]] == ["material_review"]
    for case_id, items in listed.items():
        assert items == _case(bureau, case_id)["open_work_items"]


def test_a_withdrawal_cancels_the_open_item(api, demo, database):
    from service.engine.models import WorkItem

    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    flow.submit()
    response = flow.institution.post(f"/api/v1/cases/{flow.case_id}/withdraw",
                                     json={"reason": "材料有误，重新申请"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "withdrawn"
    assert response.get_json()["open_work_items"] == []
    statuses = database.scalars(select(WorkItem.status).where(
        WorkItem.case_id == flow.case_id).order_by(WorkItem.id))
    assert statuses == ["done", "cancelled"]


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="PostgreSQL only: an embedded SQLite file has no connection to lose")
def test_an_idle_pooled_connection_that_died_is_replaced_before_use(monkeypatch):
    from service.core import database

    engine = create_engine(os.environ["TEST_DATABASE_URL"], pool_size=1, max_overflow=0)
    database._ping_when_idle(engine)
    try:
        with engine.connect() as conn:
            dead = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with create_engine(os.environ["TEST_DATABASE_URL"]).connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
        monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
        with engine.connect() as conn:  # the pooled connection is dead: pinged, replaced
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != dead
    finally:
        engine.dispose()
