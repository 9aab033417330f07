"""Races the benchmarks found (``bench/measure_scale.py``): a conflict stays a conflict.

- Two timer workers racing for one due case: the loser skips it (it used to crash the whole
  timer run with a ``StaleDataError`` raised outside the engine's conflict handling).
- An action failing on a conflict (on SQLite a write lock it cannot take): the step answers
  409 and writes nothing (SpiffWorkflow 3.2 used to turn every action error into a NameError,
  hence a 500).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from conftest import error_of
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError
from verification_flow import Verification, open_item


def _flow(api, demo) -> Verification:
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    flow.submit()
    flow.review("approve")
    flow.counter()
    return flow


def _deferred_case(api, demo) -> tuple[int, datetime]:
    flow = _flow(api, demo)
    case = flow.conclude("defer", defer_months=1, comment="整改中")
    return flow.case_id, datetime.fromisoformat(case["next_timer_at"])


def test_a_timer_raced_by_another_worker_is_skipped_then_fired_once(app, api, demo, database,
                                                                  monkeypatch):
    from service.core.extensions import db
    from service.engine import runtime
    from service.engine.models import Case, CaseEvent

    case_id, due = _deferred_case(api, demo)
    original = runtime._workflow
    raced = []

    def other_worker_moves_it_first(case, run):
        workflow = original(case, run)
        if not raced:  # as if another process committed a step on the case meanwhile
            raced.append(case.id)
            table = Case.__table__  # behind the session's back, as another process would
            db.session.connection().execute(update(table).where(table.c.id == case.id)
                                            .values(lock_version=table.c.lock_version + 1))
        return workflow

    monkeypatch.setattr(runtime, "_workflow", other_worker_moves_it_first)
    with app.app_context():
        assert runtime.fire_timers(due + timedelta(minutes=1)) == 0
        assert runtime.fire_timers(due + timedelta(minutes=1)) == 1
    assert raced == [case_id]
    fired = database.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.type == "timer_fired"))
    assert fired == 1


def test_an_action_failing_on_a_conflict_answers_409_and_changes_nothing(api, demo, database,
                                                                       monkeypatch):
    from service.engine import plugins as actions
    from service.engine.models import Case

    flow = _flow(api, demo)
    before = database.scalar(select(Case.lock_version).where(Case.id == flow.case_id))

    def conflicting(ctx):
        raise StaleDataError("the institution changed meanwhile")

    actions.get_action("verification_pass")  # registered
    monkeypatch.setitem(actions._ACTIONS, "verification_pass", conflicting)
    item = open_item(flow.bureau, flow.case_id)
    response = flow.bureau.post(f"/api/v1/work-items/{item['id']}/complete",
                                json={"data": {"decision": "approve"}})
    assert response.status_code == 409
    assert error_of(response)["code"] == "concurrent_step"
    assert database.scalar(select(Case.lock_version).where(Case.id == flow.case_id)) == before
    assert open_item(flow.bureau, flow.case_id)["task"] == "conclusion"
