"""The engine's own guarantees: complete definitions, pinned versions, small state, tamper
evidence, and one winner when two people decide the same task at once."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from verification_flow import Verification, open_item

ROOT = Path(__file__).resolve().parent.parent
I4 = (ROOT / "bpmn" / "institution_verification.bpmn").read_text(encoding="utf-8")


def _forms(process_id: str = "institution_verification") -> dict:
    from service.engine.definitions import read_source

    return read_source(ROOT / "bpmn" / f"{process_id}.bpmn")[0][2]


def _validate(xml: str, forms: dict | None = None):
    from service.engine.definitions import validate
    from service.engine.plugins import known_actions, known_routes

    return validate("institution_verification", xml, _forms() if forms is None else forms,
                    known_routes(), known_actions())


@pytest.mark.parametrize("path", sorted((ROOT / "bpmn").glob("*.bpmn")), ids=lambda p: p.name)
def test_every_bpmn_file_is_complete_bpmn_with_a_shape_for_every_element(app, path):
    from service.engine.definitions import read_source
    from service.engine.diagram import flow_nodes_without_shapes

    xml = path.read_text(encoding="utf-8")
    assert flow_nodes_without_shapes(xml) == []
    with app.app_context():
        for process_id, text, forms in read_source(path):
            from service.engine.definitions import validate
            from service.engine.plugins import known_actions, known_routes

            parsed = validate(process_id, text, forms, known_routes(), known_actions())
            assert parsed.user_tasks, f"{process_id} has no user task"


@pytest.mark.parametrize(("change", "problem"), [
    (('name="bureau">', 'name="licensing">'), "泳道“licensing”没有对应的角色和分派规则"),
    (('value="review.json"', 'value="missing.json"'), "表单 missing.json 不存在"),
    (("deferral = None", "deferral = = None"), "prepare：脚本任务“准备申请”的脚本无法编译"),
    (('id="verification_pass"', 'id="no_such_action"'), "动作“no_such_action”未注册"),
    (('<bpmndi:BPMNShape id="conclusion_di"', '<bpmndi:BPMNShape id="x_di" bpmnElement="x"'),
     "conclusion：该元素在流程图中没有图形"),
])
def test_a_broken_definition_is_refused_with_the_reason(app, change, problem):
    from service.engine.definitions import DefinitionError

    old, new = change
    assert old in I4
    xml = I4.replace(old, new, 1)
    if "BPMNShape" in old:
        xml = xml.replace('bpmnElement="x" bpmnElement="conclusion"', 'bpmnElement="x"')
    with app.app_context(), pytest.raises(DefinitionError) as refused:
        _validate(xml)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_versions_follow_content_and_running_cases_stay_on_theirs(app, api, demo, database):
    from service.core.extensions import db
    from service.engine.definitions import deploy, latest
    from service.engine.models import Case
    from service.engine.plugins import known_actions, known_routes

    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    with app.app_context():
        v1 = latest("institution_verification")
        same = deploy("institution_verification", v1.bpmn_xml, v1.forms, v1.bpmn_file, None,
                      known_routes(), known_actions())
        assert same.id == v1.id
        forms = dict(v1.forms)
        forms["counter.json"] = {**forms["counter.json"], "title": "窗口核验原件（新版）"}
        v2 = deploy("institution_verification", v1.bpmn_xml, forms, v1.bpmn_file, None,
                    known_routes(), known_actions())
        db.session.commit()
        assert (v2.version, v2.content_hash != v1.content_hash) == (v1.version + 1, True)
        v1_id = v1.id
    assert database.scalar(select(Case.definition_id).where(Case.id == flow.case_id)) == v1_id
    flow.submit()
    flow.review("approve")
    flow.counter()
    assert flow.conclude("approve")["version"] == 1
    newer = Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw"))
    assert newer.start(demo.institution["inst.chaoyang2"])["version"] == 2


def test_the_state_stays_small_on_the_twentieth_correction_round(api, demo, database):
    from service.engine.models import Case

    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    sizes = []
    for round_ in range(1, 21):
        flow.submit(self_inspection=f"第 {round_} 次修改")
        sizes.append(len(database.scalar(select(Case.state).where(Case.id == flow.case_id))))
        flow.review("return", f"第 {round_} 轮意见")
    assert sizes[-1] <= sizes[0] * 1.05, sizes
    assert sizes[0] < 12_000
    assert flow.replay()["ok"] is True


def test_an_edited_or_deleted_event_is_detected(api, demo, database):
    from service.engine.models import CaseEvent

    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    flow.submit()
    flow.review("return", "请补充")
    flow.submit()
    assert flow.replay()["ok"] is True
    with database.session() as s:
        event = s.scalars(select(CaseEvent).where(
            CaseEvent.case_id == flow.case_id, CaseEvent.task == "material_review")).one()
        s.execute(update(CaseEvent).where(CaseEvent.id == event.id).values(
            data={**event.data, "form": {**event.data["form"], "comment": "改过的意见"}}))
        s.commit()
    result = flow.replay()
    assert result["ok"] is False and "记录已被改动" in result["detail"]

    with database.session() as s:
        last = s.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == flow.case_id))
        s.execute(delete(CaseEvent).where(CaseEvent.case_id == flow.case_id, CaseEvent.seq == last))
        s.commit()
    assert "事件被删除或追加" in flow.replay()["detail"]


@pytest.fixture
def committed(app):
    """Let the test commit for real (several connections), and remove what it created after."""
    from service.core.extensions import db
    from service.engine.models import Case, CaseEvent, IdempotencyRecord, WorkItem

    isolated = db.session
    db.session = db._make_scoped_session({})
    with app.app_context():
        marks = {m: db.session.scalar(select(func.coalesce(func.max(m.id), 0)))
                 for m in (Case, CaseEvent, WorkItem, IdempotencyRecord)}
    try:
        yield
    finally:
        with app.app_context():
            from service.documents.models import Document

            new_cases = select(Case.id).where(Case.id > marks[Case])
            for model in (CaseEvent, WorkItem, Document):
                db.session.execute(delete(model).where(model.case_id.in_(new_cases)))
            db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id > marks[IdempotencyRecord]))
            db.session.execute(delete(Case).where(Case.id > marks[Case]))
            db.session.commit()
            db.session.remove()
        db.session = isolated


def test_two_concurrent_approvals_exactly_one_wins(app, api, demo, committed, monkeypatch):
    from service.access.models import Account
    from service.core.errors import ApiError
    from service.core.extensions import db
    from service.engine import runtime
    from service.engine.models import CaseEvent

    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    flow.submit()
    item_id = open_item(flow.bureau, flow.case_id)["id"]
    both_loaded = threading.Barrier(2, timeout=10)
    load = runtime._workflow
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"

    def load_then_wait(case, run):
        workflow = load(case, run)
        both_loaded.wait()  # both hold the same version before either writes
        return workflow

    # SQLite writers take the write lock when they begin, so the second loads only after the
    # first committed and finds the item done; PostgreSQL lets both load the same version
    if not sqlite:
        monkeypatch.setattr(runtime, "_workflow", load_then_wait)
    results: dict[str, str] = {}

    def decide(username: str) -> None:
        with app.app_context():
            actor = db.session.scalars(select(Account).where(Account.username == username)).one()
            try:
                runtime.complete(actor, item_id, {"decision": "approve"})
                results[username] = "won"
            except ApiError as exc:
                results[username] = f"{exc.status}:{exc.code}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(u,)) for u in ("bj.chaoyang.wjw", "bj.chaoyang.clerk")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    loser = "409:task_completed" if sqlite else "409:concurrent_step"
    assert sorted(results.values()) == [loser, "won"], results
    with app.app_context():
        reviews = db.session.scalar(select(func.count()).where(
            CaseEvent.case_id == flow.case_id, CaseEvent.task == "material_review"))
        db.session.remove()
    assert reviews == 1
    monkeypatch.undo()
    assert flow.replay()["ok"] is True
    assert open_item(flow.bureau, flow.case_id)["task"] == "counter_confirmation"
