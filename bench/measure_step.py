"""One verification step in-process vs the bare SpiffWorkflow step.

Figure: ``runtime.complete`` of the bureau's material review (approve) on a real case — load
the work item and the case, validate the form, deserialize, run the engine, compact,
serialize, fingerprint, re-derive the work items, append the hash-chained event, commit.
Each sample starts with an empty session (as a request does); the actor is loaded outside the
timed block (that is authentication, not the step).

Floor: the same workflow held in SpiffWorkflow's *default* serializer format (with the spec),
deserialized, the same task completed, engine steps run, serialized again — no database.
Samples of the two alternate so that machine noise hits both alike.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from service.core.extensions import db
from service.engine import serialization
from service.engine.models import Case

from . import cases
from .context import Context, StatementCounter, Timing
from .report import Result, percentile

TARGET_RATIO = 3.0


def full_state(case: Case) -> str:
    """The case's workflow in SpiffWorkflow's default format (spec included)."""
    p = case.deployed.parsed
    workflow = serialization.load(case.state, p.spec, p.subprocess_specs)
    return _serializer().serialize_json(workflow)


_default: BpmnWorkflowSerializer | None = None


def _serializer() -> BpmnWorkflowSerializer:
    global _default
    if _default is None:
        _default = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return _default


def bare_step(state: str, task_name: str, data: dict,
              engine: PythonScriptEngine | None = None) -> str:
    """Deserialize, complete the READY task ``task_name`` with ``data``, run, serialize
    (service tasks need an ``engine`` that answers them)."""
    serializer = _serializer()
    workflow = serializer.deserialize_json(state)
    workflow.script_engine = engine or PythonScriptEngine()
    task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                if t.task_spec.name == task_name)
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
    return serializer.serialize_json(workflow)


SUBMIT_ROSTER = 24  # the I4 application: a 24-person roster and three materials


def _submit_samples(n: int) -> tuple[Timing, Timing]:
    """The institution's I4 submit on fresh cases (one per institution), beside the bare step
    of the same task on the same workflow state."""
    step, floor = Timing(), Timing()
    for i in range(n + 3):
        db.session.remove()
        actors = cases.Actors.demo()
        case_id = cases.start(actors)
        case = db.session.get(Case, case_id)
        state = full_state(case)
        data = cases.application(actors.institution, case, roster_size=SUBMIT_ROSTER)
        inst_id = actors.institution.id
        db.session.commit()
        warm = i < 3  # the first steps pay for parsing and caches
        cases.complete_fresh(inst_id, case_id, data, None if warm else step)
        if warm:
            bare_step(state, "submit_application", data)
            continue
        with floor.measure():
            bare_step(state, "submit_application", data)
    return step, floor


def _submit_results(n: int, step: Timing, floor: Timing) -> list[Result]:
    ratio = percentile(step.wall, 50) / percentile(floor.wall, 50)
    return [
        Result("step", f"I4 submit step p50 ({SUBMIT_ROSTER}-person roster, 3 materials)",
               percentile(step.wall, 50) * 1000, "ms", percentile(floor.wall, 50) * 1000,
               "bare Spiff submit p50", f"≤ {TARGET_RATIO:g}× bare step", ratio <= TARGET_RATIO,
               samples=n),
        Result("step", f"I4 submit step p95 ({SUBMIT_ROSTER}-person roster, 3 materials)",
               percentile(step.wall, 95) * 1000, "ms", percentile(floor.wall, 95) * 1000,
               "bare Spiff submit p95", samples=n),
    ]


def run(ctx: Context) -> list[Result]:
    n = ctx.scale.step_samples
    step, floor = Timing(), Timing()
    round_trips: list[int] = []
    with ctx.app.app_context():
        actors = cases.Actors.demo()
        case_ids = [cases.at_review(actors) for _ in range(n + 3)]
        bureau_id = actors.bureau.id
        state = full_state(db.session.get(Case, case_ids[0]))
        db.session.remove()
        for warm in case_ids[:3]:  # first steps pay for parsing and caches
            cases.complete_fresh(bureau_id, warm, dict(cases.REVIEW_APPROVE))
            bare_step(state, "material_review", dict(cases.REVIEW_APPROVE))
        with ctx.profiled("step"):
            for case_id in case_ids[3:]:
                counter = StatementCounter(db.engine)
                cases.complete_fresh(bureau_id, case_id, dict(cases.REVIEW_APPROVE), step,
                                     counter)
                round_trips.append(counter.count)
                with floor.measure():
                    bare_step(state, "material_review", dict(cases.REVIEW_APPROVE))
        with ctx.profiled("step_submit"):
            submit_step, submit_floor = _submit_samples(n)
    ratio = percentile(step.wall, 50) / percentile(floor.wall, 50)
    common = {"samples": n, "details": {"round_trips_per_step": max(round_trips),
                                        "full_state_bytes": len(state)}}
    return [
        Result("step", "verification step p50", percentile(step.wall, 50) * 1000, "ms",
               percentile(floor.wall, 50) * 1000, "bare Spiff step p50",
               f"≤ {TARGET_RATIO:g}× bare step", ratio <= TARGET_RATIO, **common),
        Result("step", "verification step p95", percentile(step.wall, 95) * 1000, "ms",
               percentile(floor.wall, 95) * 1000, "bare Spiff step p95", samples=n),
        Result("step", "verification step CPU p50 (this process)",
               percentile(step.cpu, 50) * 1000, "ms", percentile(floor.cpu, 50) * 1000,
               "bare Spiff step CPU p50", samples=n),
        *_submit_results(n, submit_step, submit_floor),
    ]
